/// The video codecs whose bitstreams Sluice understands.
public enum VideoCodec: String, Sendable, Hashable {
    /// H.264 / AVC.
    case h264
    /// H.265 / HEVC.
    case hevc
}
