import SluiceCore

/// One elementary stream found in a transport stream.
public struct ElementaryStream: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Its index in the demuxer.
    public var index: Int
    /// What it carries.
    public var kind: MediaKind
    /// FFmpeg's codec name (`h264`, `hevc`, `aac`, `mp2`, `ac3`, `opus`, `scte_35`, ...).
    public var codec: String
    /// Picture size, for video.
    public var width: Int?
    /// Picture size, for video.
    public var height: Int?
    /// Sample rate, for audio.
    public var sampleRate: Int?
    /// Channel count, for audio.
    public var channels: Int?

    public var description: String {
        var text = codec
        if let width, let height, width > 0, height > 0 { text += " \(width)x\(height)" }
        if let sampleRate, sampleRate > 0 { text += " \(sampleRate)Hz" }
        if let channels, channels > 0 { text += " \(channels)ch" }
        return text
    }
}
