/// What an elementary stream carries.
public enum MediaKind: String, Sendable, CaseIterable, Hashable, Codable {
    /// Pictures (H.264, HEVC).
    case video
    /// Sound (AAC, MP2, AC-3, Opus).
    case audio
    /// Timed metadata carried alongside (SCTE-35, KLV, ID3).
    case metadata
}

/// The coding type of a video picture, as libavcodec's parser reports it.
public enum PictureType: String, Sendable, CaseIterable, Hashable {
    /// Intra-coded: decodable on its own.
    case i = "I"
    /// Predicted from earlier pictures.
    case p = "P"
    /// Bi-predicted.
    case b = "B"
    /// Any other type the parser reports (SI, SP, S, BI) or none at all.
    case other
}

/// One demuxed access unit: a video picture, an audio frame or a metadata packet.
public struct Frame: Sendable {
    /// The index of the elementary stream in the transport stream.
    public var streamIndex: Int
    /// What the elementary stream carries.
    public var kind: MediaKind
    /// Presentation time in microseconds, if the packet had one.
    public var pts: Int64?
    /// Decoding time in microseconds, if the packet had one.
    public var dts: Int64?
    /// Whether decoding can start here (for video, a random access point).
    public var isKeyframe: Bool
    /// The picture type for video frames; `nil` for audio and metadata.
    public var pictureType: PictureType?
    /// Whether no other frame references this one, so that dropping it breaks nothing else.
    public var isDisposable: Bool
    /// The frame's bytes.
    public var payload: FramePayload
    /// When the frame reached Sluice.
    public var arrival: ContinuousClock.Instant

    /// Creates a frame.
    /// - Parameters:
    ///   - streamIndex: The elementary stream index.
    ///   - kind: What the elementary stream carries.
    ///   - pts: Presentation time in microseconds.
    ///   - dts: Decoding time in microseconds.
    ///   - isKeyframe: Whether decoding can start at this frame.
    ///   - pictureType: The picture type, for video.
    ///   - isDisposable: Whether no other frame references this one.
    ///   - payload: The frame's bytes.
    ///   - arrival: When the frame arrived.
    public init(
        streamIndex: Int, kind: MediaKind, pts: Int64?, dts: Int64?, isKeyframe: Bool,
        pictureType: PictureType?, isDisposable: Bool, payload: FramePayload,
        arrival: ContinuousClock.Instant = .now
    ) {
        self.streamIndex = streamIndex
        self.kind = kind
        self.pts = pts
        self.dts = dts
        self.isKeyframe = isKeyframe
        self.pictureType = pictureType
        self.isDisposable = isDisposable
        self.payload = payload
        self.arrival = arrival
    }

    /// The bytes that holding this frame costs: the payload plus the frame record and the
    /// payload object's header. This is what buffers account, so accounting matches the memory
    /// that is returned when the frame is released.
    public var heldSize: Int { payload.count + Frame.recordBytes }

    /// The fixed cost of one buffered frame beyond its payload: the frame's slot in its GOP's
    /// array, its sequence number's slot beside it, and the payload object (a two-word object
    /// header, its storage pointer and count).
    public static let recordBytes =
        MemoryLayout<Frame>.stride + MemoryLayout<UInt64>.stride + 2 * MemoryLayout<Int>.stride
        + MemoryLayout<UnsafeMutableRawBufferPointer>.stride + MemoryLayout<Int>.stride

    /// The frame's decode time, falling back to its presentation time.
    public var timestamp: Int64? { dts ?? pts }

    /// Whether this frame opens a GOP: a video keyframe.
    public var opensGOP: Bool { kind == .video && isKeyframe }
}
