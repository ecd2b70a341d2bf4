import Synchronization

/// Keeps the process inside its memory budget.
///
/// - On the data path, ``admit(_:to:now:)`` applies the allocation-rate buckets, and when an
///   insert would take the estimated pressure past soft, evicts across streams right there,
///   before the frame goes in, so the bound holds between monitor ticks. The stream's own
///   quota is enforced by its buffer, inside the stream, first.
/// - On each monitor tick, ``tick(now:)`` measures the process, moves the pressure level (with
///   hysteresis) and acts on it: evict at soft, evict deeper and return free heap at hard, cut
///   every stream to its newest GOP at critical and, if critical lasts, name a stream to shed.
/// - In the handshake, ``admissionRefusal(liveStreams:maxStreams:now:)`` says whether a new
///   stream may come in.
///
/// Pressure is the larger of the bytes accounted to streams plus a fixed base, and the measured
/// resident size (between measurements: the last one moved by what accounting changed since),
/// over the global limit. Memory that escapes accounting still counts.
public final class MemoryController: Sendable {
    /// The process-wide tally every stream reports to.
    public let ledger: MemoryLedger
    let probe: any MemoryProbe
    let state: Mutex<State>
    let evicting = Mutex<Void>(())
    let globalBucket: Mutex<TokenBucket>
    // Read on every insert without taking the state lock.
    let limits: Atomic<Int>
    let softBytes = Atomic<Int>(0)
    let hysteresisBytes = Atomic<Int>(0)
    let criticalBytes = Atomic<Int>(0)
    let baseBytes: Atomic<Int>
    let residentSample = Atomic<Int>(0)
    let accountedAtSample = Atomic<Int>(0)

    struct State {
        var config: MemoryConfig
        var budget: MemoryBudget
        var level = PressureLevel.none
        var lastSample: ProcessMemorySample
        var peak = 0
        var criticalSince: ContinuousClock.Instant?
        var lastHeapRelease: ContinuousClock.Instant?
        var admittedAt: (bytes: Int, time: ContinuousClock.Instant)?
        var admittedPerSecond = 0.0
        var refusing = false
        var streams: [ObjectIdentifier: StreamMemory] = [:]
        var stats = MemoryStatistics()
    }

    /// Creates a controller.
    /// - Parameters:
    ///   - config: The `memory` settings.
    ///   - budget: The global limit.
    ///   - probe: Measures the process.
    ///   - now: The current time.
    public init(
        config: MemoryConfig, budget: MemoryBudget, probe: any MemoryProbe, now: ContinuousClock.Instant
    ) {
        ledger = MemoryLedger()
        self.probe = probe
        let sample = probe.sample()
        // What the process holds before any stream: the runtime, the libraries, the heap.
        baseBytes = Atomic(sample.residentBytes)
        limits = Atomic(budget.bytes)
        residentSample.store(sample.residentBytes, ordering: .relaxed)
        state = Mutex(State(config: config, budget: budget, lastSample: sample))
        globalBucket = Mutex(
            TokenBucket(
                rate: config.allocationRate.globalBytesPerSecond,
                burst: config.allocationRate.burstBytes.bytes,
                now: now))
        storeThresholds(config, budget: budget)
    }

    private func storeThresholds(_ config: MemoryConfig, budget: MemoryBudget) {
        let limit = Double(budget.bytes)
        limits.store(budget.bytes, ordering: .relaxed)
        softBytes.store(Int(config.soft * limit), ordering: .relaxed)
        hysteresisBytes.store(Int(config.hysteresis * limit), ordering: .relaxed)
        criticalBytes.store(Int(config.critical * limit), ordering: .relaxed)
    }

    /// Applies new settings (on reload): thresholds, policy, rates and the limit.
    /// - Parameters:
    ///   - config: The new `memory` settings.
    ///   - budget: The new limit.
    public func reconfigure(_ config: MemoryConfig, budget: MemoryBudget) {
        state.withLock {
            $0.config = config
            $0.budget = budget
        }
        globalBucket.withLock {
            $0.reconfigure(
                rate: config.allocationRate.globalBytesPerSecond,
                burst: config.allocationRate.burstBytes.bytes)
        }
        storeThresholds(config, budget: budget)
    }

    /// The fixed base counted beside the streams: the resident size at start-up.
    public var base: Int { baseBytes.load(ordering: .relaxed) }

    /// The global limit.
    public var budget: MemoryBudget { state.withLock { $0.budget } }

