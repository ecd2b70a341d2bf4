import Foundation
import Glibc

extension Thread {
    /// Lowers the calling thread's scheduling priority: its nice value goes up by `increment`,
    /// at most to 19. Linux keeps a nice value per thread, and raising one needs no privilege.
    /// - Parameter increment: How many nice steps, from the thread's current value.
    /// - Returns: The thread's nice value after, or `nil` when the kernel refused.
    @discardableResult
    public static func lowerCurrentPriority(by increment: Int) -> Int? {
        // getpriority returns -1 for a nice value of -1 too: only errno tells a failure.
        errno = 0
        let current = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        guard errno == 0 else { return nil }
        guard increment > 0 else { return current }
        let wanted = min(current + increment, 19)
        // `who` 0 is the calling thread, not the whole process.
        guard setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(wanted)) == 0 else {
            return nil
        }
        return wanted
    }
}
