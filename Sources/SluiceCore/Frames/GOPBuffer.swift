import Synchronization

/// The duration limit one stream's buffer keeps to.
public struct BufferLimits: Sendable, Equatable {
    /// The span of media, in microseconds, the buffer keeps: older whole GOPs are dropped.
    public var maxDuration: Int64

    /// Creates limits.
    /// - Parameter maxDuration: The span of media to keep, in microseconds.
    public init(maxDuration: Int64) {
        self.maxDuration = maxDuration
    }
}

/// What became of a frame offered to a buffer.
public enum InsertOutcome: Sendable, Equatable {
    /// The frame is buffered.
    case buffered
    /// The frame was not kept.
    case dropped(FrameDropReason)
}

/// One stream's recent frames, grouped into GOPs that each start at a video keyframe.
///
/// One writer (the stream's ingest thread) inserts; the memory controller evicts through one
/// narrow door, ``evict(_:bytes:)``; readers read from a ``BufferCursor`` and never hold
/// anything back. Every change happens under the buffer's own lock and is reported to the
/// stream's ``StreamTracker`` in the same step, so the accounted bytes always equal the bytes
/// of the frames actually held, and a frame that is un-counted is released.
///
/// Every frame kept gets the next sequence number, so frames are ordered across GOPs and a
/// reader's place survives eviction: frames taken out of a GOP leave gaps a reader skips.
///
/// On every insert:
/// - **Duration**: the oldest whole GOP is dropped as soon as the buffer would span more than
///   ``BufferLimits/maxDuration`` of media, as long as a newer GOP remains.
/// - **Quota**: a frame that would take the stream over its quota first evicts inside the
///   stream, stage by stage (``EvictionStage/ordinary``). If that is not enough, the frame is
///   dropped and so is everything after it until the next keyframe, so what stays buffered is
///   always decodable and the stream restarts cleanly at a GOP boundary.
public final class GOPBuffer: Sendable {
    struct State: Sendable {
        var limits: BufferLimits
        var gops: [GOP] = []
        var heldBytes = 0
        var counts = FrameCounts()
        /// Every frame below this sequence number that a whole GOP took with it is gone: a
        /// cursor below it has fallen behind. Frames taken out of a surviving GOP do not
        /// count, since a reader just skips them.
        var droppedBelow: UInt64 = 0
        var clock = BufferClock()
        var awaitingKeyframe = true
        var hasSeenKeyframe = false
        var counters = StreamCounters()

        /// Removes the `count` oldest GOPs whole, leaving behind every reader whose next frame
        /// was in one of them. The caller releases their frames.
        mutating func removeOldest(_ count: Int) {
            guard count > 0 else { return }
            droppedBelow = gops[count - 1].lastSequence + 1
            gops.removeFirst(count)
        }
    }

    let state: Mutex<State>
    /// The sequence number the next frame kept gets. Written under the lock, read without it.
    let sequenceEnd = Atomic<UInt64>(0)
    /// The stream's accounting, told of every byte kept and released.
    public let tracker: StreamTracker
    /// Advanced to ``nextSequence`` after every frame kept, and ended by ``end()``: readers
    /// wait on it for new frames instead of polling.
    public let arrivals = SequenceSignal()

    /// Creates an empty buffer.
    /// - Parameters:
    ///   - limits: The duration limit.
    ///   - tracker: The stream's accounting, which also carries its quota.
    public init(limits: BufferLimits, tracker: StreamTracker) {
        state = Mutex(State(limits: limits))
        self.tracker = tracker
    }

    /// The limits in force: admission projects a stream's footprint over its duration.
    public var limits: BufferLimits { state.withLock { $0.limits } }

    /// Changes the limits; they take effect from the next insert.
    /// - Parameter limits: The new limits.
    public func setLimits(_ limits: BufferLimits) {
        state.withLock { $0.limits = limits }
    }

    /// Offers a frame to the buffer.
    /// - Parameter frame: The frame, in arrival order.
    /// - Returns: Whether the frame was kept, or why not.
    @discardableResult
    public func insert(_ frame: Frame) -> InsertOutcome {
        let outcome = state.withLock { state in
            state.counters.recordReceived(frame)
            let time = state.clock.time(of: frame.timestamp)
            let outcome = insert(frame, at: time, into: &state)
            if case .dropped(let reason) = outcome { state.counters.recordDropped(reason) }
            return outcome
        }
        // Outside the lock: woken readers take it at once to read the frame.
        if outcome == .buffered { arrivals.advance(to: nextSequence) }
        return outcome
    }

