/// What eviction takes from a stream, cheapest loss first. Each stage keeps every buffered GOP
/// starting at its keyframe, and keeps every buffered frame's references.
public enum EvictionStage: String, Sendable, CaseIterable, Comparable {
    /// Metadata frames (SCTE-35, KLV, ID3): nothing decodes from them.
    case metadata
    /// Disposable video frames, which no other frame references, oldest GOP first.
    case disposable
    /// Frames from the tail of the older GOPs backwards: what remains of each GOP is a prefix in
    /// decode order, so it still decodes.
    case tail
    /// Whole older GOPs, oldest first. The newest GOP stays.
    case gop
    /// The newest GOP's frames after its keyframe; the stream then waits for its next keyframe.
    /// Only under critical pressure.
    case newestTail = "newest_tail"
    /// The newest GOP's keyframe itself, leaving the stream empty until its next keyframe.
    /// Only under critical pressure.
    case newestKeyframe = "newest_keyframe"

    /// The stages that leave each stream its newest GOP whole.
    public static let ordinary: [EvictionStage] = [.metadata, .disposable, .tail, .gop]

    /// The drop reason recorded for frames this stage removes.
    public var dropReason: FrameDropReason {
        switch self {
        case .metadata: .evictedMetadata
        case .disposable: .evictedDisposable
        case .tail: .evictedTail
        case .gop: .evictedGOP
        case .newestTail: .evictedNewestTail
        case .newestKeyframe: .evictedNewestKeyframe
        }
    }

    public static func < (lhs: EvictionStage, rhs: EvictionStage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What one eviction call freed.
public struct EvictionResult: Sendable, Equatable {
    /// The bytes released, as accounted.
    public var bytes = 0
    /// The frames removed.
    public var frames = 0

    /// Nothing freed.
    public init() {}

    /// Adds another result to this one.
    public static func += (lhs: inout EvictionResult, rhs: EvictionResult) {
        lhs.bytes += rhs.bytes
        lhs.frames += rhs.frames
    }
}
