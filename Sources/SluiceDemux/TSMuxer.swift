import CFFmpeg
import SluiceCore

/// Muxes frames into MPEG-TS one at a time with libavformat's mpegts muxer, keeping their
/// timestamps, and hands back the bytes each frame produced: a live output that readers join at
/// any keyframe.
///
/// The muxer writes PAT and PMT before every video keyframe, and a keyframe whose access unit
/// lacks its parameter sets gets the stream's own (from the codec parameters) in front, so a
/// decoder can start at any keyframe's output. Not thread-safe: one owner feeds it.
public final class TSMuxer {
    private let context: UnsafeMutablePointer<AVFormatContext>
    private var io: UnsafeMutablePointer<AVIOContext>?
    private let packet: UnsafeMutablePointer<AVPacket>
    private var outputs: [Int: Output] = [:]
    /// The bytes written since the last ``write(_:)`` returned; the write callback appends.
    fileprivate var pending: [UInt8] = []

    private struct Output {
        var stream: UnsafeMutablePointer<AVStream>
        var codec: VideoCodec?
        var parameterSets: [UInt8]
        var lastDTS: Int64?
        /// Added to the stream's timestamps since its last discontinuity.
        var offset: Int64 = 0
    }

    /// A decode-time step backwards beyond this, or forwards beyond ``forwardJump``, is a
    /// discontinuity (an encoder restart, a looped file, the 33-bit timestamp wrap), not a late
    /// frame: the output carries on from its last decode time. Without this, every frame after
    /// a step back was refused until the timestamps passed the old ones again (never, after a
    /// wrap), and every reader of the stream stalled.
    static let backwardJump: Int64 = 3_000_000
    /// See ``backwardJump``.
    static let forwardJump: Int64 = 10_000_000
    /// How far after the last frame the first frame after a jump goes: a millisecond, distinct
    /// at the TS muxer's 90 kHz clock.
    static let stepAfterJump: Int64 = 1_000

    /// The size of libavformat's write buffer: seven TS packets, one SRT message.
    static let bufferSize = 7 * 188

    /// Sets up a muxer for the elementary streams in `parameters` and writes the header.
    /// Streams the TS muxer cannot carry are left out.
    /// - Parameter parameters: The codec parameters of the elementary streams.
    /// - Throws: ``DemuxError`` if the muxer cannot be set up.
    public init(parameters: [CodecParameters]) throws(DemuxError) {
        var made: UnsafeMutablePointer<AVFormatContext>?
        let result = avformat_alloc_output_context2(&made, nil, "mpegts", nil)
        guard result >= 0, let made else { throw DemuxError(result, "creating the TS muxer") }
        guard let packet = av_packet_alloc() else {
            avformat_free_context(made)
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating a packet")
        }
        context = made
        self.packet = packet
        guard let buffer = av_malloc(Self.bufferSize) else {
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating the output buffer")
        }
        io = avio_alloc_context(
            buffer.assumingMemoryBound(to: UInt8.self), Int32(Self.bufferSize), 1,
            Unmanaged.passUnretained(self).toOpaque(), nil, sluiceTSMuxerWrite, nil)
        guard io != nil else {
            av_free(buffer)
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating the output context")
        }
        context.pointee.pb = io
        for parameter in parameters { addStream(parameter) }
        // An audio frame goes out at once as a PES packet of its own (libavformat's smallest
        // setting, 0, becomes 170 bytes: only smaller frames wait to be gathered). By default
        // it would gather 2,930 bytes of audio into one PES packet, but the frames come in as
        // the publisher's PES packets already (see ``Demuxer``): held back, readers got the
        // audio a PES packet after the video of the same moment, and players waited that long
        // to start.
        var options: OpaquePointer?
        av_dict_set(&options, "pes_payload_size", "0", 0)
        let header = avformat_write_header(context, &options)
        av_dict_free(&options)
        guard header >= 0 else { throw DemuxError(header, "writing the TS header") }
    }

