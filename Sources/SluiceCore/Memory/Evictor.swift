import Synchronization

/// Takes data from streams when the whole process must give memory back, in the order of
/// `memory.eviction_policy`, one pass at a time.
public final class Evictor: Sendable {
    let books: MemoryBooks
    // First in the lock order (see ``MemoryController``): held across a whole pass, so two
    // passes never both free what one would have; streams' buffer locks are taken under it.
    private let evicting = Mutex<Void>(())
    // A leaf in the lock order.
    private let totals = Mutex<Totals>(Totals())

    /// What eviction has freed since start.
    struct Totals: Sendable {
        /// Passes that freed something, by the level that called for them.
        var passes: [PressureLevel: Int] = [:]
        var bytes = 0
        var frames = 0
    }

    init(books: MemoryBooks) { self.books = books }

    /// What eviction has freed since start.
    var freed: Totals { totals.withLock { $0 } }

    /// Frees at least `needed` bytes across streams where it can, in the policy's order:
    /// tier by tier, and inside a tier stage by stage, so that every stream of a tier gives up
    /// its cheapest data before any gives up dearer data. Only at critical do the newest GOPs
    /// lose frames, and then their keyframes.
    /// - Parameters:
    ///   - needed: Bytes to free.
    ///   - level: The level that calls for it (counted in the statistics).
    /// - Returns: What was freed.
    @discardableResult
    public func relieve(freeing needed: Int, level: PressureLevel) -> EvictionResult {
        evicting.withLock { _ in take(needed, level: level) }
    }

    /// Evicts until pressure is under `level`'s threshold less the hysteresis (for an operator's
    /// request), or as far as the ordinary stages go.
    /// - Parameter level: `.soft` to get under soft, and so on; `.none` frees every stream down
    ///   to its newest GOP.
    /// - Returns: What was freed.
    @discardableResult
    public func evict(below level: PressureLevel) -> EvictionResult {
        evicting.withLock { _ in
            guard level != .none else { return take(Int.max, level: .none) }
            let settings = books.current
            let thresholds = settings.config.thresholds
            let target = Int(
                (thresholds.threshold(level) - thresholds.hysteresis) * Double(settings.budget.bytes))
            return take(books.usage - target, level: .none)
        }
    }

    /// Evicts until usage is `target` bytes, measured once the pass has the lock (another pass
    /// may have freed memory meanwhile).
    func relieve(downTo target: Int, level: PressureLevel) -> EvictionResult {
        evicting.withLock { _ in take(books.usage - target, level: level) }
    }

    /// Makes room on the data path for an insert of `size` bytes that would take usage past
    /// soft: frees down to just under soft, so that the next inserts do not each evict again.
    func makeRoom(for size: Int, level: PressureLevel) {
        evicting.withLock { _ in
            // Another thread may have made room while this one waited.
            let soft = books.soft
            guard books.usage + size > soft else { return }
            take(books.usage + size - (soft - books.hysteresis), level: level)
        }
    }

    /// The emergency at critical: every stream back to its newest GOP at once, then the newest
    /// GOPs too until usage is `target` bytes.
    func cutToNewestGOPs(thenDownTo target: Int) -> EvictionResult {
        evicting.withLock { _ in
            var freed = EvictionResult()
            for stream in books.streams { freed += stream.buffer.evict(.gop, bytes: Int.max) }
            record(freed, level: .critical)
            freed += take(books.usage - target, level: .critical)
            return freed
        }
    }

    /// One pass; the caller holds `evicting`.
    @discardableResult
    private func take(_ needed: Int, level: PressureLevel) -> EvictionResult {
        guard needed > 0 else { return EvictionResult() }
        let candidates = books.streams.map { EvictionPolicy.Candidate($0) }
        let tiers = EvictionPolicy(kind: books.current.config.evictionPolicy).tiers(candidates)
        var freed = EvictionResult()
        var phases = [EvictionStage.ordinary]
        if level == .critical { phases.append([.newestTail, .newestKeyframe]) }
        phases: for stages in phases {
            for tier in tiers {
                for stage in stages {
                    for candidate in tier {
                        if freed.bytes >= needed { break phases }
                        freed += candidate.stream.buffer.evict(stage, bytes: needed - freed.bytes)
                    }
                }
            }
        }
        record(freed, level: level)
        return freed
    }

    private func record(_ freed: EvictionResult, level: PressureLevel) {
        guard freed.frames > 0 else { return }
        totals.withLock {
            $0.passes[level, default: 0] += 1
            $0.bytes += freed.bytes
            $0.frames += freed.frames
        }
    }
}
