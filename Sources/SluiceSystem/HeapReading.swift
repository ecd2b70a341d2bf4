import CMalloc
import Glibc
import Synchronization

/// The last `mallinfo2` reading, reused for up to ``maxAge``.
final class HeapReading: Sendable {
    /// How long a reading stands.
    static let maxAge = Duration.seconds(2)

    private let last = Mutex<(at: ContinuousClock.Instant, inUse: Int, free: Int)?>(nil)

    /// Heap bytes in use and free inside malloc's arenas, read again when the last reading is
    /// older than ``maxAge`` or was invalidated.
    func current() -> (inUse: Int, free: Int) {
        let now = ContinuousClock.now
        if let reading = last.withLock({ $0 }), now - reading.at < Self.maxAge {
            return (reading.inUse, reading.free)
        }
        let info = mallinfo2()
        let reading = (at: now, inUse: Int(info.uordblks + info.hblkhd), free: Int(info.fordblks))
        last.withLock { $0 = reading }
        return (reading.inUse, reading.free)
    }

    /// Forgets the last reading: the heap just changed.
    func invalidate() {
        last.withLock { $0 = nil }
    }
}
