import CFFmpeg

/// Tells MPEG audio layers apart from a frame header (ISO/IEC 11172-3, 2.4.1.3): what
/// libavformat's parser would have told, had it run.
enum MPEGAudioLayer {
    /// The codec of the MPEG audio frame at `data`, or `nil` if it does not start with a frame
    /// header.
    /// - Parameters:
    ///   - data: The packet's first byte.
    ///   - size: The packet's size.
    static func codec(ofFrameAt data: UnsafeMutablePointer<UInt8>?, size: Int) -> AVCodecID? {
        guard let data, size >= 4, data[0] == 0xFF, data[1] & 0xE0 == 0xE0 else { return nil }
        // The two bits after the version: 01 layer III, 10 layer II, 11 layer I.
        switch (data[1] >> 1) & 0x03 {
        case 1: return AV_CODEC_ID_MP3
        case 2: return AV_CODEC_ID_MP2
        case 3: return AV_CODEC_ID_MP1
        default: return nil
        }
    }
}