    deinit {
        context.pointee.pb = nil
        avformat_free_context(context)
        if io != nil {
            av_freep(&io!.pointee.buffer)
            avio_context_free(&io)
        }
        var doomed: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&doomed)
    }

    private func addStream(_ parameter: CodecParameters) {
        let codec = parameter.pointer.pointee
        // The TS muxer answers "cannot tell" (negative) for most codecs: audio and video go in
        // unless it says no; data streams only when it says yes.
        let supported = avformat_query_codec(context.pointee.oformat, codec.codec_id, FF_COMPLIANCE_NORMAL)
        let media = codec.codec_type == AVMEDIA_TYPE_VIDEO || codec.codec_type == AVMEDIA_TYPE_AUDIO
        guard media ? supported != 0 : supported == 1, let stream = avformat_new_stream(context, nil) else {
            return
        }
        avcodec_parameters_copy(stream.pointee.codecpar, parameter.pointer)
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = cffmpeg_time_base_q()
        let videoCodec: VideoCodec? =
            switch codec.codec_id {
            case AV_CODEC_ID_H264: .h264
            case AV_CODEC_ID_HEVC: .hevc
            default: nil
            }
        var parameterSets: [UInt8] = []
        if videoCodec != nil, let extradata = codec.extradata, codec.extradata_size > 3 {
            let bytes = Array(UnsafeBufferPointer(start: extradata, count: Int(codec.extradata_size)))
            // Only Annex B parameter sets can go in front of an Annex B access unit.
            if bytes.starts(with: [0, 0, 1]) || bytes.starts(with: [0, 0, 0, 1]) { parameterSets = bytes }
        }
        outputs[parameter.index] = Output(
            stream: stream, codec: videoCodec, parameterSets: parameterSets, lastDTS: nil)
    }

    /// Muxes one frame.
    /// - Parameter frame: The next frame, in arrival order.
    /// - Returns: The TS bytes the frame produced: whole TS packets, possibly none (a frame the
    ///   muxer cannot carry, or whose decode time would go a little backwards, is left out; audio
    ///   may be held back and written with a later frame).
    public func write(_ frame: Frame) -> [UInt8] {
        guard var output = outputs[frame.streamIndex], let timestamp = frame.dts ?? frame.pts else {
            return []
        }
        var dts = timestamp &+ output.offset
        if let last = output.lastDTS {
            let step = dts &- last
            if step < -Self.backwardJump || step > Self.forwardJump {
                output.offset = last &+ Self.stepAfterJump &- timestamp
                dts = last &+ Self.stepAfterJump
            } else if step <= 0 {
                return []
            }
        }
        output.lastDTS = dts
        outputs[frame.streamIndex] = output
        let stream = output.stream
        packet.pointee.stream_index = stream.pointee.index
        packet.pointee.dts = av_rescale_q(dts, cffmpeg_time_base_q(), stream.pointee.time_base)
        let pts = frame.pts.map { $0 &+ output.offset } ?? dts
        packet.pointee.pts = av_rescale_q(pts, cffmpeg_time_base_q(), stream.pointee.time_base)
        packet.pointee.flags = frame.isKeyframe ? AV_PKT_FLAG_KEY : 0
        frame.payload.withUnsafeBytes { bytes in
            if frame.opensGOP, let codec = output.codec, !output.parameterSets.isEmpty,
                !codec.carriesParameterSets(bytes)
            {
                (output.parameterSets + bytes).withUnsafeBytes { write($0) }
            } else {
                write(bytes)
            }
        }
        avio_flush(context.pointee.pb)
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// Writes what the muxer still holds (buffered audio) and ends the stream.
    /// - Returns: The last TS bytes.
    public func finish() -> [UInt8] {
        av_write_trailer(context)
        avio_flush(context.pointee.pb)
        defer { pending.removeAll() }
        return pending
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        // A non-refcounted packet: the muxer copies what it keeps.
        packet.pointee.data = UnsafeMutablePointer(
            mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        packet.pointee.size = Int32(bytes.count)
        _ = av_write_frame(context, packet)
        packet.pointee.data = nil
        packet.pointee.size = 0
    }
}

/// libavformat's write callback: appends to the muxer's pending bytes.
func sluiceTSMuxerWrite(
    opaque: UnsafeMutableRawPointer?, buffer: UnsafeMutablePointer<UInt8>?, size: Int32
) -> Int32 {
    guard let opaque, let buffer, size > 0 else { return 0 }
    let muxer = Unmanaged<TSMuxer>.fromOpaque(opaque).takeUnretainedValue()
    muxer.pending.append(contentsOf: UnsafeBufferPointer(start: buffer, count: Int(size)))
    return size
}
