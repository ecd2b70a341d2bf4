import SluiceCore
import SluiceDemux

/// What a stream's mux reads: the stream's buffer and the codec parameters its frames are
/// muxed back out with. Delivery knows streams only through this.
public struct MuxSource: Sendable {
    /// The stream's name.
    public var name: StreamName
    /// The stream's frames.
    public var buffer: GOPBuffer
    /// The codec parameters of the stream's elementary streams: empty until the stream is live,
    /// which it is by the time its buffer holds a frame.
    public var parameters: @Sendable () -> [CodecParameters]

    /// Describes a stream.
    /// - Parameters:
    ///   - name: Its name.
    ///   - buffer: Its frames.
    ///   - parameters: Its codec parameters, once known.
    public init(name: StreamName, buffer: GOPBuffer, parameters: @escaping @Sendable () -> [CodecParameters])
    {
        self.name = name
        self.buffer = buffer
        self.parameters = parameters
    }
}
