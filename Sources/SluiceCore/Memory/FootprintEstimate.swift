/// The memory one more stream is expected to take, and what the figure rests on: logged when
/// a publisher is admitted or refused for it.
public struct FootprintEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Where an estimate comes from.
    public enum Source: String, Sendable {
        /// `memory.stream_estimate`: no live stream has run long enough to be measured.
        case configured
        /// The mean of live streams' projected footprints.
        case observed
    }

    /// The expected footprint in bytes.
    public var bytes: Int
    /// Where it comes from.
    public var source: Source
    /// How many live streams it was calibrated from (0 when configured).
    public var streams: Int

    /// Creates an estimate.
    /// - Parameters:
    ///   - bytes: The expected footprint.
    ///   - source: Where it comes from.
    ///   - streams: How many streams it was calibrated from.
    public init(bytes: Int, source: Source, streams: Int) {
        self.bytes = bytes
        self.source = source
        self.streams = streams
    }

    public var description: String {
        switch source {
        case .configured: "\(ByteSize(bytes: bytes)) (configured)"
        case .observed:
            "\(ByteSize(bytes: bytes)) (observed from \(streams) stream\(streams == 1 ? "" : "s"))"
        }
    }
}
