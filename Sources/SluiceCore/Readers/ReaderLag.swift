/// How far a reader is behind the live edge of its stream's output.
public struct ReaderLag: Sendable, Equatable {
    /// Media time between the reader's next byte and the newest output.
    public var media: Duration
    /// Output bytes the reader has yet to take.
    public var bytes: Int
    /// The span of the stream's newest complete GOP: a reader may always lag by one GOP, since
    /// moving it forward can only land on a keyframe.
    public var gop: Duration

    /// Creates a lag.
    /// - Parameters:
    ///   - media: Media time behind the live edge.
    ///   - bytes: Output bytes not yet taken.
    ///   - gop: The span of the newest complete GOP.
    public init(media: Duration, bytes: Int, gop: Duration = .zero) {
        self.media = media
        self.bytes = bytes
        self.gop = gop
    }
}
