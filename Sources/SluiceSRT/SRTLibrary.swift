import CSRT
import Glibc

/// libsrt's process-wide state. `srt_startup` must run once before any socket is made.
enum SRTLibrary {
    private static let started: Bool = {
        srt_startup()
        // libsrt's warnings (such as an empty read it then ignores) are noise next to Sluice's
        // own log lines; its errors stay visible, and carry its refusals of callers.
        srt_setloglevel(LOG_ERR)
        srt_setloghandler(nil, sluiceSRTLogHandler)
        return true
    }()

    /// Starts libsrt if it has not been started yet.
    static func ensureStarted() { _ = started }

    /// libsrt's last error on this thread.
    static var lastError: SRTError {
        let code = srt_getlasterror(nil)
        let message = srt_getlasterror_str().map { String(cString: $0) } ?? "unknown error"
        return SRTError(code: code, message: message)
    }

    /// The refusal a libsrt error line reports, if it is one of a caller the handshake callback
    /// had accepted. libsrt 1.5.1 logs these at error level, in the listener's `acceptAndRespond`
    /// (`interpretSrtHandshake` in core.cpp), and tells the application nothing else.
    static func encryptionRefusal(in line: String) -> RejectReason? {
        // The passphrase did not unwrap the caller's key ("abnornal" is libsrt's spelling).
        if line.contains("KMREQ result abnornal") {
            return .badSecret
        }
        // The caller does not encrypt though a passphrase is set, or the other way round.
        if line.contains("Agent declares encryption, but Peer does not - rejecting")
            || line.contains("Peer declares encryption, but agent does not - rejecting")
        {
            return .unsecure
        }
        return nil
    }
}

/// libsrt's log handler: called on libsrt's threads, under libsrt's log lock, for every line at
/// error level or worse. A refusal of an accepted caller goes to whoever accepted it; any other
/// line goes to standard error as libsrt would write it, control characters escaped.
private func sluiceSRTLogHandler(
    opaque: UnsafeMutableRawPointer?, level: Int32, file: UnsafePointer<CChar>?, line: Int32,
    area: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?
) {
    guard let message else { return }
    let text = String(cString: message)
    if let reason = SRTLibrary.encryptionRefusal(in: text), PendingHandshakes.refusedByLibrary(reason) {
        return
    }
    // Closing a listener wakes the thread asleep in its blocking accept, and libsrt logs that
    // accept's failure as an error: it is the listener group's own close, not a fault.
    if text.contains("srt_accept: listener socket @"), text.contains("is already closed") { return }
    var escaped = ""
    for scalar in text.dropLast(text.hasSuffix("\n") ? 1 : 0).unicodeScalars {
        if scalar.properties.generalCategory == .control {
            let hex = String(scalar.value, radix: 16)
            escaped += "\\x" + (hex.count < 2 ? "0" : "") + hex
        } else {
            escaped.unicodeScalars.append(scalar)
        }
    }
    escaped += "\n"
    _ = escaped.withCString { write(STDERR_FILENO, $0, strlen($0)) }
}
