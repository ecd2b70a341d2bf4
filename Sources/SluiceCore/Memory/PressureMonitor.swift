import Synchronization

/// Measures the process every `memory.monitor_interval_ms` and acts on what it finds: moves the
/// pressure level (with hysteresis), evicts at soft, evicts deeper and returns free heap at
/// hard, cuts every stream to its newest GOP at critical and, if critical lasts, names a stream
/// to shed.
///
/// It alone sets and clears the refusal latch: new streams are refused from
/// `memory.refuse_new_streams_at` until a tick finds pressure back below soft. Asking whether a
/// stream may come in (``StreamAdmission``) only reads it.
public final class PressureMonitor: Sendable {
    let books: MemoryBooks
    let evictor: Evictor
    let probe: any MemoryProbe
    // A leaf in the lock order (see ``MemoryController``).
    private let state: Mutex<State>

    /// What the monitor has found so far.
    struct State: Sendable {
        var level = PressureLevel.none
        /// The refusal latch.
        var refusing = false
        var lastSample: ProcessMemorySample
        var peak = 0
        var criticalSince: ContinuousClock.Instant?
        var lastHeapRelease: ContinuousClock.Instant?
        var admittedAt: (bytes: Int, time: ContinuousClock.Instant)?
        var admittedPerSecond = 0.0
        var levelEntries: [PressureLevel: Int] = [:]
        var shedStreams = 0

        /// Whether new streams are refused when they are from `threshold` on.
        func refusesNewStreams(from threshold: PressureLevel) -> Bool { refusing || level >= threshold }
    }

    init(books: MemoryBooks, evictor: Evictor, probe: any MemoryProbe, sample: ProcessMemorySample) {
        self.books = books
        self.evictor = evictor
        self.probe = probe
        state = Mutex(State(lastSample: sample))
    }

    /// What the monitor has found so far.
    var current: State { state.withLock { $0 } }

    /// Whether new streams are refused for memory: the latch is set, or the level (which the
    /// data path may have raised since the last tick) is at `memory.refuse_new_streams_at`.
    var refusesNewStreams: Bool {
        let threshold = books.current.config.refuseNewStreamsAt
        return state.withLock { $0.refusesNewStreams(from: threshold) }
    }

    /// Raises the level to at least `reached`, when the data path finds pressure past a
    /// threshold between ticks. Only ticks lower it, with hysteresis.
    func raise(to reached: PressureLevel) -> PressureLevel {
        state.withLock { state in
            state.level = max(state.level, reached)
            return state.level
        }
    }

    /// Measures the process, moves the level, and acts on it.
    /// - Parameter now: The current time.
    /// - Returns: What was found and done; the caller logs level changes and sheds the stream
    ///   named in ``MonitorReport/shed``.
    public func tick(now: ContinuousClock.Instant) -> MonitorReport {
        var sample = measure()
        // Free heap (what eviction already let go, still resident) goes back first when that
        // alone covers what pressure asks for: media stays buffered that eviction would drop.
        if let free = sample.heapFreeBytes, free >= Self.heapReleaseThreshold,
            books.usage > books.soft - books.hysteresis
        {
            probe.releaseFreeHeap()
            state.withLock { $0.lastHeapRelease = now }
            sample = measure()
        }
        let usage = books.usage
        let admitted = books.admittedBytes
        let settings = books.current
        let config = settings.config
        let limit = settings.budget.bytes
        let pressure = Double(usage) / Double(limit)
        let (previous, level) = state.withLock { state in
            if let last = state.admittedAt, now > last.time {
                state.admittedPerSecond = Double(admitted - last.bytes) / (now - last.time).inSeconds
            }
            state.admittedAt = (admitted, now)
            let previous = state.level
            state.level = config.thresholds.next(from: previous, pressure: pressure)
            if state.level > previous { state.levelEntries[state.level, default: 0] += 1 }
            state.peak = max(state.peak, usage)
            state.lastSample = sample
            if state.level >= config.refuseNewStreamsAt { state.refusing = true }
            if pressure < config.soft { state.refusing = false }
            if state.level < .critical { state.criticalSince = nil }
            return (previous, state.level)
        }
        var report = MonitorReport(
            previousLevel: previous, level: level, pressure: pressure, sample: sample,
            freed: EvictionResult(),
            shed: nil)
        let soft = Int(config.soft * Double(limit))
        let margin = Int(config.hysteresis * Double(limit))
        releaseFragmentedHeap(sample, now: now, level: level)
        switch level {
        case .none:
            break
        case .soft:
            report.freed = evictor.relieve(downTo: soft - margin, level: .soft)
        case .hard:
            report.freed = evictor.relieve(downTo: soft - 2 * margin, level: .hard)
            probe.releaseFreeHeap()
        case .critical:
            let critical = Int(config.critical * Double(limit))
            report.freed = evictor.cutToNewestGOPs(thenDownTo: critical - margin)
            probe.releaseFreeHeap()
            report.shed = sheddingDecision(
                now: now, after: .milliseconds(config.shedAfterMilliseconds), policy: config.evictionPolicy)
        }
        return report
    }

    private func measure() -> ProcessMemorySample {
        let sample = probe.sample()
        books.noteResident(sample.residentBytes)
        return sample
    }

    /// Free heap that glibc keeps in its arenas after streams come and go (publisher churn)
    /// counts as resident memory. Below hard it is given back when it is at least
    /// ``heapReleaseThreshold`` and more than the heap in use, at most every
    /// ``heapReleaseInterval``; at hard and above every tick gives it back.
    private func releaseFragmentedHeap(
        _ sample: ProcessMemorySample, now: ContinuousClock.Instant, level: PressureLevel
    ) {
        guard level < .hard, let free = sample.heapFreeBytes, let used = sample.heapInUseBytes,
            free >= Self.heapReleaseThreshold, free > used
        else { return }
        let due = state.withLock { state -> Bool in
            if let last = state.lastHeapRelease, now - last < Self.heapReleaseInterval { return false }
            state.lastHeapRelease = now
            return true
        }
        if due { probe.releaseFreeHeap() }
    }

    /// Free heap worth giving back below hard pressure.
    static let heapReleaseThreshold = 8 << 20
    /// The least time between two such releases.
    static let heapReleaseInterval = Duration.seconds(5)

    private func sheddingDecision(
        now: ContinuousClock.Instant, after wait: Duration, policy: EvictionPolicyKind
    ) -> StreamMemory? {
        let since = state.withLock { state in
            if state.criticalSince == nil { state.criticalSince = now }
            return state.criticalSince!
        }
        guard now - since >= wait,
            let victim = EvictionPolicy(kind: policy).sheddingVictim(
                books.streams.map { EvictionPolicy.Candidate($0, now: now) })
        else { return nil }
        state.withLock {
            // One at a time: the next shed waits a full interval again.
            $0.criticalSince = now
            $0.shedStreams += 1
        }
        books.unregister(victim.stream)
        return victim.stream
    }

    /// Resets the peak and the level-entry counts (the monotonic counters stay).
    public func resetPeak() {
        state.withLock {
            $0.peak = 0
            $0.levelEntries = [:]
        }
    }
}
