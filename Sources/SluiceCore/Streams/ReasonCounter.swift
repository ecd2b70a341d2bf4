import Synchronization

/// Events counted by reason label: publishers refused in the SRT handshake (`max_streams`,
/// `conflict`, `bad_request`, ...) or streams ended (`ended`, `idle_timeout`, `not_a_stream`,
/// ...). One count each, which metrics and the admin API report.
///
/// Each event is counted once, where it happens; deciding whether to refuse counts nothing,
/// so a readiness probe can ask as often as it likes.
public final class ReasonCounter: Sendable {
    // A leaf in the memory controller's lock order: nothing is taken under it.
    private let counts = Mutex<[String: Int]>([:])

    /// Creates a counter at zero.
    public init() {}

    /// Counts one event.
    /// - Parameter reason: The reason label.
    public func count(_ reason: String) {
        counts.withLock { $0[reason, default: 0] += 1 }
    }

    /// The events so far, by reason label.
    public var snapshot: [String: Int] { counts.withLock { $0 } }
}
