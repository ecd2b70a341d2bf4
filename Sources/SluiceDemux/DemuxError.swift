import CFFmpeg

/// A libavformat failure.
public struct DemuxError: Error, Sendable, CustomStringConvertible {
    /// The FFmpeg error code (a negative `AVERROR`).
    public var code: Int32
    /// What was being done.
    public var operation: String
    /// FFmpeg's text for the code.
    public var message: String

    init(_ code: Int32, _ operation: String) {
        self.code = code
        self.operation = operation
        var text = [CChar](repeating: 0, count: 256)
        av_strerror(code, &text, text.count)
        message = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public var description: String { "\(operation): \(message)" }
}
