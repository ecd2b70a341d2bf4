/// What the controller has done since start (or since the last reset of the resettable parts).
public struct MemoryStatistics: Sendable, Equatable {
    /// Eviction passes that freed something, by the level that called for them.
    public var evictionPasses: [PressureLevel: Int] = [:]
    /// Bytes freed by eviction across streams.
    public var evictedBytes = 0
    /// Frames freed by eviction across streams.
    public var evictedFrames = 0
    /// Streams disconnected because critical pressure lasted.
    public var shedStreams = 0
    /// Times each level was entered from below.
    public var levelEntries: [PressureLevel: Int] = [:]

    /// Nothing yet.
    public init() {}
}

/// The controller's state at one moment, for metrics, the admin API and logs.
public struct MemoryStatus: Sendable {
    /// The global limit and where it came from.
    public var budget: MemoryBudget
    /// The current level.
    public var level: PressureLevel
    /// Usage over the limit.
    public var pressure: Double
    /// Bytes accounted to streams.
    public var accountedBytes: Int
    /// The fixed base counted beside them.
    public var baseBytes: Int
    /// The last measurement of the process.
    public var sample: ProcessMemorySample
    /// The highest usage seen (since start or the last reset).
    public var peakBytes: Int
    /// Whether new streams are being refused for memory: the monitor's latch is set, or the
    /// level is at `memory.refuse_new_streams_at`.
    public var refusingNewStreams: Bool
    /// Bytes of frames admitted into buffers since start.
    public var admittedBytes: Int
    /// Bytes of frames admitted per second, over the last monitor interval.
    public var admittedBytesPerSecond: Double
    /// What the controller has done.
    public var statistics: MemoryStatistics
}
