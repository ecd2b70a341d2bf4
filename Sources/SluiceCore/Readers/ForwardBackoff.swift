/// How long a forwarder waits before it calls its destination again: one second after the first
/// failure, doubling with each failure after it, up to thirty seconds.
///
/// A connection that stayed up for at least the longest wait counts as a success and starts the
/// doubling over; one that broke sooner counts as one more failure, so a destination that
/// accepts and drops at once is not called every second.
public struct ForwardBackoff: Sendable, Equatable {
    /// The first wait.
    public static let initial = Duration.seconds(1)
    /// The longest wait.
    public static let maximum = Duration.seconds(30)

    /// Failures since the last success.
    public private(set) var failures = 0

    /// No failures yet.
    public init() {}

    /// Notes a failed attempt, or a connection that broke, and returns the wait before the next
    /// attempt.
    /// - Parameter connectedFor: How long the connection was up; zero for an attempt that did
    ///   not connect.
    /// - Returns: The wait.
    public mutating func delay(afterConnectionOf connectedFor: Duration) -> Duration {
        if connectedFor >= Self.maximum { failures = 0 }
        defer { failures += 1 }
        // Past five doublings the wait is at its maximum; the shift stays small.
        return min(Self.initial * (1 << min(failures, 5)), Self.maximum)
    }
}
