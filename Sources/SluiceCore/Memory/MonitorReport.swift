/// What one monitor tick found and did.
public struct MonitorReport: Sendable {
    /// The level before the tick.
    public var previousLevel: PressureLevel
    /// The level after it.
    public var level: PressureLevel
    /// The pressure measured.
    public var pressure: Double
    /// The measurement.
    public var sample: ProcessMemorySample
    /// What eviction freed.
    public var freed: EvictionResult
    /// A stream to disconnect because critical pressure has lasted `memory.shed_after_ms`.
    public var shed: StreamMemory?
}
