/// When a reader was last moved forward, so that the lag policy can count skips in a window.
/// It keeps at most one more instant than the policy needs.
public struct ReaderSkipHistory: Sendable, Equatable {
    private var instants: [ContinuousClock.Instant] = []
    /// The skips ever recorded.
    public private(set) var total = 0

    /// An empty history.
    public init() {}

    /// Records a skip.
    /// - Parameters:
    ///   - instant: When.
    ///   - keeping: The most instants worth keeping (the policy's `max_skips` plus one).
    public mutating func record(at instant: ContinuousClock.Instant, keeping: Int) {
        instants.append(instant)
        total += 1
        if instants.count > max(keeping, 1) { instants.removeFirst(instants.count - max(keeping, 1)) }
    }

    /// The skips recorded within `window` before `now`.
    /// - Parameters:
    ///   - window: How far back to count.
    ///   - now: The current time.
    public func count(within window: Duration, before now: ContinuousClock.Instant) -> Int {
        instants.reduce(0) { $0 + (now - $1 <= window ? 1 : 0) }
    }
}
