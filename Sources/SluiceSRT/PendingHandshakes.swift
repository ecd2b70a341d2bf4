import Glibc
import Synchronization

/// Callers the handshake callback let in, until libsrt has checked their encryption.
///
/// libsrt checks the passphrase only after the callback has accepted a caller, and when it
/// then refuses one (`SRT_REJ_BADSECRET`, `SRT_REJ_UNSECURE`) it tells nothing but its log: a
/// listener gets no call and no error. Both steps run back to back on the listener's receive
/// thread, so the log line that follows an accepted caller on the same thread is about that
/// caller. One entry per receive thread: the newest accepted caller on it.
enum PendingHandshakes {
    private static let byThread = Mutex<[pthread_t: @Sendable (RejectReason) -> Void]>([:])

    /// Called by the handshake callback when it lets a caller in.
    /// - Parameter ifRefused: Hears libsrt's refusal of that caller, if it comes.
    static func accepted(ifRefused: @escaping @Sendable (RejectReason) -> Void) {
        let thread = pthread_self()
        byThread.withLock { $0[thread] = ifRefused }
    }

    /// Called by the handshake callback when it refuses a caller itself: no libsrt refusal
    /// that follows is about an accepted caller.
    static func rejected() {
        let thread = pthread_self()
        _ = byThread.withLock { $0.removeValue(forKey: thread) }
    }

    /// Reports libsrt's own refusal to whoever accepted the caller on this thread.
    /// - Parameter reason: The reason libsrt refused it.
    /// - Returns: Whether a caller was waiting to hear it.
    static func refusedByLibrary(_ reason: RejectReason) -> Bool {
        let thread = pthread_self()
        guard let ifRefused = byThread.withLock({ $0.removeValue(forKey: thread) }) else { return false }
        ifRefused(reason)
        return true
    }
}
