/// Why a new stream is refused for lack of capacity (SRT reject code 1402): stream count,
/// memory, or receive threads.
public enum AdmissionRefusal: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `srt.max_streams` streams are live.
    case maxStreams = "max_streams"
    /// Memory pressure is at or above `memory.refuse_new_streams_at`, or has not yet fallen
    /// back below soft since it was.
    case memoryPressure = "memory_pressure"
    /// One more stream of the estimated footprint would push pressure past soft beside the
    /// streams already live.
    case projectedMemory = "projected_memory"
    /// One more stream would push the busiest libsrt receive thread past
    /// `srt.receive_saturation`.
    case receiveCapacity = "receive_capacity"

    public var description: String { rawValue }
}
