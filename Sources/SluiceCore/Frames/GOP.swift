/// A group of pictures: a video keyframe and every frame, of any kind, that arrived after it
/// and before the next video keyframe.
struct GOP: Sendable {
    /// The frames in arrival order; the first is the video keyframe that opened the GOP.
    private(set) var frames: [Frame]
    /// Each frame's sequence number, index for index with ``frames``: ascending, with gaps where
    /// eviction took frames out.
    private(set) var sequences: [UInt64]
    /// The buffer time (microseconds) at which the GOP opened.
    let startTime: Int64
    /// The latest buffer time (microseconds) of any frame in the GOP.
    private(set) var endTime: Int64
    /// Held bytes of the metadata frames, so eviction can skip GOPs without any.
    private(set) var metadataBytes = 0
    /// Held bytes of the disposable video frames, likewise.
    private(set) var disposableBytes = 0

    /// Opens a GOP at a keyframe.
    /// - Parameters:
    ///   - keyframe: The video keyframe.
    ///   - sequence: Its sequence number.
    ///   - time: Its buffer time in microseconds.
    init(keyframe: Frame, sequence: UInt64, time: Int64) {
        precondition(keyframe.opensGOP, "a GOP opens at a video keyframe")
        frames = [keyframe]
        sequences = [sequence]
        startTime = time
        endTime = time
    }

    /// Adds a frame that belongs to this GOP; its sequence number is above every other's.
    mutating func append(_ frame: Frame, sequence: UInt64, time: Int64) {
        frames.append(frame)
        sequences.append(sequence)
        endTime = max(endTime, time)
        if frame.kind == .metadata { metadataBytes += frame.heldSize }
        if Self.isDisposableVideo(frame) { disposableBytes += frame.heldSize }
    }

    static func isDisposableVideo(_ frame: Frame) -> Bool { frame.kind == .video && frame.isDisposable }

    /// The keyframe's sequence number.
    var firstSequence: UInt64 { sequences[0] }

    /// The newest frame's sequence number.
    var lastSequence: UInt64 { sequences[sequences.count - 1] }

    /// The index of the first frame whose sequence number is `sequence` or above, or
    /// `frames.count` when there is none.
    func index(from sequence: UInt64) -> Int {
        sequences.partitioningIndex { $0 >= sequence }
    }

    /// Removes every metadata frame.
    mutating func removeMetadata() -> RemovedFrames {
        guard metadataBytes > 0 else { return RemovedFrames() }
        metadataBytes = 0
        return removeFrames { $0.kind == .metadata }
    }

    /// Removes every disposable video frame.
    mutating func removeDisposable() -> RemovedFrames {
        guard disposableBytes > 0 else { return RemovedFrames() }
        disposableBytes = 0
        return removeFrames(where: Self.isDisposableVideo)
    }

    /// Removes every frame after the keyframe that matches `predicate`.
    private mutating func removeFrames(where predicate: (Frame) -> Bool) -> RemovedFrames {
        var removed = RemovedFrames()
        var keptFrames: [Frame] = [frames[0]]
        var keptSequences: [UInt64] = [sequences[0]]
        keptFrames.reserveCapacity(frames.count)
        keptSequences.reserveCapacity(frames.count)
        for index in frames.indices.dropFirst() {
            if predicate(frames[index]) {
                removed.add(frames[index])
            } else {
                keptFrames.append(frames[index])
                keptSequences.append(sequences[index])
            }
        }
        frames = keptFrames
        sequences = keptSequences
        return removed
    }

    /// Removes frames from the end backwards, never the keyframe, until `target` bytes are
    /// freed. What remains is a prefix in decode order, so it still decodes.
    mutating func removeTail(freeing target: Int) -> RemovedFrames {
        var removed = RemovedFrames()
        var cut = frames.count
        while cut > 1 && removed.heldBytes < target {
            cut -= 1
            let frame = frames[cut]
            removed.add(frame)
            if frame.kind == .metadata { metadataBytes -= frame.heldSize }
            if Self.isDisposableVideo(frame) { disposableBytes -= frame.heldSize }
        }
        frames.removeSubrange(cut...)
        sequences.removeSubrange(cut...)
        return removed
    }

    /// What removing the whole GOP releases.
    var all: RemovedFrames {
        var removed = RemovedFrames()
        for frame in frames { removed.add(frame) }
        return removed
    }

    /// The first frame, the keyframe the GOP opened at.
    var keyframe: Frame { frames[0] }
}

/// The tally of frames taken out of a buffer: what to take off the books.
struct RemovedFrames {
    var counts = FrameCounts()
    var payloadBytes = 0
    var heldBytes = 0

    var count: Int { counts.total }

    mutating func add(_ frame: Frame) {
        payloadBytes += frame.payload.count
        heldBytes += frame.heldSize
        counts.add(frame)
    }

    static func += (lhs: inout RemovedFrames, rhs: RemovedFrames) {
        lhs.payloadBytes += rhs.payloadBytes
        lhs.heldBytes += rhs.heldBytes
        lhs.counts += rhs.counts
    }
}
