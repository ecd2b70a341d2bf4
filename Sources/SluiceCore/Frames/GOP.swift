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
    }

    /// Removes every frame after the keyframe that matches `predicate`.
    /// - Returns: The frames removed.
    mutating func removeFrames(where predicate: (Frame) -> Bool) -> [Frame] {
        var removed: [Frame] = []
        var kept: [Frame] = [frames[0]]
        kept.reserveCapacity(frames.count)
        for frame in frames.dropFirst() {
            if predicate(frame) { removed.append(frame) } else { kept.append(frame) }
        }
        guard !removed.isEmpty else { return [] }
        frames = kept
        heldBytes -= removed.reduce(0) { $0 + $1.heldSize }
        return removed
    }

    /// Removes frames from the end backwards, never the keyframe, until `target` bytes are
    /// freed. What remains is a prefix in decode order, so it still decodes.
    /// - Returns: The frames removed.
    mutating func removeTail(freeing target: Int) -> [Frame] {
        var freed = 0
        var cut = frames.count
        while cut > 1 && freed < target {
            cut -= 1
            freed += frames[cut].heldSize
        }
        let removed = Array(frames[cut...])
        frames.removeSubrange(cut...)
        heldBytes -= freed
        return removed
    }

    /// The first frame, the keyframe the GOP opened at.
    public var keyframe: Frame { frames[0] }

    /// Whether the GOP starts with a video keyframe, as every buffered GOP must.
    public var startsWithKeyframe: Bool { frames.first?.opensGOP ?? false }

    /// The span of media time the GOP covers so far, in microseconds.
    public var duration: Int64 { endTime - startTime }
}
