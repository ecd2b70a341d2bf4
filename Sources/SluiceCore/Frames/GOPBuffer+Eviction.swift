extension GOPBuffer {
    /// The controller's one door into a stream's buffer: frees up to `bytes` (at least that
    /// much where the stage can) at one ``EvictionStage``, under the buffer's lock, and reports
    /// what it freed. The ordinary stages leave the newest GOP whole; the two newest-GOP stages
    /// then leave the stream waiting for its next keyframe.
    /// - Parameters:
    ///   - stage: What may be taken.
    ///   - bytes: How much to free; `Int.max` takes all the stage can.
    /// - Returns: The bytes and frames freed.
    @discardableResult
    public func evict(_ stage: EvictionStage, bytes: Int) -> EvictionResult {
        state.withLock { evict(stage, bytes: bytes, keepNewest: true, in: &$0) }
    }

    /// Evicts inside the stream, stage by stage, until it is within its quota again (after the
    /// quota was lowered); the newest GOP stays whole.
    /// - Returns: What was freed.
    @discardableResult
    public func trimToQuota() -> EvictionResult {
        state.withLock { state in
            var freed = EvictionResult()
            for stage in EvictionStage.ordinary {
                let excess = tracker.total - tracker.quota
                guard excess > 0 else { break }
                freed += evict(stage, bytes: excess, keepNewest: true, in: &state)
            }
            return freed
        }
    }

    func evict(_ stage: EvictionStage, bytes target: Int, keepNewest: Bool, in state: inout State)
        -> EvictionResult
    {
        guard target > 0, !state.gops.isEmpty else { return EvictionResult() }
        var removed = RemovedFrames()
        let older = keepNewest ? state.gops.count - 1 : state.gops.count
        switch stage {
        case .metadata:
            // Nothing references these frames, so the newest GOP may lose them too.
            for index in state.gops.indices where removed.heldBytes < target {
                removed += state.gops[index].removeMetadata()
            }
        case .disposable:
            for index in state.gops.indices where removed.heldBytes < target {
                removed += state.gops[index].removeDisposable()
            }
        case .tail:
            for index in 0..<older where removed.heldBytes < target {
                removed += state.gops[index].removeTail(freeing: target - removed.heldBytes)
            }
        case .gop:
            var count = 0
            while count < older && removed.heldBytes < target {
                removed += state.gops[count].all
                count += 1
            }
            state.removeOldest(count)
        case .newestTail:
            removed = state.gops[state.gops.count - 1].removeTail(freeing: Int.max)
            if removed.count > 0 { state.awaitingKeyframe = true }
        case .newestKeyframe:
            // A reader inside this GOP has not fallen behind: nothing follows until the next
            // keyframe, where it carries on.
            removed = state.gops.removeLast().all
            state.awaitingKeyframe = true
        }
        release(removed, from: &state)
        state.counters.recordDropped(stage.dropReason, count: removed.count)
        state.counters.evictedBytes += removed.heldBytes
        var result = EvictionResult()
        result.frames = removed.count
        result.bytes = removed.heldBytes
        return result
    }
}
