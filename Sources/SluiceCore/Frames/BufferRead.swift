/// What a reader finds at its ``BufferCursor``.
public enum BufferRead: Sendable {
    /// The buffered frames at or after the cursor, in order (sharing their payloads with the
    /// buffer), and the cursor to read from next. Frames eviction took out of a GOP the reader
    /// is in are skipped: what is left of the GOP still decodes.
    case frames([Frame], next: BufferCursor)
    /// Nothing at or after the cursor yet.
    case caughtUp
    /// The buffer dropped a whole GOP holding frames the reader had yet to read: it must
    /// start again at a keyframe. `oldestKeyframe` is where the buffered media now begins;
    /// ``GOPBuffer/cursor(at:)`` offers the newest keyframe instead.
    case behind(oldestKeyframe: BufferCursor)
}
