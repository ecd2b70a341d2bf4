import CFFmpeg
import SluiceCore

/// Tells a video packet's picture type, whether it is a keyframe, and whether it is disposable.
///
/// libavformat runs no parser of its own here (see ``Demuxer``), so its packets carry neither
/// type nor keyframe flag. H.264, the common case, is read directly (``H264Picture``: two
/// codes of the first slice header, and the SEI payload types). Other codecs go through
/// libavcodec's parser, one per stream, set to take every packet as one complete frame so that
/// it reports at once instead of a frame late. Either way a keyframe is what libavformat's
/// parser would have marked: an IDR picture, or one with a recovery point (H.264); an IRAP
/// picture (HEVC). Disposability comes from the NAL unit headers (``Disposability``).
final class FrameClassifier {
    private var parser: UnsafeMutablePointer<AVCodecParserContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private let codec: VideoCodec?

    init(codecID: AVCodecID) {
        switch codecID {
        case AV_CODEC_ID_H264: codec = .h264
        case AV_CODEC_ID_HEVC: codec = .hevc
        default: codec = nil
        }
        guard codec != .h264 else { return }
        parser = av_parser_init(Int32(codecID.rawValue))
        if let parser {
            parser.pointee.flags |= PARSER_FLAG_COMPLETE_FRAMES
            codecContext = avcodec_alloc_context3(nil)
        }
    }

    deinit {
        if let parser { av_parser_close(parser) }
        avcodec_free_context(&codecContext)
    }

    /// The picture type, disposability and keyframe flag of one video access unit.
    func classify(_ packet: UnsafePointer<AVPacket>) -> (PictureType, disposable: Bool, key: Bool) {
        let bytes = UnsafeRawBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size))
        let disposable = codec.map { Disposability.isDisposable(bytes, codec: $0) } ?? false
        if codec == .h264 {
            let picture = H264Picture(bytes)
            return (picture?.type ?? .other, disposable, picture?.isKeyframe ?? false)
        }
        guard let parser, let codecContext, let data = packet.pointee.data else {
            return (.other, disposable, false)
        }
        var output: UnsafeMutablePointer<UInt8>?
        var outputSize: Int32 = 0
        _ = av_parser_parse2(
            parser, codecContext, &output, &outputSize, data, packet.pointee.size,
            packet.pointee.pts, packet.pointee.dts, packet.pointee.pos)
        let type: PictureType
        switch parser.pointee.pict_type {
        case Int32(AV_PICTURE_TYPE_I.rawValue): type = .i
        case Int32(AV_PICTURE_TYPE_P.rawValue): type = .p
        case Int32(AV_PICTURE_TYPE_B.rawValue): type = .b
        default: type = .other
        }
        // libavformat's own rule: a parser that does not say (-1) leaves it to the picture type.
        let key = parser.pointee.key_frame == 1 || (parser.pointee.key_frame == -1 && type == .i)
        return (type, disposable, key)
    }
}
