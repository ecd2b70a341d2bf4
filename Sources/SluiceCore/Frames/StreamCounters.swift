/// Why a frame that reached a buffer was not kept.
public enum FrameDropReason: String, Sendable, CaseIterable, Hashable {
    /// The stream had not yet sent its first keyframe, so the frame could not be decoded.
    case beforeKeyframe = "before_keyframe"
    /// Keeping the frame would have put the stream over its quota, even after evicting
    /// everything but the newest GOP.
    case overQuota = "over_quota"
    /// A frame earlier in the GOP was dropped, and this one may depend on it; the stream
    /// resumes at its next keyframe.
    case awaitingKeyframe = "awaiting_keyframe"
    /// The demuxer flagged the packet as damaged.
    case corrupt
    /// The stream or the whole server was over its allocation rate.
    case rateLimited = "rate_limited"
    /// Memory was critical and nothing more could be evicted.
    case memoryCritical = "memory_critical"
    /// Evicted: a metadata frame.
    case evictedMetadata = "evicted_metadata"
    /// Evicted: a disposable frame.
    case evictedDisposable = "evicted_disposable"
    /// Evicted: from the tail of an older GOP.
    case evictedTail = "evicted_tail"
    /// Evicted: with a whole older GOP.
    case evictedGOP = "evicted_gop"
    /// Evicted under critical pressure: from the newest GOP after its keyframe.
    case evictedNewestTail = "evicted_newest_tail"
    /// Evicted under critical pressure: the newest GOP's keyframe.
    case evictedNewestKeyframe = "evicted_newest_keyframe"
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
    /// Bytes released by eviction (not counting GOPs that aged out).
    public var evictedBytes = 0

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

    mutating func recordDropped(_ reason: FrameDropReason, count: Int = 1) {
        guard count > 0 else { return }
        framesDropped[reason, default: 0] += count
    }
}
