/// What one stream's ``GOPBuffer`` holds at one moment.
public struct BufferSummary: Sendable, Equatable {
    /// The buffered GOPs.
    public var gops = 0
    /// The span of media the buffer covers, in microseconds.
    public var duration: Int64 = 0
    /// The bytes held, as ``Frame/heldSize`` counts them.
    public var heldBytes = 0
    /// The buffered frames, by kind and picture type.
    public var frames = FrameCounts()

    /// Creates the summary of an empty buffer.
    public init() {}
}
