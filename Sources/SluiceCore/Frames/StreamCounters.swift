/// Why a frame that reached a buffer was not kept.
public enum FrameDropReason: String, Sendable, CaseIterable, Hashable {
    /// The stream had not yet sent its first keyframe, so the frame could not be decoded.
    case beforeKeyframe = "before_keyframe"
    /// Keeping the frame would have put the stream over its byte cap.
    case overByteCap = "over_byte_cap"
    /// A frame earlier in the GOP was dropped, and this one may depend on it; the stream
    /// resumes at its next keyframe.
    case awaitingKeyframe = "awaiting_keyframe"
    /// The demuxer flagged the packet as damaged.
    case corrupt
}

/// Running totals for one stream since it connected.
public struct StreamCounters: Sendable, Equatable {
    /// Frames received, by kind.
    public var framesReceived: [MediaKind: Int] = [:]
    /// Video frames received, by picture type.
    public var picturesReceived: [PictureType: Int] = [:]
    /// Video frames received that no other frame references.
    public var disposableReceived = 0
    /// Video keyframes received (each opens a GOP).
    public var keyframesReceived = 0
    /// Payload bytes received in frames.
    public var payloadBytesReceived = 0
    /// Frames not kept, by reason.
    public var framesDropped: [FrameDropReason: Int] = [:]
    /// Whole GOPs dropped because they aged out of the buffer's duration.
    public var gopsExpired = 0
    /// Whole GOPs dropped to stay under the byte cap.
    public var gopsDroppedForCap = 0

    /// Creates empty totals.
    public init() {}

    mutating func recordReceived(_ frame: Frame) {
        framesReceived[frame.kind, default: 0] += 1
        payloadBytesReceived += frame.payload.count
        guard frame.kind == .video else { return }
        picturesReceived[frame.pictureType ?? .other, default: 0] += 1
        if frame.isDisposable { disposableReceived += 1 }
        if frame.isKeyframe { keyframesReceived += 1 }
    }

    mutating func recordDropped(_ reason: FrameDropReason) {
        framesDropped[reason, default: 0] += 1
    }
}