    /// Marks the end of the stream: no frame will come, and readers waiting for one stop.
    public func end() { arrivals.end() }

    private func insert(_ frame: Frame, at time: Int64, into state: inout State) -> InsertOutcome {
        if frame.opensGOP {
            state.hasSeenKeyframe = true
            state.awaitingKeyframe = false
        } else if state.awaitingKeyframe {
            return .dropped(state.hasSeenKeyframe ? .awaitingKeyframe : .beforeKeyframe)
        }
        let size = frame.heldSize
        let excess = tracker.total + size - tracker.quota
        if excess > 0 {
            // A new keyframe retires the GOP before it, so everything already held may go.
            var freed = EvictionResult()
            for stage in EvictionStage.ordinary where freed.bytes < excess {
                freed += evict(stage, bytes: excess - freed.bytes, keepNewest: !frame.opensGOP, in: &state)
            }
            guard freed.bytes >= excess else {
                state.awaitingKeyframe = true
                return .dropped(.overQuota)
            }
        }
        let sequence = sequenceEnd.load(ordering: .relaxed)
        if frame.opensGOP {
            state.gops.append(GOP(keyframe: frame, sequence: sequence, time: time))
        } else {
            state.gops[state.gops.count - 1].append(frame, sequence: sequence, time: time)
        }
        sequenceEnd.store(sequence + 1, ordering: .releasing)
        state.heldBytes += size
        state.counts.add(frame)
        tracker.addFrames(payload: frame.payload.count, records: Frame.recordBytes)
        expireByDuration(&state)
        return .buffered
    }

    /// Records a frame that will not be buffered (damaged, or refused upstream). When it is a
    /// video frame that others may reference, the open GOP is cut here: nothing more is kept
    /// until the next keyframe, so no buffered frame depends on a missing one.
    /// - Parameters:
    ///   - frame: The frame that is not kept.
    ///   - reason: Why.
    public func discard(_ frame: Frame, reason: FrameDropReason) {
        state.withLock { state in
            state.counters.recordReceived(frame)
            state.counters.recordDropped(reason)
            if frame.kind == .video && !frame.isDisposable { state.awaitingKeyframe = true }
        }
    }

    private func expireByDuration(_ state: inout State) {
        guard let newest = state.clock.latest else { return }
        var removed = RemovedFrames()
        var expired = 0
        while expired < state.gops.count - 1
            && newest - state.gops[expired].startTime > state.limits.maxDuration
        {
            removed += state.gops[expired].all
            expired += 1
        }
        state.removeOldest(expired)
        release(removed, from: &state)
        state.counters.gopsExpired += expired
    }

    /// Takes released frames off the books, in the locked step that dropped the buffer's
    /// references to them (which frees their payloads).
    func release(_ removed: RemovedFrames, from state: inout State) {
        let records = removed.count * Frame.recordBytes
        state.heldBytes -= removed.heldBytes
        state.counts -= removed.counts
        tracker.addFrames(payload: -removed.payloadBytes, records: -records)
    }

    /// Drops every buffered frame and releases its bytes. The next frame kept will be a
    /// keyframe; every reader with a buffered frame still ahead of it has fallen behind.
    /// - Returns: The bytes released.
    @discardableResult
    public func removeAll() -> Int {
        state.withLock { state in
            var removed = RemovedFrames()
            for gop in state.gops { removed += gop.all }
            state.removeOldest(state.gops.count)
            release(removed, from: &state)
            state.awaitingKeyframe = true
            return removed.heldBytes
        }
    }

    /// The running totals since the buffer was created.
    public var counters: StreamCounters { state.withLock { $0.counters } }

    /// When the oldest buffered frame arrived, if any is buffered.
    public var oldestArrival: ContinuousClock.Instant? {
        state.withLock { $0.gops.first?.keyframe.arrival }
    }

    /// What the buffer holds now, counted as frames came and went: reading it walks nothing.
    public var summary: BufferSummary {
        state.withLock { state in
            var summary = BufferSummary()
            summary.gops = state.gops.count
            if let first = state.gops.first, let last = state.gops.last {
                summary.duration = last.endTime - first.startTime
            }
            summary.heldBytes = state.heldBytes
            summary.frames = state.counts
            return summary
        }
    }

    /// The buffer time, in microseconds, at which each buffered GOP opened, oldest first.
    public var gopStartTimes: [Int64] { state.withLock { $0.gops.map(\.startTime) } }
}
