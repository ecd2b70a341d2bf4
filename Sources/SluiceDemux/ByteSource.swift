/// What one read from a ``ByteSource`` produced.
public enum ByteSourceRead: Sendable, Equatable {
    /// This many bytes were written into the buffer (at least one).
    case bytes(Int)
    /// The source is finished: closed, idle too long, or told to stop.
    case end
}

/// A blocking source of transport-stream bytes, such as a live SRT connection.
///
/// The demuxer calls ``read(into:)`` from its own thread and expects it to block until bytes
/// arrive or the source ends; it must never report "nothing yet", since libavformat takes any
/// error other than end-of-file as permanent.
public protocol ByteSource: AnyObject {
    /// Fills `buffer` with at least one byte, or reports the end.
    /// - Parameter buffer: Where to write.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead
}
