/// One thread's CPU time at one moment.
public struct ThreadCPUSample: Sendable, Equatable {
    /// The thread's kernel id.
    public var id: Int32
    /// Its name (`SRT:RcvQ:w1`).
    public var name: String
    /// CPU time it has used since it started, in nanoseconds.
    public var cpuNanoseconds: UInt64

    /// Creates a sample.
    public init(id: Int32, name: String, cpuNanoseconds: UInt64) {
        self.id = id
        self.name = name
        self.cpuNanoseconds = cpuNanoseconds
    }
}

/// Measures the CPU time of the process's threads: the receive-capacity estimate's window on
/// the operating system, faked in tests.
public protocol ThreadCPUProbe: Sendable {
    /// The threads whose names start with `prefix`, and their CPU time now.
    func sample(namesStartingWith prefix: String) -> [ThreadCPUSample]
}
