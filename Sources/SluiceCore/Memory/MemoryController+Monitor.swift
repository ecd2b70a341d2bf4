/// What one monitor tick found and did.
public struct MonitorReport: Sendable {
    /// The level before the tick.
    public var previousLevel: PressureLevel
    /// The level after it.
    public var level: PressureLevel
    /// The pressure measured.
    public var pressure: Double
    /// The measurement.
    public var sample: ProcessMemorySample
    /// What eviction freed.
    public var freed: EvictionResult
    /// A stream to disconnect because critical pressure has lasted `memory.shed_after_ms`.
    public var shed: StreamMemory?
}

extension MemoryController {
    /// Measures the process, moves the level, and acts on it. Called every
    /// `memory.monitor_interval_ms` by the server's monitor thread.
    /// - Parameter now: The current time.
    /// - Returns: What was found and done; the caller logs level changes and sheds the stream
    ///   named in ``MonitorReport/shed``.
    public func tick(now: ContinuousClock.Instant) -> MonitorReport {
        var sample = measure()
        // Free heap (what eviction already let go, still resident) goes back first when that
        // alone covers what pressure asks for: media stays buffered that eviction would drop.
        if let free = sample.heapFreeBytes, free >= Self.heapReleaseThreshold, needsRelief(usage) {
            probe.releaseFreeHeap()
            state.withLock { $0.lastHeapRelease = now }
            sample = measure()
        }
        let usage = self.usage
        let admitted = admittedBytes
        let (previous, level, config, limit) = state.withLock { state in
            if let last = state.admittedAt, now > last.time {
                state.admittedPerSecond = Double(admitted - last.bytes) / (now - last.time).inSeconds
            }
            state.admittedAt = (admitted, now)
            let pressure = Double(usage) / Double(state.budget.bytes)
            let previous = state.level
            state.level = state.config.thresholds.next(from: previous, pressure: pressure)
            if state.level > previous { state.stats.levelEntries[state.level, default: 0] += 1 }
            state.peak = max(state.peak, usage)
            state.lastSample = sample
            if state.level >= state.config.refuseNewStreamsAt { state.refusing = true }
            if pressure < state.config.soft { state.refusing = false }
            if state.level < .critical { state.criticalSince = nil }
            return (previous, state.level, state.config, state.budget.bytes)
        }
        var report = MonitorReport(
            previousLevel: previous, level: level, pressure: Double(usage) / Double(limit), sample: sample,
            freed: EvictionResult(), shed: nil)
        let soft = Int(config.soft * Double(limit))
        let margin = Int(config.hysteresis * Double(limit))
        releaseFragmentedHeap(sample, now: now, level: level)
        switch level {
        case .none:
            break
        case .soft:
            report.freed = evicting.withLock { _ in
                relieve(freeing: self.usage - (soft - margin), level: .soft)
            }
        case .hard:
            report.freed = evicting.withLock { _ in
                relieve(freeing: self.usage - (soft - 2 * margin), level: .hard)
            }
            probe.releaseFreeHeap()
        case .critical:
            report.freed = evicting.withLock { _ in
                // Emergency: every stream back to its newest GOP, then newest GOPs if need be.
                var freed = EvictionResult()
                for stream in streams { freed += stream.buffer.evict(.gop, bytes: Int.max) }
                record(freed, level: .critical)
                let critical = Int(config.critical * Double(limit))
                freed += relieve(freeing: self.usage - (critical - margin), level: .critical)
                return freed
            }
            probe.releaseFreeHeap()
            report.shed = sheddingDecision(now: now, after: .milliseconds(config.shedAfterMilliseconds))
        }
        return report
    }

    private func measure() -> ProcessMemorySample {
        let sample = probe.sample()
        accountedAtSample.store(ledger.accounted, ordering: .relaxed)
        residentSample.store(sample.residentBytes, ordering: .relaxed)
        return sample
    }

    private func needsRelief(_ usage: Int) -> Bool {
        usage > softBytes.load(ordering: .relaxed) - hysteresisBytes.load(ordering: .relaxed)
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

    private func sheddingDecision(now: ContinuousClock.Instant, after wait: Duration) -> StreamMemory? {
        let (since, kind, candidates) = state.withLock { state in
            if state.criticalSince == nil { state.criticalSince = now }
            return (
                state.criticalSince!, state.config.evictionPolicy,
                state.streams.values.map { EvictionPolicy.Candidate($0, now: now) }
            )
        }
        guard now - since >= wait, let victim = EvictionPolicy(kind: kind).sheddingVictim(candidates) else {
            return nil
        }
        state.withLock {
            // One at a time: the next shed waits a full interval again.
            $0.criticalSince = now
            $0.stats.shedStreams += 1
            retire(victim.stream, from: &$0)
        }
        return victim.stream
    }

    /// The controller's state now.
    public var status: MemoryStatus {
        let usage = self.usage
        let admitted = admittedBytes
        return state.withLock { state in
            MemoryStatus(
                budget: state.budget, level: state.level,
                pressure: Double(usage) / Double(state.budget.bytes),
                accountedBytes: ledger.accounted, baseBytes: base, sample: state.lastSample,
                peakBytes: max(state.peak, usage), refusingNewStreams: state.refusing,
                admittedBytes: admitted, admittedBytesPerSecond: state.admittedPerSecond,
                statistics: state.stats)
        }
    }

    /// Resets the peak and the level-entry counts (the monotonic counters stay).
    public func resetPeak() {
        state.withLock {
            $0.peak = 0
            $0.stats.levelEntries = [:]
        }
    }
}
