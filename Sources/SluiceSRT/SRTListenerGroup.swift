import CSRT
import Glibc
import Synchronization

/// Several SRT listeners on one address and port, each with its own libsrt receive thread.
///
/// libsrt serves every connection of a listener from one receive thread (`SRT:RcvQ`), which
/// saturates near 1.2 Gbit/s however many cores there are. So the group binds one UDP socket
/// per listener to the same port with `SO_REUSEPORT` and hands each to its own listener
/// (`srt_bind_acquire`); the kernel spreads callers across them by their address, and every
/// datagram of one caller reaches the same listener. Every listener decides on its callers
/// with the same handshake handler, so refusals, duplicates and limits behave as with one.
public final class SRTListenerGroup: Sendable {
    /// The listeners, in the order they were bound.
    let listeners: [SRTListener]
    private let isClosed = Atomic<Bool>(false)

    /// The port every listener is bound to.
    public let port: UInt16

    /// Binds `count` listeners to `options`' address and starts listening.
    /// - Parameters:
    ///   - options: Address, latency and encryption, shared by every listener.
    ///   - count: How many listeners (and libsrt receive threads); at least 1.
    ///   - handshake: Decides on each caller, on whichever listener it arrives.
    /// - Throws: ``SRTError`` if a socket cannot be set up or bound.
    public init(options: SRTListenerOptions, count: Int, handshake: @escaping HandshakeHandler)
        throws(SRTError)
    {
        precondition(count >= 1, "a group has at least one listener")
        SRTLibrary.ensureStarted()
        var listeners: [SRTListener] = []
        var port = options.port
        do throws(SRTError) {
            for _ in 0..<count {
                // One listener binds on its own, as libsrt would; more share the port.
                let udp = count == 1 ? nil : try Self.sharedUDPSocket(options, port: port)
                var bound = options
                bound.port = port
                let listener = try SRTListener(options: bound, udpSocket: udp, handshake: handshake)
                port = listener.port
                listeners.append(listener)
            }
        } catch {
            for listener in listeners { listener.close() }
            throw error
        }
        self.listeners = listeners
        self.port = port
    }

    deinit { close() }

    /// How many listeners share the port.
    public var count: Int { listeners.count }

    /// A UDP socket bound to the address with `SO_REUSEPORT`, for a listener to take over.
    private static func sharedUDPSocket(_ options: SRTListenerOptions, port: UInt16) throws(SRTError) -> Int32
    {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard udp >= 0 else {
            throw SRTError(code: -1, message: "socket: \(String(cString: strerror(errno)))")
        }
        var on: Int32 = 1
        setsockopt(udp, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size))
        if let bytes = options.udpReceiveBufferBytes {
            var size = Int32(bytes)
            setsockopt(udp, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = try SocketAddress.withIPv4(host: options.host, port: port) {
            Glibc.bind(udp, $0, socklen_t($1))
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(udp)
            throw SRTError(code: -1, message: "binding \(options.host):\(port): \(reason)")
        }
        return udp
    }

    /// Waits for a caller that passed the handshake on listener `index`; one thread waits on
    /// each listener.
    /// - Parameter index: Which listener, from 0 to ``count`` - 1.
    /// - Returns: The new connection, or `nil` if libsrt woke the wait without one.
    /// - Throws: ``SRTError`` once the group is closed.
    public func accept(on index: Int) throws(SRTError) -> SRTConnection? {
        guard !isClosed.load(ordering: .acquiring) else {
            throw SRTError(code: Int32(SRT_EINVSOCK.rawValue), message: "the listener is closed")
        }
        return try listeners[index].acceptNext()
    }

    /// Stops listening on every listener. Callers get no answer afterwards.
    public func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Each close wakes the thread waiting in that listener's accept.
        for listener in listeners { listener.close() }
    }
}
