/// How far a reader is behind the live edge of its stream's output.
public struct ReaderLag: Sendable, Equatable {
    /// Media time between the reader's next byte and the newest output.
    public var media: Duration
    /// Output bytes the reader has yet to take.
    public var bytes: Int
    /// The span of the stream's newest complete GOP: a reader may always lag by one GOP, since
    /// moving it forward can only land on a keyframe.
    public var gop: Duration
    /// The output bytes of the stream's newest complete GOP, allowed for the same reason.
    public var gopBytes: Int
    /// Whether the newest keyframe is ahead of the reader: moving it forward gains something.
    public var isBehindNewestKeyframe: Bool

    /// Creates a lag.
    /// - Parameters:
    ///   - media: Media time behind the live edge.
    ///   - bytes: Output bytes not yet taken.
    ///   - gop: The span of the newest complete GOP.
    ///   - gopBytes: The output bytes of the newest complete GOP.
    ///   - isBehindNewestKeyframe: Whether the newest keyframe is ahead of the reader.
    public init(
        media: Duration, bytes: Int, gop: Duration = .zero, gopBytes: Int = 0,
        isBehindNewestKeyframe: Bool = true
    ) {
        self.media = media
        self.bytes = bytes
        self.gop = gop
        self.gopBytes = gopBytes
        self.isBehindNewestKeyframe = isBehindNewestKeyframe
    }
}
