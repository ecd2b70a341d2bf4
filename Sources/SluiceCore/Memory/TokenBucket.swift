import Synchronization

/// A token bucket on bytes: it refills at `rate` bytes per second up to `burst` bytes, and a
/// take succeeds only when the bucket holds enough.
///
/// Every stream's ingest thread takes from the global bucket for every frame, so the bucket
/// takes no lock: with hundreds of threads on a few cores, a lock holder that is preempted
/// leaves the others spinning (a profile of 200 streams found a quarter of the process's CPU
/// in that spin). The bucket is kept as one instant instead of a count, the moment it will be
/// full again (the generic cell rate algorithm): taking `n` bytes moves that moment `n / rate`
/// later, and a take succeeds while the moment stays within `burst / rate` of now. One
/// compare-and-exchange does it.
public final class TokenBucket: Sendable {
    private let origin: ContinuousClock.Instant
    /// When the bucket is full again, in nanoseconds after `origin`; in the past means full.
    private let fullAt: Atomic<Int>
    private let rateBytes: Atomic<Int>
    private let burstBytes: Atomic<Int>

    /// Creates a full bucket.
    /// - Parameters:
    ///   - rate: Bytes per second.
    ///   - burst: Capacity in bytes.
    ///   - now: The current time.
    public init(rate: Int, burst: Int, now: ContinuousClock.Instant) {
        origin = now
        fullAt = Atomic(0)
        rateBytes = Atomic(max(rate, 1))
        burstBytes = Atomic(max(burst, 0))
    }

    /// Bytes added per second.
    public var rate: Int { rateBytes.load(ordering: .relaxed) }
    /// The most bytes the bucket holds.
    public var burst: Int { burstBytes.load(ordering: .relaxed) }

    /// Bytes available at `now`.
    /// - Parameter now: The current time.
    public func tokens(at now: ContinuousClock.Instant) -> Double {
        let t = nanoseconds(now)
        let behind = max(fullAt.load(ordering: .relaxed) - t, 0)
        return max(Double(burst) - Double(behind) * Double(rate) / 1e9, 0)
    }

    /// Takes `bytes` if the bucket holds that many.
    /// - Parameters:
    ///   - bytes: The amount.
    ///   - now: The current time.
    /// - Returns: Whether the bytes were taken.
    public func take(_ bytes: Int, now: ContinuousClock.Instant) -> Bool {
        let t = nanoseconds(now)
        let cost = duration(of: bytes)
        let window = duration(of: burst)
        var current = fullAt.load(ordering: .relaxed)
        while true {
            let next = max(current, t) + cost
            guard next - t <= window else { return false }
            let (exchanged, found) = fullAt.compareExchange(
                expected: current, desired: next, ordering: .relaxed)
            if exchanged { return true }
            current = found
        }
    }

    /// Gives back bytes taken for something that did not go ahead.
    /// - Parameter bytes: The amount.
    public func refund(_ bytes: Int) {
        // A moment pushed into the past only means full: takes start from now.
        fullAt.subtract(duration(of: bytes), ordering: .relaxed)
    }

    /// Changes rate and burst, keeping the tokens (up to the new burst). A take racing with it
    /// may be charged at either rate: reloads are rare, and either answer is one a moment
    /// earlier or later would have given.
    /// - Parameters:
    ///   - rate: Bytes per second.
    ///   - burst: Capacity in bytes.
    ///   - now: The current time.
    public func reconfigure(rate: Int, burst: Int, now: ContinuousClock.Instant) {
        let kept = min(tokens(at: now), Double(max(burst, 0)))
        rateBytes.store(max(rate, 1), ordering: .relaxed)
        burstBytes.store(max(burst, 0), ordering: .relaxed)
        let missing = Double(max(burst, 0)) - kept
        fullAt.store(
            nanoseconds(now) + Int((missing / Double(max(rate, 1)) * 1e9).rounded()), ordering: .relaxed)
    }

    /// How long the bucket takes to refill `bytes`, in nanoseconds.
    private func duration(of bytes: Int) -> Int {
        Int((Double(bytes) * 1e9 / Double(rate)).rounded(.up))
    }

    private func nanoseconds(_ instant: ContinuousClock.Instant) -> Int {
        (instant - origin).wholeNanoseconds
    }
}
