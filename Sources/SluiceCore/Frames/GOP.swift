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

    /// The first frame, the keyframe the GOP opened at.
    public var keyframe: Frame { frames[0] }

    /// Whether the GOP starts with a video keyframe, as every buffered GOP must.
    public var startsWithKeyframe: Bool { frames.first?.opensGOP ?? false }

    /// The span of media time the GOP covers so far, in microseconds.
    public var duration: Int64 { endTime - startTime }
}
