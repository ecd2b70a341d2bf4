import Synchronization

/// The process-wide tally of accounted bytes: every stream's tracker adds to it as its
/// buffer changes, so the data path can read the total with one atomic load.
public final class MemoryLedger: Sendable {
    private let accountedBytes = Atomic<Int>(0)
    private let admitted = Atomic<Int>(0)

    /// Creates an empty ledger.
    public init() {}

    /// Bytes accounted to all streams now.
    public var accounted: Int { accountedBytes.load(ordering: .relaxed) }

    /// Bytes of frames ever admitted into buffers.
    public var admittedBytes: Int { admitted.load(ordering: .relaxed) }

    func add(_ delta: Int) { accountedBytes.add(delta, ordering: .relaxed) }

    func noteAdmitted(_ bytes: Int) { admitted.add(bytes, ordering: .relaxed) }
}
