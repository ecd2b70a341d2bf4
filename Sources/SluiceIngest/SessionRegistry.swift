import SluiceCore
import Synchronization

/// The sessions publishing now, by stream name, and the places held for callers that passed
/// the handshake but are not accepted yet.
///
/// A limit is only a limit if it is checked and taken in one step: the handshake runs on
/// libsrt's receive threads while sessions are registered later, on the accept thread, so
/// callers arriving together would all see room. ``reserve(socket:name:maxStreams:replacing:now:)``
/// checks `srt.max_streams` and duplicates against live sessions and reservations together, under
/// one lock, and holds the place; ``claim(_:)`` turns it into a session, and ``cancel(socket:)``
/// gives it back when libsrt refuses the caller after all.
final class SessionRegistry: Sendable {
    private let state = Mutex(State())

    private struct State {
        var sessions: [StreamName: IngestSession] = [:]
        var reservations: [Int32: Reservation] = [:]

        /// Names held for callers, for duplicates.
        func isReserved(_ name: StreamName) -> Bool { reservations.values.contains { $0.name == name } }

        /// Places taken: live sessions, and reservations that will add a stream.
        var taken: Int { sessions.count + reservations.values.count { $0.addsStream } }
    }

    private struct Reservation {
        var name: StreamName
        var addsStream: Bool
        var at: ContinuousClock.Instant
    }

    /// How long a place is held for a caller that passed the handshake: a caller that never
    /// completes its connection gives its place back after this.
    static let reservationTimeout = Duration.seconds(10)

    /// The live session with this name.
    func session(named name: StreamName) -> IngestSession? { state.withLock { $0.sessions[name] } }

    /// All live sessions, sorted by name.
    var all: [IngestSession] { state.withLock { $0.sessions.values.sorted { $0.name < $1.name } } }

    /// Places taken: live sessions and callers on their way in.
    var count: Int { state.withLock { $0.taken } }

    /// Whether a name is being published now, or held for a caller on its way in.
    func isLive(_ name: StreamName) -> Bool {
        state.withLock { $0.sessions[name] != nil || $0.isReserved(name) }
    }

    /// Checks the stream limit and duplicates and, if they allow, holds a place for a caller.
    /// - Parameters:
    ///   - socket: The caller's socket (``HandshakeRequest/socketID``).
    ///   - name: The name it publishes.
    ///   - maxStreams: `srt.max_streams`.
    ///   - replacing: Whether it may take the name from a live session.
    ///   - now: The current time.
    /// - Returns: `nil` when the place is held, or why not.
    func reserve(
        socket: Int32, name: StreamName, maxStreams: Int, replacing: Bool, now: ContinuousClock.Instant
    ) -> HandshakeRefusal? {
        state.withLock { state in
            state.reservations = state.reservations.filter { now - $0.value.at < Self.reservationTimeout }
            let live = state.sessions[name] != nil
            if state.isReserved(name) || (live && !replacing) { return .conflict(name) }
            if !live && state.taken >= maxStreams { return .capacity(.maxStreams) }
            state.reservations[socket] = Reservation(name: name, addsStream: !live, at: now)
            return nil
        }
    }

    /// Gives back the place held for a caller that libsrt refused after the handshake.
    /// - Parameter socket: The caller's socket.
    func cancel(socket: Int32) {
        state.withLock { _ = $0.reservations.removeValue(forKey: socket) }
    }

    /// Registers an accepted caller's session in the place held for it.
    /// - Parameter session: The new session.
    /// - Returns: The session it displaced, or `.failure` when no place was held for it (it
    ///   timed out, or the server stopped admitting).
    func claim(_ session: IngestSession) -> Result<IngestSession?, Conflict> {
        state.withLock { state in
            guard state.reservations.removeValue(forKey: session.connection.id) != nil else {
                return .failure(Conflict())
            }
            let previous = state.sessions[session.name]
            state.sessions[session.name] = session
            return .success(previous)
        }
    }

    /// Removes a session, unless its name already belongs to a newer one.
    func remove(_ session: IngestSession) {
        state.withLock { state in
            if state.sessions[session.name] === session { state.sessions[session.name] = nil }
        }
    }

    /// No place was held for the caller.
    struct Conflict: Error {}
}
