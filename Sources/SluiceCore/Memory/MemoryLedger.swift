import Synchronization

/// The process-wide tally of accounted bytes: every stream's tracker adds to it as its
/// buffer changes, so the data path can read the total with one atomic load.
public final class MemoryLedger: Sendable {
    private let accountedBytes = Atomic<Int>(0)
    // Streams that have ended; live streams keep their own count, so the insert path touches
    // one shared atomic, not two.
    private let retiredAdmitted = Atomic<Int>(0)

    /// Creates an empty ledger.
    public init() {}

    /// Bytes accounted to all streams now.
    public var accounted: Int { accountedBytes.load(ordering: .relaxed) }

    /// Bytes of frames admitted into the buffers of streams that have ended.
    var retiredAdmittedBytes: Int { retiredAdmitted.load(ordering: .relaxed) }

    func add(_ delta: Int) { accountedBytes.add(delta, ordering: .relaxed) }

    func retire(admitted bytes: Int) { retiredAdmitted.add(bytes, ordering: .relaxed) }
}
