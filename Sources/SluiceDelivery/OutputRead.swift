import SluiceCore

/// What a reader finds at its place in a stream's output.
enum OutputRead: Sendable {
    /// Chunks from its place on, where it goes next, and how far behind the live edge it was.
    case chunks([OutputChunk], next: OutputPosition, lag: ReaderLag)
    /// Nothing new yet.
    case caughtUp
    /// The chunks it wanted were dropped with the buffer's oldest GOP.
    case behind
    /// The output ended and the reader has taken all of it.
    case ended
}
