import SluiceCore

extension GOPBuffer {
    /// Every buffered frame, as one read from the oldest keyframe returns it.
    func bufferedFrames() -> [Frame] {
        var cursor = cursor(at: .oldestKeyframe)
        while true {
            switch read(from: cursor, maxFrames: .max) {
            case .frames(let frames, _): return frames
            case .caughtUp: return []
            case .behind(let oldest): cursor = oldest
            }
        }
    }

    /// Whether a reader from the oldest keyframe starts at a keyframe (or finds nothing).
    var startsAtKeyframe: Bool { bufferedFrames().first?.opensGOP ?? true }
}
