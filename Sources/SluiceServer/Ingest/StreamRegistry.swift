import SluiceCore
import Synchronization

/// The streams being published now, by name.
final class StreamRegistry: Sendable {
    private let streams = Mutex<[StreamName: IngestStream]>([:])

    /// The live stream with this name.
    func stream(named name: StreamName) -> IngestStream? { streams.withLock { $0[name] } }

    /// All live streams, sorted by name.
    var all: [IngestStream] { streams.withLock { $0.values.sorted { $0.name < $1.name } } }

    /// How many streams are live.
    var count: Int { streams.withLock { $0.count } }

    func isLive(_ name: StreamName) -> Bool { streams.withLock { $0[name] != nil } }

    /// Registers a stream under its name.
    /// - Parameters:
    ///   - stream: The new stream.
    ///   - replacing: Whether it may take the name from a live stream.
    /// - Returns: The stream it displaced, or `.failure` when the name is taken and may not be.
    func register(_ stream: IngestStream, replacing: Bool) -> Result<IngestStream?, Conflict> {
        streams.withLock { streams in
            let previous = streams[stream.name]
            if previous != nil && !replacing { return .failure(Conflict()) }
            streams[stream.name] = stream
            return .success(previous)
        }
    }

    /// Removes a stream, unless its name already belongs to a newer one.
    func remove(_ stream: IngestStream) {
        streams.withLock { streams in
            if streams[stream.name] === stream { streams[stream.name] = nil }
        }
    }

    /// Removes and returns every stream.
    func removeAll() -> [IngestStream] {
        streams.withLock { streams in
            defer { streams.removeAll() }
            return Array(streams.values)
        }
    }

    struct Conflict: Error {}
}
