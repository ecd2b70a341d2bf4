import CSRT
import Synchronization

/// A caller's handshake as the listener sees it, before the connection exists.
public struct HandshakeRequest: Sendable {
    /// The socket the caller will be accepted as: ``SRTConnection/id`` of the connection
    /// ``SRTListenerGroup/accept(on:)`` returns for it.
    public var socketID: Int32
    /// The caller's address as `host:port`.
    public var peer: String
    /// The stream id's bytes as the caller sent them (empty if none), NUL bytes and invalid
    /// UTF-8 included: deciding whether they are acceptable is the handler's job.
    public var streamID: [UInt8]

    /// The stream id as text for logs; invalid UTF-8 becomes U+FFFD.
    public var streamIDText: String { String(decoding: streamID, as: UTF8.self) }
}

/// What to do with a caller in the handshake.
public enum HandshakeDecision: Sendable {
    /// Let the caller in. libsrt checks encryption only after this, so it may still refuse
    /// the caller (a wrong or missing passphrase); `ifRefused` then hears why, on libsrt's
    /// receive thread.
    case accept(ifRefused: @Sendable (RejectReason) -> Void)
    /// Let the caller in only if it encrypts with this passphrase (10 to 79 bytes), set on its
    /// socket alone: libsrt checks it after the callback and refuses a caller that does not
    /// match (`SRT_REJ_BADSECRET`, or `SRT_REJ_UNSECURE` without encryption); `ifRefused`
    /// then hears why.
    case acceptEncrypted(passphrase: String, ifRefused: @Sendable (RejectReason) -> Void)
    /// Refuse it with this reason, which the caller receives.
    case reject(RejectReason)
}

/// Decides on callers in the SRT handshake. It runs on libsrt's receive thread, shared by all
/// sockets of the listener, so it must be quick and must not block.
public typealias HandshakeHandler = @Sendable (HandshakeRequest) -> HandshakeDecision

/// The settings of a listening socket.
public struct SRTListenerOptions: Sendable {
    /// The IPv4 address to bind.
    public var host: String
    /// The port to bind; 0 picks a free one.
    public var port: UInt16
    /// The receiver latency in milliseconds.
    public var latencyMilliseconds: Int
    /// When set, callers must encrypt with this passphrase; libsrt refuses the others.
    public var passphrase: String?
    /// The AES key length in bytes.
    public var keyLength: Int
    /// The listen backlog.
    public var backlog: Int
    /// libsrt's receive buffer per connection in bytes (`SRTO_RCVBUF`); `nil` keeps libsrt's.
    public var receiveBufferBytes: Int?
    /// The kernel receive buffer of the UDP socket all connections share (`SRTO_UDP_RCVBUF`);
    /// the kernel caps it at `net.core.rmem_max`. `nil` keeps libsrt's.
    public var udpReceiveBufferBytes: Int?

    /// Creates listener settings.
    /// - Parameters:
    ///   - host: The IPv4 address to bind.
    ///   - port: The port; 0 picks a free one.
    ///   - latencyMilliseconds: The receiver latency.
    ///   - passphrase: The passphrase callers must use, if any.
    ///   - keyLength: The AES key length in bytes (16, 24 or 32).
    ///   - backlog: The listen backlog.
    ///   - receiveBufferBytes: libsrt's receive buffer per connection.
    ///   - udpReceiveBufferBytes: The shared UDP socket's kernel receive buffer.
    public init(
        host: String, port: UInt16, latencyMilliseconds: Int = 120, passphrase: String? = nil,
        keyLength: Int = 16, backlog: Int = 64, receiveBufferBytes: Int? = nil,
        udpReceiveBufferBytes: Int? = nil
    ) {
        self.receiveBufferBytes = receiveBufferBytes
        self.udpReceiveBufferBytes = udpReceiveBufferBytes
        self.host = host
        self.port = port
        self.latencyMilliseconds = latencyMilliseconds
        self.passphrase = passphrase
        self.keyLength = keyLength
        self.backlog = backlog
    }
}

