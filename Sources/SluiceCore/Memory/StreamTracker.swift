import Synchronization

/// Accounts every byte one stream holds, by component, and carries the stream's quota and
/// priority.
///
/// The frame and index components move with the data: the stream's ``GOPBuffer`` adds a
/// frame's held size when it keeps the frame and subtracts the same size when it lets go of
/// it, under its own lock, in the same step as the frame is stored or released. The demux and
/// SRT components are fixed sizes set when the connection is set up. The readers component
/// moves with the stream's shared output and what full reader connections hold unsent (see
/// ``addReaderBytes(_:)``).
public final class StreamTracker: Sendable {
    /// The stream's name.
    public let name: String
    private let ledger: MemoryLedger?
    private let frameBytes = Atomic<Int>(0)
    private let indexBytes = Atomic<Int>(0)
    private let demuxBytes = Atomic<Int>(0)
    private let srtBytes = Atomic<Int>(0)
    private let readerBytes = Atomic<Int>(0)
    private let admitted = Atomic<Int>(0)
    private let quotaBytes: Atomic<Int>
    private let priorityValue: Atomic<Int>

    /// Creates a tracker.
    /// - Parameters:
    ///   - name: The stream's name.
    ///   - settings: Its quota and priority.
    ///   - ledger: The process-wide tally to report to.
    public init(name: String, settings: StreamMemorySettings, ledger: MemoryLedger? = nil) {
        self.name = name
        self.ledger = ledger
        quotaBytes = Atomic(settings.quota)
        priorityValue = Atomic(settings.priority)
    }

    deinit {
        // A stream that goes away takes its bytes off the ledger.
        ledger?.add(-total)
    }

    /// The most bytes the stream may hold, all components together.
    public var quota: Int { quotaBytes.load(ordering: .relaxed) }

    /// The stream's eviction priority: higher is kept longer.
    public var priority: Int { priorityValue.load(ordering: .relaxed) }

    /// Changes the quota and priority (on reload). A lower quota takes effect at the stream's
    /// next insert, which evicts inside the stream down to it.
    /// - Parameter settings: The new settings.
    public func update(_ settings: StreamMemorySettings) {
        quotaBytes.store(settings.quota, ordering: .relaxed)
        priorityValue.store(settings.priority, ordering: .relaxed)
    }

    /// The bytes in one component.
    /// - Parameter component: Which.
    public func bytes(_ component: MemoryComponent) -> Int {
        switch component {
        case .frames: frameBytes.load(ordering: .relaxed)
        case .index: indexBytes.load(ordering: .relaxed)
        case .demux: demuxBytes.load(ordering: .relaxed)
        case .srtReceiveBuffer: srtBytes.load(ordering: .relaxed)
        case .readers: readerBytes.load(ordering: .relaxed)
        }
    }

    /// Bytes of frames ever admitted into the stream's buffer.
    public var admittedBytes: Int { admitted.load(ordering: .relaxed) }

    /// The bytes in every component, keyed by the component's name (`frames`, `index`, ...).
    public var bytesByComponent: [String: Int] {
        Dictionary(uniqueKeysWithValues: MemoryComponent.allCases.map { ($0.rawValue, bytes($0)) })
    }

    /// All bytes accounted to the stream.
    public var total: Int { MemoryComponent.allCases.reduce(0) { $0 + bytes($1) } }

    /// The bytes the stream's fixed components take: what its buffer's frames cannot use.
    public var fixedBytes: Int { bytes(.demux) + bytes(.srtReceiveBuffer) }

    /// Sets a fixed-size component (demux buffers, the SRT receive buffer).
    /// - Parameters:
    ///   - component: `.demux` or `.srtReceiveBuffer`.
    ///   - bytes: Its size.
    public func setFixed(_ component: MemoryComponent, bytes: Int) {
        precondition(component == .demux || component == .srtReceiveBuffer, "frames move with the data")
        let old =
            component == .demux
            ? demuxBytes.exchange(bytes, ordering: .relaxed) : srtBytes.exchange(bytes, ordering: .relaxed)
        ledger?.add(bytes - old)
    }

    /// Accounts output bytes held for the stream's readers (positive) or released (negative),
    /// in the step that keeps or drops them: the shared output, and what a full reader
    /// connection holds unsent.
    /// - Parameter bytes: The change.
    public func addReaderBytes(_ bytes: Int) {
        readerBytes.add(bytes, ordering: .relaxed)
        ledger?.add(bytes)
    }

    /// Accounts frame bytes the stream now holds (positive) or has released (negative). The
    /// stream's ``GOPBuffer`` calls this in the same locked step as it stores or releases a frame;
    /// anything else that holds frames on the stream's behalf accounts through it too.
    /// - Parameters:
    ///   - payload: Payload bytes.
    ///   - records: Index bytes (frame records).
    public func addFrames(payload: Int, records: Int) {
        frameBytes.add(payload, ordering: .relaxed)
        indexBytes.add(records, ordering: .relaxed)
        ledger?.add(payload + records)
        if payload > 0 { admitted.add(payload + records, ordering: .relaxed) }
    }
}

/// A stream's share of the memory budget, from `memory.per_stream_limit` and the `streams`
/// rules.
public struct StreamMemorySettings: Sendable, Equatable {
    /// The most bytes the stream may hold, all components together.
    public var quota: Int
    /// Higher priority streams lose data later.
    public var priority: Int

    /// Creates settings.
    /// - Parameters:
    ///   - quota: The stream's byte quota.
    ///   - priority: Its eviction priority (higher is kept longer).
    public init(quota: Int, priority: Int = 0) {
        self.quota = quota
        self.priority = priority
    }
}
