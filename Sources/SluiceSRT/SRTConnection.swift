import CSRT
import Synchronization

/// What one receive call got.
public enum SRTReceiveResult: Sendable, Equatable {
    /// A message of this many bytes is in the buffer. libsrt made it available at `readyAt`:
    /// its play time, in live mode.
    case received(Int, readyAt: SRTInstant)
    /// Nothing is queued (a non-blocking socket); the connection is still up.
    case nothingQueued
    /// The connection is closed or broken.
    case closed
}

/// What one send call did.
public enum SRTSendResult: Sendable, Equatable {
    /// The message is queued.
    case sent
    /// libsrt's send buffer is full (a non-blocking socket): the peer is not keeping up.
    case full
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

    /// libsrt's id of the socket: the ``HandshakeRequest/socketID`` it was admitted as.
    public var id: Int32 { socket }

    /// The peer's address as `host:port`.
    public let peer: String
    /// The stream id the caller sent in its handshake (empty if none).
    public let streamID: String

    init(socket: SRTSOCKET, peer: String) {
        self.socket = socket
        self.peer = peer
        self.streamID = SRTSocketOptions.string(socket, SRTO_STREAMID) ?? ""
    }

    deinit { close() }

    /// Makes ``receive(into:)`` return at once, reporting nothing queued when no message is
    /// ready: for a reader that learns from an epoll which connections to drain.
    public func setNonBlocking() throws(SRTError) {
        try SRTSocketOptions.set(socket, SRTO_RCVSYN, false)
    }

    /// Makes ``receive(into:)`` sleep until a message is ready, the connection ends, or
    /// `milliseconds` pass (then it reports nothing queued). The wait is on the socket's own
    /// condition, which libsrt signals when a message reaches its play time or the socket
    /// closes: a connection that receives nothing costs no wakeups. (libsrt's epoll is no
    /// substitute: every waiter wakes on a global event at least every 10 ms.)
    /// - Parameter milliseconds: The longest wait.
    public func setBlocking(timeoutMilliseconds milliseconds: Int) throws(SRTError) {
        try SRTSocketOptions.set(socket, SRTO_RCVSYN, true)
        try SRTSocketOptions.set(socket, SRTO_RCVTIMEO, Int32(clamping: milliseconds))
    }

    /// Whether a message is ready to receive now, or the connection broke (a receive then says
    /// so). Asked of libsrt without receiving: an empty receive costs libsrt its error path,
    /// which throws and catches a C++ exception.
    public var isReadable: Bool {
        guard let events = SRTSocketOptions.int(socket, SRTO_EVENT) else { return true }
        return events & Int32(SRT_EPOLL_IN.rawValue | SRT_EPOLL_ERR.rawValue) != 0
    }

    /// Receives one message.
    /// - Parameter buffer: Where to put it; at least ``maxMessageBytes`` long.
    /// - Returns: The message size, a timeout, or that the connection is over.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> SRTReceiveResult {
        precondition(buffer.count >= Self.maxMessageBytes, "live-mode messages would be truncated")
        var control = srt_msgctrl_default
        let count = srt_recvmsg2(
            socket, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), &control)
        if count > 0 { return .received(Int(count), readyAt: SRTInstant(microseconds: control.srctime)) }
        if count < 0 && SRTLibrary.lastError.isTimeout && !isClosed.load(ordering: .acquiring) {
            return .nothingQueued
        }
        return .closed
    }

    /// Makes ``trySend(_:)`` return at once when libsrt's send buffer is full, so a sender that
    /// serves a slow peer learns it instead of blocking.
    public func setNonBlockingSend() throws(SRTError) {
        try SRTSocketOptions.set(socket, SRTO_SNDSYN, false)
    }

    /// Keeps a closed socket sending what is still in its send buffer for up to `seconds` (in
    /// the background: ``close()`` does not wait), so the last messages before a close arrive.
    /// Live mode's default is to drop them.
    public func setLinger(seconds: Int) throws(SRTError) {
        var value = linger(l_onoff: 1, l_linger: Int32(seconds))
        guard srt_setsockflag(socket, SRTO_LINGER, &value, Int32(MemoryLayout<linger>.size)) == 0 else {
            throw SRTLibrary.lastError
        }
    }

    /// Sends one message of at most ``maxMessageBytes`` bytes, reporting a full send buffer.
    /// - Parameter bytes: The message.
    public func trySend(_ bytes: UnsafeRawBufferPointer) -> SRTSendResult {
        let sent = srt_sendmsg(
            socket, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), -1, 0)
        if sent >= 0 { return .sent }
        return SRTLibrary.lastError.code == Int32(SRT_EASYNCSND.rawValue) && !closed ? .full : .closed
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

    /// The local UDP port the connection sends from.
    public var localPort: UInt16 {
        var address = sockaddr_in()
        var length = Int32(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_getsockname(socket, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether ``close()`` has been called.
    public var closed: Bool { isClosed.load(ordering: .acquiring) }

    /// Closes the socket. Safe to call more than once and from any thread.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        srt_close(socket)
    }
}
