extension MemoryController {
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
        guard needed > 0 else { return EvictionResult() }
        let (kind, candidates) = state.withLock { state in
            (state.config.evictionPolicy, state.streams.values.map { EvictionPolicy.Candidate($0) })
        }
        let tiers = EvictionPolicy(kind: kind).tiers(candidates)
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

    func record(_ freed: EvictionResult, level: PressureLevel) {
        guard freed.frames > 0 else { return }
        state.withLock {
            $0.stats.evictionPasses[level, default: 0] += 1
            $0.stats.evictedBytes += freed.bytes
            $0.stats.evictedFrames += freed.frames
        }
    }

    /// Evicts until pressure is under `level`'s threshold less the hysteresis (for an operator's
    /// request), or as far as the ordinary stages go.
    /// - Parameter level: `.soft` to get under soft, and so on; `.none` frees every stream down
    ///   to its newest GOP.
    /// - Returns: What was freed.
    @discardableResult
    public func evict(below level: PressureLevel) -> EvictionResult {
        evicting.withLock { _ in
            let (thresholds, limit) = state.withLock { ($0.config.thresholds, $0.budget.bytes) }
            let target =
                level == .none
                ? 0 : Int((thresholds.threshold(level) - thresholds.hysteresis) * Double(limit))
            return relieve(freeing: level == .none ? Int.max : usage - target, level: .none)
        }
    }
}
