import CSRT

/// libsrt's listen callback. A free function in its own file, so that it carries no actor
/// isolation: libsrt calls it on its own receive thread.
func sluiceSRTHandshakeCallback(
    opaque: UnsafeMutableRawPointer?, socket: SRTSOCKET, handshakeVersion: Int32,
    peer: UnsafePointer<sockaddr>?, streamID: UnsafePointer<CChar>?
) -> Int32 {
    guard let opaque else { return -1 }
    let listener = Unmanaged<SRTListener>.fromOpaque(opaque).takeUnretainedValue()
    let request = HandshakeRequest(
        peer: SocketAddress.describe(peer),
        streamID: streamID.map { String(cString: $0) } ?? "")
    switch listener.handshake(request) {
    case .accept:
        return 0
    case .acceptEncrypted(let passphrase):
        // Set on the new socket before libsrt checks the caller's key material, which follows
        // the callback: this caller must encrypt with this passphrase, whatever the listener's.
        do throws(SRTError) {
            try SRTSocketOptions.set(socket, SRTO_PASSPHRASE, passphrase)
        } catch {
            srt_setrejectreason(socket, RejectReason.internalError.code)
            return -1
        }
        return 0
    case .reject(let reason):
        // libsrt 1.5.1 callers misreport a rejection that carries no reason: always set one.
        srt_setrejectreason(socket, reason.code)
        return -1
    }
}