    /// The memory in use as pressure counts it: the larger of accounted bytes plus base and the
    /// resident size (estimated between measurements).
    public var usage: Int {
        let accounted = ledger.accounted
        let resident =
            residentSample.load(ordering: .relaxed) + accounted - accountedAtSample.load(ordering: .relaxed)
        return max(accounted + base, resident)
    }

    /// ``usage`` over the global limit.
    public var pressure: Double { Double(usage) / Double(max(limits.load(ordering: .relaxed), 1)) }

    // MARK: Streams

    /// Makes a stream's memory known, so the controller can evict from it.
    /// - Parameter stream: The stream.
    public func register(_ stream: StreamMemory) {
        state.withLock { $0.streams[ObjectIdentifier(stream)] = stream }
    }

    /// Forgets a stream (its buffer is being freed).
    /// - Parameter stream: The stream.
    public func unregister(_ stream: StreamMemory) {
        state.withLock { retire(stream, from: &$0) }
    }

    /// Takes a stream off the controller's list, keeping its admitted bytes in the total. Under
    /// the state lock, like ``admittedBytes``, so the total never appears to go down.
    func retire(_ stream: StreamMemory, from state: inout State) {
        guard state.streams.removeValue(forKey: ObjectIdentifier(stream)) != nil else { return }
        ledger.retire(admitted: stream.tracker.admittedBytes)
    }

    /// Bytes of frames ever admitted into buffers: streams that ended plus the live ones.
    public var admittedBytes: Int {
        state.withLock { state in
            ledger.retiredAdmittedBytes + state.streams.values.reduce(0) { $0 + $1.tracker.admittedBytes }
        }
    }

    /// A new stream's rate bucket, full.
    /// - Parameter now: The current time.
    public func makeStreamBucket(now: ContinuousClock.Instant) -> TokenBucket {
        let rate = state.withLock { $0.config.allocationRate }
        return TokenBucket(rate: rate.perStreamBytesPerSecond, burst: rate.burstBytes.bytes, now: now)
    }

    /// Applies the current rate settings to a stream's bucket (on reload).
    /// - Parameter stream: The stream.
    public func reconfigureBucket(of stream: StreamMemory) {
        let rate = state.withLock { $0.config.allocationRate }
        stream.bucket.withLock {
            $0.reconfigure(rate: rate.perStreamBytesPerSecond, burst: rate.burstBytes.bytes)
        }
    }

    var streams: [StreamMemory] { state.withLock { Array($0.streams.values) } }
}

extension MemoryController {
    // MARK: The data path

    /// Admits a frame into a stream's buffer, or refuses it.
    ///
    /// In order: the stream's and the global rate buckets; then, when the insert would take
    /// pressure past soft, eviction across streams on this path; then the buffer, which enforces
    /// the stream's quota inside the stream. A refused reference frame cuts its GOP: nothing more
    /// of the stream is kept until its next keyframe.
    /// - Parameters:
    ///   - frame: The frame.
    ///   - stream: The stream it belongs to.
    ///   - now: The current time.
    /// - Returns: Whether the frame was buffered, or why not.
    @discardableResult
    public func admit(_ frame: Frame, to stream: StreamMemory, now: ContinuousClock.Instant) -> InsertOutcome
    {
        let size = frame.heldSize
        let streamAllowed = stream.bucket.withLock { $0.take(size, now: now) }
        let allowed = streamAllowed && globalBucket.withLock { $0.take(size, now: now) }
        guard allowed else {
            if streamAllowed { stream.bucket.withLock { $0.refund(size) } }
            stream.noteRateLimited(true)
            stream.buffer.discard(frame, reason: .rateLimited)
            return .dropped(.rateLimited)
        }
        stream.noteRateLimited(false)
        if usage + size > softBytes.load(ordering: .relaxed) {
            relieveOnPath(adding: size, now: now)
            if usage + size > criticalBytes.load(ordering: .relaxed) {
                stream.buffer.discard(frame, reason: .memoryCritical)
                return .dropped(.memoryCritical)
            }
        }
        return stream.buffer.insert(frame)
    }

    private func relieveOnPath(adding size: Int, now: ContinuousClock.Instant) {
        evicting.withLock { _ in
            // Another thread may have made room while this one waited.
            let soft = softBytes.load(ordering: .relaxed)
            guard usage + size > soft else { return }
            let level = state.withLock { state -> PressureLevel in
                let reached = state.config.thresholds.level(
                    at: Double(usage + size) / Double(state.budget.bytes))
                state.level = max(state.level, reached)
                return state.level
            }
            // Free down to just under soft, so that the next inserts do not each evict again.
            let target = soft - hysteresisBytes.load(ordering: .relaxed)
            relieve(freeing: usage + size - target, level: level)
        }
    }
}
