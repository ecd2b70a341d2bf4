import CSRT
import Synchronization

/// libsrt's own readiness set (`srt_epoll_*`) over connected sockets: one thread waits for all
/// of them at once and serves only those that have something to read, in place of a thread (or
/// a timed poll) per connection.
///
/// The set is level-triggered: a socket stays ready until its queue is read empty, so a reader
/// should drain it (non-blocking ``SRTConnection/receive(into:)`` until
/// ``SRTReceiveResult/nothingQueued``) before waiting again. Adding, removing and waiting may
/// happen on different threads.
public final class SRTEpoll: Sendable {
    /// What a ready socket is ready for.
    public struct Events: OptionSet, Sendable, Hashable {
        public let rawValue: Int32

        /// Creates a set of events from libsrt's flags.
        /// - Parameter rawValue: `SRT_EPOLL_*` flags.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// A message is queued to read.
        public static let readable = Events(rawValue: Int32(SRT_EPOLL_IN.rawValue))
        /// The connection is broken or closed; a receive reports it.
        public static let error = Events(rawValue: Int32(SRT_EPOLL_ERR.rawValue))
    }

    /// One socket that a ``wait(timeoutMilliseconds:maxReady:)`` found ready.
    public struct Readiness: Sendable {
        /// The connection.
        public let connection: SRTConnection
        /// What it is ready for.
        public let events: Events
    }

    private let id: Int32
    // libsrt reports sockets by number; this maps them back to the connections the caller
    // added, which also keeps each one alive while it is in the set.
    private let members = Mutex<[SRTSOCKET: SRTConnection]>([:])
    private let isReleased = Atomic<Bool>(false)

    /// Creates an empty set.
    /// - Throws: ``SRTError`` if libsrt cannot make one.
    public init() throws(SRTError) {
        SRTLibrary.ensureStarted()
        let id = srt_epoll_create()
        guard id >= 0 else { throw SRTLibrary.lastError }
        // Waiting on an empty set is normal here (before the first caller, after the last one
        // leaves): without this flag libsrt reports it as an error instead of waiting.
        srt_epoll_set(id, Int32(SRT_EPOLL_ENABLE_EMPTY.rawValue))
        self.id = id
    }

    deinit { release() }

    /// The number of connections in the set.
    public var count: Int { members.withLock { $0.count } }

    /// Watches a connection for messages to read and for errors.
    /// - Parameter connection: The connection; remove it before closing it.
    /// - Throws: ``SRTError`` if the connection is closed or the set released.
    public func add(_ connection: SRTConnection) throws(SRTError) {
        var events = Events.readable.union(.error).rawValue
        try members.withLock { members throws(SRTError) in
            guard srt_epoll_add_usock(id, connection.socket, &events) == 0 else { throw SRTLibrary.lastError }
            members[connection.socket] = connection
        }
    }

    /// Stops watching a connection. Removing one that is not in the set does nothing.
    /// - Parameter connection: The connection.
    public func remove(_ connection: SRTConnection) {
        members.withLock { members in
            guard members.removeValue(forKey: connection.socket) != nil else { return }
            // libsrt already drops a socket that was closed; a failure then means nothing.
            _ = srt_epoll_remove_usock(id, connection.socket)
        }
    }

    /// Waits until at least one connection is ready, or the timeout passes.
    /// - Parameters:
    ///   - timeoutMilliseconds: How long to wait; -1 waits without end.
    ///   - maxReady: The most connections to report at once; the rest stay ready for the next
    ///     wait.
    /// - Returns: The ready connections, empty if the timeout passed.
    /// - Throws: ``SRTError`` if the set was released.
    public func wait(timeoutMilliseconds: Int, maxReady: Int = 256) throws(SRTError) -> [Readiness] {
        precondition(maxReady > 0, "a wait must be able to report a connection")
        let result = withUnsafeTemporaryAllocation(of: SRT_EPOLL_EVENT.self, capacity: maxReady) {
            events -> Result<[Readiness], SRTError> in
            let ready = srt_epoll_uwait(id, events.baseAddress, Int32(maxReady), Int64(timeoutMilliseconds))
            guard ready >= 0 else { return .failure(SRTLibrary.lastError) }
            // libsrt counts one past `maxReady` when more were ready than it could report.
            let reported = events.prefix(min(Int(ready), maxReady))
            return .success(
                members.withLock { members in
                    // A socket removed while this wait ran is no longer the caller's concern.
                    reported.compactMap { event in
                        members[event.fd].map {
                            Readiness(connection: $0, events: Events(rawValue: event.events))
                        }
                    }
                })
        }
        return try result.get()
    }

    /// Releases the set. The connections in it stay open; waiting afterwards throws.
    public func release() {
        guard !isReleased.exchange(true, ordering: .acquiringAndReleasing) else { return }
        members.withLock { $0.removeAll() }
        srt_epoll_release(id)
    }
}
