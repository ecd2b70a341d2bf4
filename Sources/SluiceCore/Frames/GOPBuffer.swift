import Synchronization

/// The limits one stream's buffer works within.
public struct BufferLimits: Sendable, Equatable {
    /// The span of media, in microseconds, the buffer keeps: older whole GOPs are dropped.
    public var maxDuration: Int64
    /// The most bytes the buffer may hold, whatever its duration.
    public var maxBytes: Int

    /// Creates limits.
    /// - Parameters:
    ///   - maxDuration: The span of media to keep, in microseconds.
    ///   - maxBytes: The hard byte cap.
    public init(maxDuration: Int64, maxBytes: Int) {
        self.maxDuration = maxDuration
        self.maxBytes = maxBytes
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
/// One writer (the stream's ingest thread) inserts; readers take snapshots. Every change
/// happens under the buffer's own lock, so the held byte count always equals the sum of the
/// frames actually held, and dropping a GOP releases its payloads.
///
/// Two limits apply on every insert:
/// - **Duration**: the oldest whole GOP is dropped as soon as the buffer would span more than
///   ``BufferLimits/maxDuration`` of media, as long as a newer GOP remains.
/// - **Bytes**: a frame that would take the buffer over ``BufferLimits/maxBytes`` first pushes
///   out older whole GOPs; if the GOP being written alone would exceed the cap, the frame is
///   dropped and so is everything after it until the next keyframe, so what stays buffered is
///   always decodable and the stream restarts cleanly at a GOP boundary.
public final class GOPBuffer: Sendable {
    private struct State: Sendable {
        var limits: BufferLimits
        var gops: [GOP] = []
        var heldBytes = 0
        var clock = BufferClock()
        var awaitingKeyframe = true
        var hasSeenKeyframe = false
        var counters = StreamCounters()
    }

    private let state: Mutex<State>

    /// Creates an empty buffer.
    /// - Parameter limits: The duration and byte limits.
    public init(limits: BufferLimits) {
        state = Mutex(State(limits: limits))
    }

    /// The limits in force.
    public var limits: BufferLimits {
        get { state.withLock { $0.limits } }
    }

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
        state.withLock { state in
            state.counters.recordReceived(frame)
            let time = state.clock.time(of: frame.timestamp)
            let outcome = Self.insert(frame, at: time, into: &state)
            if case .dropped(let reason) = outcome { state.counters.recordDropped(reason) }
            return outcome
        }
    }

    private static func insert(_ frame: Frame, at time: Int64, into state: inout State)
        -> InsertOutcome
    {
        let size = frame.heldSize
        if frame.opensGOP {
            state.hasSeenKeyframe = true
            // Every older GOP may go to make room for a new one.
            while !state.gops.isEmpty && state.heldBytes + size > state.limits.maxBytes {
                dropOldestGOP(&state)
                state.counters.gopsDroppedForCap += 1
            }
            guard size <= state.limits.maxBytes else {
                state.awaitingKeyframe = true
                return .dropped(.overByteCap)
            }
            state.awaitingKeyframe = false
            state.gops.append(GOP(keyframe: frame, time: time))
            state.heldBytes += size
        } else {
            if state.awaitingKeyframe {
                return .dropped(state.hasSeenKeyframe ? .awaitingKeyframe : .beforeKeyframe)
            }
            // Older GOPs may go; the open one keeps its prefix.
            while state.gops.count > 1 && state.heldBytes + size > state.limits.maxBytes {
                dropOldestGOP(&state)
                state.counters.gopsDroppedForCap += 1
            }
            guard state.heldBytes + size <= state.limits.maxBytes else {
                state.awaitingKeyframe = true
                return .dropped(.overByteCap)
            }
            state.gops[state.gops.count - 1].append(frame, time: time)
            state.heldBytes += size
        }
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

    private static func expireByDuration(_ state: inout State) {
        guard let newest = state.clock.latest else { return }
        while state.gops.count > 1 && newest - state.gops[0].startTime > state.limits.maxDuration {
            dropOldestGOP(&state)
            state.counters.gopsExpired += 1
        }
    }

    private static func dropOldestGOP(_ state: inout State) {
        let gop = state.gops.removeFirst()
        state.heldBytes -= gop.heldBytes
    }

    /// Drops every buffered frame and releases its bytes. The next frame kept will be a
    /// keyframe.
    /// - Returns: The bytes released.
    @discardableResult
    public func removeAll() -> Int {
        state.withLock { state in
            let released = state.heldBytes
            state.gops.removeAll()
            state.heldBytes = 0
            state.awaitingKeyframe = true
            return released
        }
    }

    /// The bytes the buffer holds now.
    public var heldBytes: Int { state.withLock { $0.heldBytes } }

    /// The running totals since the buffer was created.
    public var counters: StreamCounters { state.withLock { $0.counters } }

    /// A consistent copy of the buffered GOPs. Frames share their payloads with the buffer:
    /// taking a snapshot copies no media bytes.
    public func snapshot() -> BufferSnapshot {
        state.withLock { state in
            BufferSnapshot(gops: state.gops, heldBytes: state.heldBytes, counters: state.counters)
        }
    }
}

/// A consistent view of a ``GOPBuffer`` at one moment.
public struct BufferSnapshot: Sendable {
    /// The buffered GOPs, oldest first.
    public var gops: [GOP]
    /// The bytes held.
    public var heldBytes: Int
    /// The running totals.
    public var counters: StreamCounters

    /// The span of media the buffer covers, in microseconds.
    public var duration: Int64 {
        guard let first = gops.first, let last = gops.last else { return 0 }
        return last.endTime - first.startTime
    }

    /// Buffered frames, by kind.
    public var frameCounts: [MediaKind: Int] {
        var counts: [MediaKind: Int] = [:]
        for gop in gops { for frame in gop.frames { counts[frame.kind, default: 0] += 1 } }
        return counts
    }

    /// Buffered video frames, by picture type.
    public var pictureCounts: [PictureType: Int] {
        var counts: [PictureType: Int] = [:]
        for gop in gops {
            for frame in gop.frames where frame.kind == .video {
                counts[frame.pictureType ?? .other, default: 0] += 1
            }
        }
        return counts
    }
}
