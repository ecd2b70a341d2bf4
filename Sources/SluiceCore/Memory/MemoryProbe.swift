/// What the process's memory looks like from the outside, as the operating system reports it.
public struct ProcessMemorySample: Sendable, Equatable {
    /// Resident set size.
    public var residentBytes: Int
    /// Heap bytes in use (malloc's view), if known.
    public var heapInUseBytes: Int?
    /// Heap bytes free inside malloc's arenas (fragmentation), if known.
    public var heapFreeBytes: Int?
    /// The container's memory usage, if in a limited cgroup.
    public var containerUsageBytes: Int?
    /// Memory the system could still give (MemAvailable), if known.
    public var systemAvailableBytes: Int?

    /// Creates a sample.
    public init(
        residentBytes: Int, heapInUseBytes: Int? = nil, heapFreeBytes: Int? = nil,
        containerUsageBytes: Int? = nil, systemAvailableBytes: Int? = nil
    ) {
        self.residentBytes = residentBytes
        self.heapInUseBytes = heapInUseBytes
        self.heapFreeBytes = heapFreeBytes
        self.containerUsageBytes = containerUsageBytes
        self.systemAvailableBytes = systemAvailableBytes
    }
}

/// Measures the process and gives free heap back: the controller's window on the operating
/// system, faked in tests.
public protocol MemoryProbe: Sendable {
    /// Measures the process now.
    func sample() -> ProcessMemorySample
    /// Returns free heap pages to the operating system (`malloc_trim`).
    func releaseFreeHeap()
}

/// Where the global limit came from, for the start-up log and the admin API.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The limit in bytes.
    public var bytes: Int
    /// How it was found (`"configured"`, or the container or machine figure it was taken from).
    public var source: String

    public var description: String { "\(ByteSize(bytes: bytes)) (\(source))" }

    /// Creates a budget.
    /// - Parameters:
    ///   - bytes: The limit.
    ///   - source: How it was found.
    public init(bytes: Int, source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// Works out the budget: a configured size as it is, or `auto`: the smaller of the
    /// container limit and physical memory, times `fraction`.
    /// - Parameters:
    ///   - limit: The configured limit.
    ///   - fraction: `memory.auto_fraction`.
    ///   - containerLimit: The cgroup limit and where it was read, if the container has one.
    ///   - physicalMemory: The machine's memory.
    public static func resolve(
        _ limit: GlobalLimit, fraction: Double, containerLimit: (bytes: Int, source: String)?,
        physicalMemory: Int
    ) -> MemoryBudget {
        switch limit {
        case .bytes(let size):
            return MemoryBudget(bytes: size.bytes, source: "configured")
        case .auto:
            let physical = (bytes: physicalMemory, source: "physical memory")
            let base = containerLimit.map { $0.bytes < physicalMemory ? $0 : physical } ?? physical
            return MemoryBudget(
                bytes: Int(Double(base.bytes) * fraction),
                source: "auto: \(fraction) x \(ByteSize(bytes: base.bytes)) (\(base.source))")
        }
    }
}
