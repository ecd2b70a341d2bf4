/// A group of pictures: a video keyframe and every frame, of any kind, that arrived after it
/// and before the next video keyframe.
public struct GOP: Sendable {
    /// The frames in arrival order; the first is the video keyframe that opened the GOP.
    public private(set) var frames: [Frame]
    /// The bytes the frames hold, as ``Frame/heldSize`` counts them.
    public private(set) var heldBytes: Int
    /// The buffer time (microseconds) at which the GOP opened.
    public let startTime: Int64
    /// The latest buffer time (microseconds) of any frame in the GOP.
    public private(set) var endTime: Int64
    /// Held bytes of the metadata frames, so eviction can skip GOPs without any.
    private(set) var metadataBytes = 0
    /// Held bytes of the disposable video frames, likewise.
    private(set) var disposableBytes = 0

    /// Opens a GOP at a keyframe.
    /// - Parameters:
    ///   - keyframe: The video keyframe.
    ///   - time: Its buffer time in microseconds.
    init(keyframe: Frame, time: Int64) {
        precondition(keyframe.opensGOP, "a GOP opens at a video keyframe")
        frames = [keyframe]
        heldBytes = keyframe.heldSize
        startTime = time
        endTime = time
    }

    /// Adds a frame that belongs to this GOP.
    mutating func append(_ frame: Frame, time: Int64) {
        frames.append(frame)
        heldBytes += frame.heldSize
        endTime = max(endTime, time)
        if frame.kind == .metadata { metadataBytes += frame.heldSize }
        if Self.isDisposableVideo(frame) { disposableBytes += frame.heldSize }
    }

    static func isDisposableVideo(_ frame: Frame) -> Bool { frame.kind == .video && frame.isDisposable }

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
        var kept: [Frame] = [frames[0]]
        kept.reserveCapacity(frames.count)
        for frame in frames.dropFirst() {
            if predicate(frame) { removed.add(frame) } else { kept.append(frame) }
        }
        frames = kept
        heldBytes -= removed.heldBytes
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
        heldBytes -= removed.heldBytes
        return removed
    }

    /// What removing the whole GOP releases.
    var all: RemovedFrames {
        var removed = RemovedFrames()
        for frame in frames { removed.add(frame) }
        return removed
    }

    /// The first frame, the keyframe the GOP opened at.
    public var keyframe: Frame { frames[0] }

    /// Whether the GOP starts with a video keyframe, as every buffered GOP must.
    public var startsWithKeyframe: Bool { frames.first?.opensGOP ?? false }

    /// The span of media time the GOP covers so far, in microseconds.
    public var duration: Int64 { endTime - startTime }
}

/// The tally of frames taken out of a buffer: what to take off the books.
struct RemovedFrames {
    var count = 0
    var payloadBytes = 0
    var heldBytes = 0

    mutating func add(_ frame: Frame) {
        count += 1
        payloadBytes += frame.payload.count
        heldBytes += frame.heldSize
    }

    static func += (lhs: inout RemovedFrames, rhs: RemovedFrames) {
        lhs.count += rhs.count
        lhs.payloadBytes += rhs.payloadBytes
        lhs.heldBytes += rhs.heldBytes
    }
}
