import Synchronization

/// Publishers refused in the SRT handshake, by reason label (`max_streams`,
/// `memory_pressure`, `projected_memory`, `conflict`, `bad_request`, ...): the one count that
/// metrics and the admin API report.
///
/// The handshake counts each refusal it sends, once; deciding whether to refuse counts nothing,
/// so a readiness probe can ask as often as it likes.
public final class RefusalCounter: Sendable {
    // A leaf in the memory controller's lock order: nothing is taken under it.
    private let counts = Mutex<[String: Int]>([:])

    /// Creates a counter at zero.
    public init() {}

    /// Counts one refusal.
    /// - Parameter reason: The reason label.
    public func count(_ reason: String) {
        counts.withLock { $0[reason, default: 0] += 1 }
    }

    /// The refusals so far, by reason label.
    public var snapshot: [String: Int] { counts.withLock { $0 } }
}
