import CSRT

/// Opens SRT connections as a caller, as an encoder would: for forwarders, tests and the load
/// generator. Connecting blocks (up to libsrt's connect timeout, 3 s).
public enum SRTCaller {
    /// Connects to a listener.
    /// - Parameters:
    ///   - host: The listener's IPv4 address, or a name to look up.
    ///   - port: The listener's port.
    ///   - streamID: The stream id to send in the handshake.
    ///   - latencyMilliseconds: The latency to ask for.
    ///   - passphrase: The passphrase to encrypt with, if any.
    ///   - keyLength: The AES key length in bytes.
    ///   - localPort: A local UDP port to send from. Callers bound to the same port share one UDP
    ///     socket and one pair of libsrt send and receive threads; without it every caller gets
    ///     its own.
    /// - Returns: The connection.
    /// - Throws: ``SRTError``, with ``SRTError/rejection`` set when the listener refused.
    public static func connect(
        host: String, port: UInt16, streamID: String, latencyMilliseconds: Int = 120,
        passphrase: String? = nil, keyLength: Int = 16, localPort: UInt16? = nil
    ) throws(SRTError) -> SRTConnection {
        SRTLibrary.ensureStarted()
        let socket = srt_create_socket()
        guard socket != csrt_invalid_sock() else { throw SRTLibrary.lastError }
        do throws(SRTError) {
            try SRTSocketOptions.applyCommon(
                socket, latencyMilliseconds: latencyMilliseconds, passphrase: passphrase,
                keyLength: keyLength)
            if !streamID.isEmpty { try SRTSocketOptions.set(socket, SRTO_STREAMID, streamID) }
            if let localPort {
                let bound = try SocketAddress.withIPv4(host: "0.0.0.0", port: localPort) {
                    srt_bind(socket, $0, $1)
                }
                guard bound == 0 else { throw SRTLibrary.lastError }
            }
            let result = try SocketAddress.withIPv4(host: host, port: port) {
                srt_connect(socket, $0, $1)
            }
            guard result != csrt_error() else {
                var error = SRTLibrary.lastError
                let reason = srt_getrejectreason(socket)
                if reason != Int32(SRT_REJ_UNKNOWN.rawValue) {
                    error.rejection = RejectReason(code: reason)
                }
                throw error
            }
        } catch {
            srt_close(socket)
            throw error
        }
        return SRTConnection(socket: socket, peer: "\(host):\(port)")
    }
}