/// A listening SRT socket in live mode that decides on every caller in the handshake
/// (`srt_listen_callback`), so refused callers never become connections.
///
/// A listener binds its own UDP socket, or takes one already bound (``SharedPort``), so that
/// several listeners can share a port, each with its own libsrt receive thread.
public final class SRTListener: Sendable {
    let socket: SRTSOCKET
    let handshake: HandshakeHandler
    private let isClosed = Atomic<Bool>(false)

    /// The port the listener is bound to.
    public let port: UInt16

    /// Binds (or takes `udpSocket`) and starts listening.
    /// - Parameters:
    ///   - options: Address, latency and encryption.
    ///   - udpSocket: A UDP socket already bound to the address, which libsrt takes over;
    ///     `nil` to bind one.
    ///   - handshake: Decides on each caller.
    /// - Throws: ``SRTError`` if the socket cannot be set up or bound.
    init(options: SRTListenerOptions, udpSocket: Int32?, handshake: @escaping HandshakeHandler)
        throws(SRTError)
    {
        SRTLibrary.ensureStarted()
        let socket = srt_create_socket()
        guard socket != csrt_invalid_sock() else { throw SRTLibrary.lastError }
        self.socket = socket
        self.handshake = handshake
        do throws(SRTError) {
            try SRTSocketOptions.applyCommon(
                socket, latencyMilliseconds: options.latencyMilliseconds,
                passphrase: options.passphrase, keyLength: options.keyLength)
            if let bytes = options.receiveBufferBytes {
                // Accepted sockets inherit it.
                try SRTSocketOptions.set(socket, SRTO_RCVBUF, Int32(bytes))
            }
            if let bytes = options.udpReceiveBufferBytes {
                // Every connection of the listener arrives through this one UDP socket: a
                // small kernel buffer overflows while libsrt's receive thread waits for a core.
                try SRTSocketOptions.set(socket, SRTO_UDP_RCVBUF, Int32(bytes))
            }
            // Accept blocks on the listener's own condition, which libsrt signals only for a
            // new caller or a close. Waiting in libsrt's epoll instead would make the accepting
            // thread one more sleeper on its global event, woken in place of the demux workers
            // by every message that any connection delivers.
            try SRTSocketOptions.set(socket, SRTO_RCVSYN, true)
            let bound =
                if let udpSocket {
                    srt_bind_acquire(socket, udpSocket)
                } else {
                    try SocketAddress.withIPv4(host: options.host, port: options.port) {
                        srt_bind(socket, $0, $1)
                    }
                }
            guard bound == 0 else { throw SRTLibrary.lastError }
            port = Self.boundPort(socket)
        } catch {
            srt_close(socket)
            throw error
        }
        // From here `self` is complete: register the callback before listening.
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        guard srt_listen_callback(socket, sluiceSRTHandshakeCallback, opaque) == 0,
            srt_listen(socket, Int32(options.backlog)) == 0
        else {
            let error = SRTLibrary.lastError
            close()
            throw error
        }
    }

    deinit { close() }

    private static func boundPort(_ socket: SRTSOCKET) -> UInt16 {
        var address = sockaddr_in()
        var length = Int32(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_getsockname(socket, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits for a caller that passed the handshake. The connection it returns does not block
    /// (accepted sockets would inherit the listener's blocking receive).
    /// - Throws: ``SRTError`` once the listener is closed.
    func acceptNext() throws(SRTError) -> SRTConnection? {
        var address = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let accepted = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { srt_accept(socket, $0, &length) }
        }
        guard accepted != csrt_invalid_sock() else {
            let error = SRTLibrary.lastError
            if error.isTimeout { return nil }
            throw error
        }
        let peer = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress.describe($0) }
        }
        let connection = SRTConnection(socket: accepted, peer: peer)
        // This fails only for a caller that broke between its handshake and now; it is handed
        // out all the same, so that whoever reserved its place frees it, and its first receive
        // reports the connection closed.
        try? connection.setNonBlocking()
        return connection
    }

    /// Stops listening. Callers get no answer afterwards.
    func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        srt_close(socket)
    }
}
