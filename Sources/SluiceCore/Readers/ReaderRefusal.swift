/// Why a new reader is refused: its stream's or the server's reader limit, or memory.
public enum ReaderRefusal: String, Error, Sendable, CaseIterable, Hashable {
    /// The stream has `readers.max_per_stream` readers.
    case maxPerStream = "max_readers_per_stream"
    /// The server has `readers.max_total` readers.
    case maxTotal = "max_readers"
    /// Memory is at or above `memory.refuse_new_streams_at`: readers hold output in memory too.
    case memoryPressure = "reader_memory_pressure"

    /// What the refusal means, for logs and HTTP error bodies.
    public var explanation: String {
        switch self {
        case .maxPerStream: "max_readers_per_stream: the stream has readers.max_per_stream readers"
        case .maxTotal: "max_readers: readers.max_total readers are connected"
        case .memoryPressure: "memory_pressure: memory is at or above memory.refuse_new_streams_at"
        }
    }

    /// Decides whether one more reader fits.
    /// - Parameters:
    ///   - streamReaders: The readers the stream has now.
    ///   - totalReaders: The readers the server has now.
    ///   - limits: `readers.*`.
    ///   - refusingNewStreams: Whether the memory controller refuses new streams now.
    /// - Returns: Why not, or `nil` when the reader fits.
    public static func check(
        streamReaders: Int, totalReaders: Int, limits: Config.Readers, refusingNewStreams: Bool
    ) -> ReaderRefusal? {
        if refusingNewStreams { return .memoryPressure }
        if totalReaders >= limits.maxTotal { return .maxTotal }
        if streamReaders >= limits.maxPerStream { return .maxPerStream }
        return nil
    }
}
