/// A token bucket on bytes: it refills at `rate` bytes per second up to `burst` bytes, and a
/// take succeeds only when the bucket holds enough.
public struct TokenBucket: Sendable, Equatable {
    /// Bytes added per second.
    public private(set) var rate: Double
    /// The most bytes the bucket holds.
    public private(set) var burst: Double
    /// Bytes available now (as of the last take).
    public private(set) var tokens: Double
    private var last: ContinuousClock.Instant

    /// Creates a full bucket.
    /// - Parameters:
    ///   - rate: Bytes per second.
    ///   - burst: Capacity in bytes.
    ///   - now: The current time.
    public init(rate: Int, burst: Int, now: ContinuousClock.Instant) {
        self.rate = Double(rate)
        self.burst = Double(burst)
        tokens = Double(burst)
        last = now
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        guard now > last else { return }
        tokens = min(burst, tokens + (now - last).inSeconds * rate)
        last = now
    }

    /// Takes `bytes` if the bucket holds that many.
    /// - Parameters:
    ///   - bytes: The amount.
    ///   - now: The current time.
    /// - Returns: Whether the bytes were taken.
    public mutating func take(_ bytes: Int, now: ContinuousClock.Instant) -> Bool {
        refill(now)
        guard tokens >= Double(bytes) else { return false }
        tokens -= Double(bytes)
        return true
    }

    /// Gives back bytes taken for something that did not go ahead.
    /// - Parameter bytes: The amount.
    public mutating func refund(_ bytes: Int) {
        tokens = min(burst, tokens + Double(bytes))
    }

    /// Changes rate and burst, keeping the tokens (up to the new burst).
    /// - Parameters:
    ///   - rate: Bytes per second.
    ///   - burst: Capacity in bytes.
    public mutating func reconfigure(rate: Int, burst: Int) {
        self.rate = Double(rate)
        self.burst = Double(burst)
        tokens = min(tokens, self.burst)
    }
}
