extension GOPBuffer {
    /// A cursor for a new reader.
    /// - Parameter start: Where the reader starts. With nothing buffered, every start waits
    ///   for the next keyframe.
    public func cursor(at start: BufferCursor.Start) -> BufferCursor {
        state.withLock { state in
            switch start {
            case .oldestKeyframe: oldestKeyframe(in: state)
            case .newestKeyframe:
                state.gops.last.map { BufferCursor(sequence: $0.firstSequence) } ?? nextKeyframe
            case .nextKeyframe: nextKeyframe
            }
        }
    }

    /// Reads the buffered frames at or after `cursor`, in order.
    ///
    /// Finding the cursor's place is a binary search over the GOPs, then within one: it does
    /// not walk the buffer.
    /// - Parameters:
    ///   - cursor: Where the reader is.
    ///   - maxFrames: The most frames to return; at least one.
    /// - Returns: The frames and the cursor after them, or that there is nothing new, or that
    ///   the reader has fallen behind.
    public func read(from cursor: BufferCursor, maxFrames: Int) -> BufferRead {
        precondition(maxFrames > 0, "a read returns at least one frame")
        return state.withLock { state in
            guard cursor.sequence >= state.droppedBelow else {
                return .behind(oldestKeyframe: oldestKeyframe(in: state))
            }
            guard var (gop, index) = position(of: cursor, in: state.gops) else { return .caughtUp }
            var frames: [Frame] = []
            var last = cursor.sequence
            while gop < state.gops.count && frames.count < maxFrames {
                let end = min(state.gops[gop].frames.count, index + maxFrames - frames.count)
                frames += state.gops[gop].frames[index..<end]
                last = state.gops[gop].sequences[end - 1]
                gop += 1
                index = 0
            }
            return .frames(frames, next: BufferCursor(sequence: last + 1))
        }
    }

    /// The sequence number the next frame kept will get. Read without the lock, so a reader can
    /// tell cheaply whether anything arrived since its cursor was advanced: a cursor at or
    /// above it has nothing to read yet.
    public var nextSequence: UInt64 { sequenceEnd.load(ordering: .acquiring) }

    private var nextKeyframe: BufferCursor {
        BufferCursor(sequence: sequenceEnd.load(ordering: .relaxed), awaitsKeyframe: true)
    }

    private func oldestKeyframe(in state: State) -> BufferCursor {
        state.gops.first.map { BufferCursor(sequence: $0.firstSequence) } ?? nextKeyframe
    }

    /// The GOP and the index in it of the first frame for `cursor`, if there is one yet.
    private func position(of cursor: BufferCursor, in gops: [GOP]) -> (gop: Int, index: Int)? {
        if cursor.awaitsKeyframe {
            let gop = gops.partitioningIndex { $0.firstSequence >= cursor.sequence }
            return gop < gops.count ? (gop, 0) : nil
        }
        // The cursor is in the last GOP that opens at or before it, unless eviction took the
        // rest of that GOP: then the next GOP's keyframe is the reader's next frame.
        let next = gops.partitioningIndex { $0.firstSequence > cursor.sequence }
        if next > 0 {
            let index = gops[next - 1].index(from: cursor.sequence)
            if index < gops[next - 1].frames.count { return (next - 1, index) }
        }
        return next < gops.count ? (next, 0) : nil
    }
}
