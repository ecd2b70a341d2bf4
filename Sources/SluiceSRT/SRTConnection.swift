import CSRT
import Synchronization

/// What one receive call got.
public enum SRTReceiveResult: Sendable, Equatable {
    /// A message of this many bytes is in the buffer.
    case received(Int)
    /// Nothing is queued (a non-blocking socket); the connection is still up.
    case nothingQueued
    /// The connection is closed or broken.
    case closed
}

/// What waiting for data found.
public enum SRTWaitResult: Sendable, Equatable {
    /// A message is queued.
    case readable
    /// Nothing arrived in time; the connection is still up.
    case timedOut
    /// The connection is closed or broken.
    case closed
}

/// One connected SRT socket in live mode, accepted by an ``SRTListener`` or opened by an
/// ``SRTCaller``.
///
/// ``close()`` may be called from any thread, also while another thread is blocked in
/// ``receive(into:)``: libsrt wakes that call, which then reports ``SRTReceiveResult/closed``.
public final class SRTConnection: Sendable {
    /// The largest message live mode delivers; a smaller receive buffer would truncate it.
    public static let maxMessageBytes = 1456

    let socket: SRTSOCKET
    private let isClosed = Atomic<Bool>(false)
    // The connection's own epoll: the reading thread sleeps in it until libsrt has a message
    // for this socket, so a connection that receives nothing costs no wakeups at all.
    private let readiness: Int32

    /// The peer's address as `host:port`.
    public let peer: String
    /// The stream id the caller sent in its handshake (empty if none).
    public let streamID: String

    init(socket: SRTSOCKET, peer: String) {
        self.socket = socket
        self.peer = peer
        self.streamID = SRTSocketOptions.string(socket, SRTO_STREAMID) ?? ""
        readiness = srt_epoll_create()
        var events = Int32(SRT_EPOLL_IN.rawValue | SRT_EPOLL_ERR.rawValue)
        srt_epoll_add_usock(readiness, socket, &events)
    }

    deinit {
        close()
        srt_epoll_release(readiness)
    }

    /// Sleeps until a message is queued, the connection ends, or the timeout passes. Closing
    /// the connection from another thread wakes the wait.
    /// - Parameter timeoutMilliseconds: The longest wait.
    /// - Returns: Whether data is there, nothing came, or the connection is over.
    public func awaitData(timeoutMilliseconds: Int) -> SRTWaitResult {
        guard !isClosed.load(ordering: .acquiring) else { return .closed }
        var event = SRT_EPOLL_EVENT(fd: 0, events: 0)
        let ready = srt_epoll_uwait(readiness, &event, 1, Int64(max(timeoutMilliseconds, 0)))
        if isClosed.load(ordering: .acquiring) { return .closed }
        if ready > 0 {
            return event.events & Int32(SRT_EPOLL_ERR.rawValue) != 0 ? .closed : .readable
        }
        // libsrt removes a broken socket from its epolls; waiting on the empty set fails.
        return ready == 0 ? .timedOut : .closed
    }

    /// Makes ``receive(into:)`` return at once, reporting a timeout when nothing is queued.
    public func setNonBlocking() throws(SRTError) {
        try SRTSocketOptions.set(socket, SRTO_RCVSYN, false)
    }

    /// Receives one message.
    /// - Parameter buffer: Where to put it; at least ``maxMessageBytes`` long.
    /// - Returns: The message size, a timeout, or that the connection is over.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> SRTReceiveResult {
        precondition(buffer.count >= Self.maxMessageBytes, "live-mode messages would be truncated")
        let count = srt_recvmsg(
            socket, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count))
        if count > 0 { return .received(Int(count)) }
        if count < 0 && SRTLibrary.lastError.isTimeout && !isClosed.load(ordering: .acquiring) {
            return .nothingQueued
        }
        return .closed
    }

    /// Sends one message of at most ``maxMessageBytes`` bytes.
    /// - Parameter bytes: The message.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(SRTError) {
        let sent = srt_sendmsg(
            socket, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), -1, 0
        )
        guard sent >= 0 else { throw SRTLibrary.lastError }
    }

    /// The bytes libsrt reserves for this socket's receive buffer (`SRTO_RCVBUF`). libsrt
    /// allocates it, so it is invisible to the application's own accounting.
    public var receiveBufferBytes: Int {
        Int(SRTSocketOptions.int(socket, SRTO_RCVBUF) ?? 0)
    }

    /// Whether ``close()`` has been called.
    public var closed: Bool { isClosed.load(ordering: .acquiring) }

    /// Closes the socket. Safe to call more than once and from any thread.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        srt_close(socket)
    }
}
