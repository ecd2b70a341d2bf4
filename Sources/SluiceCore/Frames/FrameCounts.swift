/// How many frames a buffer holds, by kind and, for video, by picture type.
///
/// The buffer keeps these counts as frames come and go, so reading them costs nothing per
/// frame.
public struct FrameCounts: Sendable, Equatable {
    private var video = 0
    private var audio = 0
    private var metadata = 0
    private var intra = 0
    private var predicted = 0
    private var bipredicted = 0
    private var otherPictures = 0

    /// Creates empty counts.
    public init() {}

    /// The frames of one kind.
    public subscript(kind: MediaKind) -> Int {
        switch kind {
        case .video: video
        case .audio: audio
        case .metadata: metadata
        }
    }

    /// The video frames of one picture type; a frame without one counts as ``PictureType/other``.
    public subscript(type: PictureType) -> Int {
        switch type {
        case .i: intra
        case .p: predicted
        case .b: bipredicted
        case .other: otherPictures
        }
    }

    /// All frames, of every kind.
    public var total: Int { video + audio + metadata }

    /// Counts `frame`.
    mutating func add(_ frame: Frame) {
        switch frame.kind {
        case .audio: audio += 1
        case .metadata: metadata += 1
        case .video:
            video += 1
            switch frame.pictureType ?? .other {
            case .i: intra += 1
            case .p: predicted += 1
            case .b: bipredicted += 1
            case .other: otherPictures += 1
            }
        }
    }

    /// Takes frames counted in `rhs` off `lhs`.
    static func -= (lhs: inout FrameCounts, rhs: FrameCounts) {
        lhs.video -= rhs.video
        lhs.audio -= rhs.audio
        lhs.metadata -= rhs.metadata
        lhs.intra -= rhs.intra
        lhs.predicted -= rhs.predicted
        lhs.bipredicted -= rhs.bipredicted
        lhs.otherPictures -= rhs.otherPictures
    }

    /// Adds the frames counted in `rhs` to `lhs`.
    static func += (lhs: inout FrameCounts, rhs: FrameCounts) {
        lhs.video += rhs.video
        lhs.audio += rhs.audio
        lhs.metadata += rhs.metadata
        lhs.intra += rhs.intra
        lhs.predicted += rhs.predicted
        lhs.bipredicted += rhs.bipredicted
        lhs.otherPictures += rhs.otherPictures
    }
}
