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
        socketID: socket, peer: SocketAddress.describe(peer), streamID: handshakeStreamID(streamID))
    switch listener.handshake(request) {
    case .accept(let ifRefused):
        PendingHandshakes.accepted(ifRefused: ifRefused)
        return 0
    case .acceptEncrypted(let passphrase, let ifRefused):
        // Set on the new socket before libsrt checks the caller's key material, which follows
        // the callback: this caller must encrypt with this passphrase, whatever the listener's.
        do throws(SRTError) {
            try SRTSocketOptions.set(socket, SRTO_PASSPHRASE, passphrase)
        } catch {
            PendingHandshakes.rejected()
            srt_setrejectreason(socket, RejectReason.internalError.code)
            return -1
        }
        PendingHandshakes.accepted(ifRefused: ifRefused)
        return 0
    case .reject(let reason):
        PendingHandshakes.rejected()
        // libsrt 1.5.1 callers misreport a rejection that carries no reason: always set one.
        srt_setrejectreason(socket, reason.code)
        return -1
    }
}

/// The most bytes libsrt takes in a stream id (`CSrtConfig::MAX_SID_LENGTH`).
private let maxStreamIDBytes = 512

/// The stream id's bytes, read whole rather than up to the first NUL.
///
/// libsrt passes the callback a buffer of `MAX_SID_LENGTH + 1` bytes that it zeroes and then
/// fills with the id as it came off the wire, padded with NULs to whole 4-byte words
/// (`runAcceptHook` in core.cpp, unchanged from 1.5.0 to 1.5.5). Read as a C string,
/// `live/a\0evil` would arrive as `live/a`; read whole, the embedded NUL reaches the policy,
/// which refuses it. `SRTO_STREAMID` is no help: libsrt sets it only after the callback, and
/// with `strlen`. Trailing NULs are the padding, which the wire does not tell apart from the
/// id, so they are dropped.
private func handshakeStreamID(_ pointer: UnsafePointer<CChar>?) -> [UInt8] {
    guard let pointer else { return [] }
    let buffer = UnsafeRawBufferPointer(start: pointer, count: maxStreamIDBytes)
    guard let last = buffer.lastIndex(where: { $0 != 0 }) else { return [] }
    return Array(buffer[...last])
}
