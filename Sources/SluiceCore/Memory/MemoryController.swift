/// Keeps the process inside its memory budget. It owns the four parts that do the work, each
/// with one job, and what they share:
///
/// - ``gate``: the data path; every frame passes it on its way into a buffer.
/// - ``monitor``: the tick every `memory.monitor_interval_ms` that measures the process and acts
///   on the pressure level; it alone sets and clears the refusal latch.
/// - ``evictor``: takes data from streams in the policy's order.
/// - ``admission``: whether a new stream may come in; it only reads.
///
/// Pressure is the larger of the bytes accounted to streams plus a fixed base, and the measured
/// resident size (between measurements: the last one moved by what accounting changed since),
/// over the global limit. Memory that escapes accounting still counts.
///
/// ## Lock order
/// A thread holding a lock takes only locks later in this list:
/// 1. `Evictor.evicting`, held across a whole eviction pass;
/// 2. a stream's ``GOPBuffer`` lock, which eviction takes stream by stream;
/// 3. leaves, under which no lock is taken: `MemoryBooks.settings` and `.registered`,
///    `PressureMonitor.state`, `Evictor.totals`, `ReasonCounter.counts`. (The allocation-rate
///    buckets take no lock: see ``TokenBucket``.)
public final class MemoryController: Sendable {
    /// The data path: rate limits and eviction before an insert crosses soft.
    public let gate: AllocationGate
    /// The periodic measurement and what it acts on.
    public let monitor: PressureMonitor
    /// Eviction across streams.
    public let evictor: Evictor
    /// The decision on new streams.
    public let admission: StreamAdmission
    let books: MemoryBooks

    /// Creates a controller. What the probe measures now is the fixed base counted beside the
    /// streams.
    /// - Parameters:
    ///   - config: The `memory` settings.
    ///   - budget: The global limit.
    ///   - probe: Measures the process.
    ///   - now: The current time.
    public init(
        config: MemoryConfig, budget: MemoryBudget, probe: any MemoryProbe, now: ContinuousClock.Instant
    ) {
        let sample = probe.sample()
        books = MemoryBooks(config: config, budget: budget, resident: sample.residentBytes)
        evictor = Evictor(books: books)
        monitor = PressureMonitor(books: books, evictor: evictor, probe: probe, sample: sample)
        gate = AllocationGate(books: books, evictor: evictor, monitor: monitor, now: now)
        admission = StreamAdmission(books: books, monitor: monitor)
    }

    /// Applies new settings (on reload): thresholds, policy, rates and the limit. Streams'
    /// own buckets follow through ``AllocationGate/reconfigureBucket(of:)``.
    /// - Parameters:
    ///   - config: The new `memory` settings.
    ///   - budget: The new limit.
    public func reconfigure(_ config: MemoryConfig, budget: MemoryBudget) {
        books.reconfigure(config, budget: budget)
        gate.reconfigure()
    }

    /// The process-wide tally every stream reports to.
    public var ledger: MemoryLedger { books.ledger }

    /// The fixed base counted beside the streams: the resident size at start-up.
    public var base: Int { books.base }

    /// The global limit.
    public var budget: MemoryBudget { books.current.budget }

    /// Makes a stream's memory known, so that it can be evicted from and measured.
    /// - Parameter stream: The stream.
    public func register(_ stream: StreamMemory) { books.register(stream) }

    /// Forgets a stream (its buffer is being freed); its admitted bytes stay in the total.
    /// - Parameter stream: The stream.
    public func unregister(_ stream: StreamMemory) { books.unregister(stream) }

    /// The controller's state now. Reading it changes nothing.
    public var status: MemoryStatus {
        let usage = books.usage
        let admitted = books.admittedBytes
        let settings = books.current
        let budget = settings.budget
        let found = monitor.current
        let freed = evictor.freed
        var statistics = MemoryStatistics()
        statistics.evictionPasses = freed.passes
        statistics.evictedBytes = freed.bytes
        statistics.evictedFrames = freed.frames
        statistics.shedStreams = found.shedStreams
        statistics.levelEntries = found.levelEntries
        return MemoryStatus(
            budget: budget, level: found.level, pressure: Double(usage) / Double(budget.bytes),
            accountedBytes: books.ledger.accounted, baseBytes: books.base, sample: found.lastSample,
            peakBytes: max(found.peak, usage),
            refusingNewStreams: found.refusesNewStreams(from: settings.config.refuseNewStreamsAt),
            admittedBytes: admitted, admittedBytesPerSecond: found.admittedPerSecond, statistics: statistics)
    }
}
