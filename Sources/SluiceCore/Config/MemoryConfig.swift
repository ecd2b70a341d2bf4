/// How the global memory limit is set.
public enum GlobalLimit: Sendable, Equatable, CustomStringConvertible {
    /// The smaller of the container's limit and physical memory, times
    /// ``MemoryConfig/autoFraction``.
    case auto
    /// A fixed number of bytes.
    case bytes(ByteSize)

    public var description: String {
        switch self {
        case .auto: "auto"
        case .bytes(let size): size.description
        }
    }
}

/// How the controller orders streams when it must evict across them.
public enum EvictionPolicyKind: String, Sendable, CaseIterable, Hashable {
    /// Lower configured priority first, then the stream furthest over its fair share, then the
    /// oldest data.
    case priority
    /// The largest stream first.
    case size
    /// The stream holding the oldest data first.
    case lru
}

/// The memory controller's settings (`memory.*`).
public struct MemoryConfig: Sendable, Equatable {
    /// `memory.global_limit`: the process budget.
    public var globalLimit = GlobalLimit.auto
    /// `memory.auto_fraction`: the share of the container or machine memory `auto` takes.
    public var autoFraction = 0.7
    /// `memory.per_stream_limit`: each stream's quota, all components together.
    public var perStreamLimit = ByteSize(bytes: 400 << 20)
    /// `memory.soft`: above this share of the limit, evict lowest-value data.
    public var soft = 0.8
    /// `memory.hard`: above this, evict aggressively, return free heap, refuse new streams.
    public var hard = 0.95
    /// `memory.critical`: above this, cut every stream to its newest GOP and shed streams.
    public var critical = 0.98
    /// `memory.hysteresis`: how far below a threshold pressure must fall to leave its level.
    public var hysteresis = 0.02
    /// `memory.monitor_interval_ms`: how often resident memory is measured.
    public var monitorIntervalMilliseconds = 250
    /// `memory.shed_after_ms`: how long critical may last before a stream is disconnected.
    public var shedAfterMilliseconds = 2000
    /// `memory.eviction_policy`: the order of streams for eviction.
    public var evictionPolicy = EvictionPolicyKind.priority
    /// `memory.refuse_new_streams_at`: the level from which new streams are refused.
    public var refuseNewStreamsAt = PressureLevel.hard
    /// `memory.stream_estimate`: the footprint assumed for a new stream until streams have been
    /// observed.
    public var streamEstimate = ByteSize(bytes: 24 << 20)
    /// `memory.malloc_arena_max`: glibc malloc arenas (0 leaves glibc's default).
    public var mallocArenaMax = 2
    /// `memory.malloc_mmap_threshold`: allocations from this size get a mapping of their own,
    /// unmapped when freed (0 leaves glibc's sliding threshold).
    public var mallocMmapThreshold = ByteSize(bytes: 128 << 10)
    /// `memory.allocation_rate.*`: token buckets on bytes admitted into buffers.
    public var allocationRate = AllocationRate()

    /// The token-bucket settings (`memory.allocation_rate.*`).
    public struct AllocationRate: Sendable, Equatable {
        /// `per_stream_bytes_per_second`: one stream's sustained admission rate: 25 MB/s, four
        /// times what a 50 Mbit/s stream needs.
        public var perStreamBytesPerSecond = 25_000_000
        /// `global_bytes_per_second`: the whole server's sustained admission rate.
        public var globalBytesPerSecond = 500_000_000
        /// `burst_bytes`: how far above the rate a bucket may go at once.
        public var burstBytes = ByteSize(bytes: 32 << 20)

        /// The defaults.
        public init() {}
    }

    /// The defaults.
    public init() {}

    /// The thresholds as a value the controller uses.
    public var thresholds: PressureThresholds {
        PressureThresholds(soft: soft, hard: hard, critical: critical, hysteresis: hysteresis)
    }
}

/// A rule that gives streams whose name matches a pattern their own quota or priority
/// (`streams[]`).
public struct StreamRule: Sendable, Equatable {
    /// `match`: a ``NamePattern``.
    public var pattern: String
    /// `per_stream_limit`: the quota for matching streams, if not the default.
    public var perStreamLimit: ByteSize?
    /// `priority`: the eviction priority (default 0; higher is kept longer).
    public var priority: Int

    /// Creates a rule.
    /// - Parameters:
    ///   - pattern: The name pattern.
    ///   - perStreamLimit: The quota for matching streams.
    ///   - priority: Their priority.
    public init(pattern: String, perStreamLimit: ByteSize? = nil, priority: Int = 0) {
        self.pattern = pattern
        self.perStreamLimit = perStreamLimit
        self.priority = priority
    }

    /// Whether `name` matches the pattern.
    /// - Parameter name: A stream name.
    public func matches(_ name: String) -> Bool { NamePattern(pattern).matches(name) }
}

extension Config {
    /// The quota and priority for a stream: the first matching `streams` rule, else the
    /// defaults.
    /// - Parameter name: The stream's name.
    public func memorySettings(for name: String) -> StreamMemorySettings {
        let rule = streams.first { $0.matches(name) }
        return StreamMemorySettings(
            quota: (rule?.perStreamLimit ?? memory.perStreamLimit).bytes, priority: rule?.priority ?? 0)
    }
}
