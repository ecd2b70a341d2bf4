/// A reader's place in one stream's ``GOPBuffer``: the sequence number of the next frame it
/// wants.
///
/// A cursor is a position, not a held frame, so it keeps nothing alive and holds back no
/// eviction. Take one from ``GOPBuffer/cursor(at:)`` and advance it with what
/// ``GOPBuffer/read(from:maxFrames:)`` returns.
public struct BufferCursor: Sendable, Hashable {
    /// Where a new reader starts.
    public enum Start: Sendable, Hashable {
        /// At the oldest buffered keyframe: as much media as the buffer holds.
        case oldestKeyframe
        /// At the newest buffered keyframe: the least delay that still decodes from the start.
        case newestKeyframe
        /// At the next keyframe to arrive: nothing that is buffered already.
        case nextKeyframe
    }

    /// The sequence number of the next frame the reader wants; frames numbered below it are
    /// behind the reader.
    public let sequence: UInt64
    /// Whether the reader must start at a keyframe: frames at or after ``sequence`` that come
    /// before the next keyframe are not for it.
    let awaitsKeyframe: Bool

    init(sequence: UInt64, awaitsKeyframe: Bool = false) {
        self.sequence = sequence
        self.awaitsKeyframe = awaitsKeyframe
    }
}
