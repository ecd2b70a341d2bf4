import CFFmpeg
import SluiceCore

/// Muxes buffered frames back into an MPEG-TS byte stream with libavformat, keeping their
/// timestamps: how a reader gets a stream back out, starting at a keyframe.
public enum TSWriter {
    /// Writes `frames` (in arrival order) of the elementary streams in `parameters` as MPEG-TS.
    /// Frames of streams the TS muxer cannot carry, and frames whose decode time would go
    /// backwards, are left out.
    /// - Parameters:
    ///   - frames: The frames, e.g. everything a buffer holds, read from its oldest keyframe.
    ///   - parameters: The codec parameters of the elementary streams.
    /// - Returns: The transport stream's bytes.
    /// - Throws: ``DemuxError`` if the muxer cannot be set up.
    public static func write(_ frames: [Frame], parameters: [CodecParameters]) throws(DemuxError) -> [UInt8] {
        var context: UnsafeMutablePointer<AVFormatContext>?
        let made = avformat_alloc_output_context2(&context, nil, "mpegts", nil)
        guard made >= 0, let context else { throw DemuxError(made, "creating the TS muxer") }
        defer { avformat_free_context(context) }
        let opened = avio_open_dyn_buf(&context.pointee.pb)
        guard opened >= 0 else { throw DemuxError(opened, "opening the output buffer") }

        var outputs: [Int: UnsafeMutablePointer<AVStream>] = [:]
        for parameter in parameters {
            let codec = parameter.pointer.pointee
            // The TS muxer answers "cannot tell" (negative) for most codecs: audio and video go in
            // unless it says no; data streams only when it says yes.
            let supported = avformat_query_codec(
                context.pointee.oformat, codec.codec_id, FF_COMPLIANCE_NORMAL)
            let media = codec.codec_type == AVMEDIA_TYPE_VIDEO || codec.codec_type == AVMEDIA_TYPE_AUDIO
            guard media ? supported != 0 : supported == 1, let stream = avformat_new_stream(context, nil)
            else {
                continue
            }
            avcodec_parameters_copy(stream.pointee.codecpar, parameter.pointer)
            stream.pointee.codecpar.pointee.codec_tag = 0
            stream.pointee.time_base = cffmpeg_time_base_q()
            outputs[parameter.index] = stream
        }
        let header = avformat_write_header(context, nil)
        guard header >= 0 else {
            _ = drain(context)
            throw DemuxError(header, "writing the TS header")
        }
        var lastDTS: [Int: Int64] = [:]
        let packet = av_packet_alloc()
        defer {
            var doomed = packet
            av_packet_free(&doomed)
        }
        for frame in frames {
            guard let stream = outputs[frame.streamIndex], let packet, let dts = frame.dts ?? frame.pts else {
                continue
            }
            if let last = lastDTS[frame.streamIndex], dts <= last { continue }
            lastDTS[frame.streamIndex] = dts
            frame.payload.withUnsafeBytes { bytes in
                packet.pointee.data = UnsafeMutablePointer(
                    mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
                packet.pointee.size = Int32(bytes.count)
                packet.pointee.stream_index = stream.pointee.index
                packet.pointee.dts = av_rescale_q(dts, cffmpeg_time_base_q(), stream.pointee.time_base)
                packet.pointee.pts = av_rescale_q(
                    frame.pts ?? dts, cffmpeg_time_base_q(), stream.pointee.time_base)
                packet.pointee.flags = frame.isKeyframe ? AV_PKT_FLAG_KEY : 0
                // A non-refcounted packet: the muxer copies what it keeps.
                _ = av_write_frame(context, packet)
                packet.pointee.data = nil
                packet.pointee.size = 0
            }
        }
        av_write_trailer(context)
        return drain(context)
    }

    private static func drain(_ context: UnsafeMutablePointer<AVFormatContext>) -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        let size = avio_close_dyn_buf(context.pointee.pb, &buffer)
        context.pointee.pb = nil
        defer { av_free(buffer) }
        guard let buffer, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
