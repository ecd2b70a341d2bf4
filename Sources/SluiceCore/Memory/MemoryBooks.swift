import Synchronization

/// What the parts of the memory controller share: the settings, the streams, and the usage that
/// pressure is computed from.
///
/// Usage is the larger of the bytes accounted to streams plus a fixed base, and the measured
/// resident size (between measurements: the last one moved by what accounting changed since).
/// Memory that escapes accounting still counts.
final class MemoryBooks: Sendable {
    /// The process-wide tally every stream reports to.
    let ledger = MemoryLedger()
    /// The fixed base counted beside the streams: the resident size at start-up (the runtime,
    /// the libraries, the heap).
    let base: Int
    // Both are leaves in the lock order (see ``MemoryController``): nothing is taken under them.
    private let settings: Mutex<Settings>
    private let registered = Mutex<[ObjectIdentifier: StreamMemory]>([:])
    // The thresholds in bytes, read on every insert without taking a lock.
    private let limitBytes = Atomic<Int>(0)
    private let softBytes = Atomic<Int>(0)
    private let hysteresisBytes = Atomic<Int>(0)
    private let criticalBytes = Atomic<Int>(0)
    private let residentSample: Atomic<Int>
    private let accountedAtSample = Atomic<Int>(0)

    /// The `memory` settings and the limit they resolved to, changed together on reload.
    struct Settings: Sendable {
        var config: MemoryConfig
        var budget: MemoryBudget
    }

    init(config: MemoryConfig, budget: MemoryBudget, resident: Int) {
        base = resident
        residentSample = Atomic(resident)
        settings = Mutex(Settings(config: config, budget: budget))
        storeThresholds(config, budget: budget)
    }

    /// Applies new settings (on reload).
    func reconfigure(_ config: MemoryConfig, budget: MemoryBudget) {
        settings.withLock { $0 = Settings(config: config, budget: budget) }
        storeThresholds(config, budget: budget)
    }

    private func storeThresholds(_ config: MemoryConfig, budget: MemoryBudget) {
        let limit = Double(budget.bytes)
        limitBytes.store(budget.bytes, ordering: .relaxed)
        softBytes.store(Int(config.soft * limit), ordering: .relaxed)
        hysteresisBytes.store(Int(config.hysteresis * limit), ordering: .relaxed)
        criticalBytes.store(Int(config.critical * limit), ordering: .relaxed)
    }

    /// The settings in force.
    var current: Settings { settings.withLock { $0 } }

    /// The global limit in bytes.
    var limit: Int { limitBytes.load(ordering: .relaxed) }
    /// Where soft pressure starts, in bytes.
    var soft: Int { softBytes.load(ordering: .relaxed) }
    /// The margin below a threshold that leaves its level, in bytes.
    var hysteresis: Int { hysteresisBytes.load(ordering: .relaxed) }
    /// Where critical pressure starts, in bytes.
    var critical: Int { criticalBytes.load(ordering: .relaxed) }

    /// The memory in use as pressure counts it.
    var usage: Int {
        let accounted = ledger.accounted
        let resident =
            residentSample.load(ordering: .relaxed) + accounted - accountedAtSample.load(ordering: .relaxed)
        return max(accounted + base, resident)
    }

    /// ``usage`` over the global limit.
    var pressure: Double { Double(usage) / Double(max(limit, 1)) }

    /// Takes a new measurement of the resident size as the point ``usage`` moves from.
    func noteResident(_ bytes: Int) {
        accountedAtSample.store(ledger.accounted, ordering: .relaxed)
        residentSample.store(bytes, ordering: .relaxed)
    }

    // MARK: Streams

    /// The live streams.
    var streams: [StreamMemory] { registered.withLock { Array($0.values) } }

    func register(_ stream: StreamMemory) {
        registered.withLock { $0[ObjectIdentifier(stream)] = stream }
    }

    /// Takes a stream off the list, keeping its admitted bytes in the total. Under the same lock
    /// as ``admittedBytes`` reads, so the total never appears to go down.
    func unregister(_ stream: StreamMemory) {
        registered.withLock {
            guard $0.removeValue(forKey: ObjectIdentifier(stream)) != nil else { return }
            ledger.retire(admitted: stream.tracker.admittedBytes)
        }
    }

    /// Bytes of frames ever admitted into buffers: streams that ended plus the live ones.
    var admittedBytes: Int {
        registered.withLock { streams in
            ledger.retiredAdmittedBytes + streams.values.reduce(0) { $0 + $1.tracker.admittedBytes }
        }
    }
}
