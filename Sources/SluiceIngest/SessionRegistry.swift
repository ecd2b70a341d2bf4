import SluiceCore
import Synchronization

/// The sessions publishing now, by stream name.
final class SessionRegistry: Sendable {
    private let sessions = Mutex<[StreamName: IngestSession]>([:])

    /// The live session with this name.
    func session(named name: StreamName) -> IngestSession? { sessions.withLock { $0[name] } }

    /// All live sessions, sorted by name.
    var all: [IngestSession] { sessions.withLock { $0.values.sorted { $0.name < $1.name } } }

    /// How many sessions are live.
    var count: Int { sessions.withLock { $0.count } }

    /// Whether a name is being published now.
    func isLive(_ name: StreamName) -> Bool { sessions.withLock { $0[name] != nil } }

    /// Registers a session under its stream's name.
    /// - Parameters:
    ///   - session: The new session.
    ///   - replacing: Whether it may take the name from a live session.
    /// - Returns: The session it displaced, or `.failure` when the name is taken and may not be.
    func register(_ session: IngestSession, replacing: Bool) -> Result<IngestSession?, Conflict> {
        sessions.withLock { sessions in
            let previous = sessions[session.name]
            if previous != nil && !replacing { return .failure(Conflict()) }
            sessions[session.name] = session
            return .success(previous)
        }
    }

    /// Removes a session, unless its name already belongs to a newer one.
    func remove(_ session: IngestSession) {
        sessions.withLock { sessions in
            if sessions[session.name] === session { sessions[session.name] = nil }
        }
    }

    /// The name was registered by another session first.
    struct Conflict: Error {}
}
