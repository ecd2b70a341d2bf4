import CSRT
import Glibc

/// libsrt's process-wide state. `srt_startup` must run once before any socket is made.
enum SRTLibrary {
    private static let started: Bool = {
        srt_startup()
        // libsrt's warnings (such as an empty read it then ignores) are noise next to Sluice's
        // own log lines; its errors stay visible.
        srt_setloglevel(LOG_ERR)
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
}
