/// A reader's place in a stream's output: the next chunk it takes.
struct OutputPosition: Sendable, Hashable {
    /// The sequence number of the next chunk.
    var sequence: UInt64
    /// Whether chunks before the next keyframe chunk at or after ``sequence`` are not for it.
    var awaitsKeyframe: Bool
}
