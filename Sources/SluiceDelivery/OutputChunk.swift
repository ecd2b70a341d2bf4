import NIOCore

/// A piece of a stream's shared MPEG-TS output: the whole TS packets one frame produced.
/// Chunks are shared by every reader of the stream, never copied per reader: an HTTP reader
/// hands the very buffer to its connection, which only retains it.
public final class OutputChunk: Sendable {
    /// The chunk's place in its stream's output, counting from zero.
    public let sequence: UInt64
    /// The TS packets.
    public let bytes: ByteBuffer
    /// Whether the chunk opens a GOP: PAT, PMT and a video keyframe with its parameter sets,
    /// where a reader can start.
    public let isKeyframe: Bool
    /// When the frame that produced the chunk reached Sluice: how far behind the live edge a
    /// reader is, in media time.
    public let arrival: ContinuousClock.Instant
    /// The output bytes before this chunk: how far behind the live edge a reader is, in bytes.
    let offset: Int

    init(sequence: UInt64, bytes: ByteBuffer, isKeyframe: Bool, arrival: ContinuousClock.Instant, offset: Int)
    {
        self.sequence = sequence
        self.bytes = bytes
        self.isKeyframe = isKeyframe
        self.arrival = arrival
        self.offset = offset
    }

    /// The chunk's size in bytes.
    public var size: Int { bytes.readableBytes }
}
