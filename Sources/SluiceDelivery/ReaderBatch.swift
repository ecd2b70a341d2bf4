/// What a reader gets from ``Reader/next(maxBytes:)``.
public enum ReaderBatch: Sendable {
    /// Output to send, in order: shared chunks, never copies.
    case chunks([OutputChunk])
    /// The output is over for this reader.
    case end(ReaderEnd)
}
