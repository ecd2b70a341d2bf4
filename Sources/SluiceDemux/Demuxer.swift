import CFFmpeg
import SluiceCore

/// What one step of demuxing produced.
public enum DemuxEvent {
    /// A frame.
    case frame(Frame)
    /// A packet the demuxer flagged as damaged (with what could be read of it), or a stretch of
    /// input it could not read at all (`nil`).
    case corrupt(Frame?)
    /// The input ended.
    case end
}

/// Demuxes a live MPEG-TS byte stream with libavformat into ``Frame``s, one per PES packet.
///
/// Used by one thread at a time: the stream's ingest thread. Every call blocks on the
/// ``ByteSource``.
public final class Demuxer {
    /// The bytes of the demuxer's own read buffer (the AVIO buffer), for memory accounting.
    public static let ioBufferBytes = AVIOBridge.bufferSize

    /// How much input libavformat may read to identify the streams.
    public static let probeBytes: Int64 = 2 << 20
    /// How much media time libavformat may read to learn the codec parameters.
    public static let analyzeMicroseconds: Int64 = 1_500_000

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private let avio: AVIOBridge
    private let packet: UnsafeMutablePointer<AVPacket>
    private var classifiers: [Int: FrameClassifier] = [:]
    /// Packets read while opening, handed out before any new one.
    private var readAhead: [DemuxEvent] = []

    /// The elementary streams found when the input was opened.
    public private(set) var streams: [ElementaryStream] = []
    /// Their codec parameters, for muxing buffered frames back out.
    public private(set) var parameters: [CodecParameters] = []

    /// Opens the input and reads enough of it to know its streams and codecs.
    /// - Parameter source: The live byte stream.
    /// - Throws: ``DemuxError`` if the input is not a readable transport stream.
    public init(source: ByteSource) throws(DemuxError) {
        Self.quietLibraryLogging
        avio = try AVIOBridge(source: source)
        guard let packet = av_packet_alloc() else {
            avio.free()
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating a packet")
        }
        self.packet = packet
        // Every stored property is set: if opening throws, `deinit` tears down what exists.
        try open()
    }

    private func open() throws(DemuxError) {
        guard let context = avformat_alloc_context() else {
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating the format context")
        }
        context.pointee.pb = avio.context
        // No libavformat parsers: each packet is one PES packet as the publisher muxed it.
        // Encoders put one video access unit in a PES packet, and the H.264 and HEVC parsers
        // would hold each one back until the next had arrived: a frame later for readers, and
        // a second parse of every frame beside the classifier's, which tells picture types and
        // keyframes on its own. Audio comes out as the publisher grouped it (often several AAC
        // frames to a PES packet).
        context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_NOPARSE
        context.pointee.probesize = Self.probeBytes
        context.pointee.max_analyze_duration = Self.analyzeMicroseconds
        // Probing ends once every stream's codec parameters are known, without reading 20 more
        // video frames to estimate a frame rate nothing here uses: an ffmpeg publisher's stream
        // went live 0.32 s sooner (1.07 s to 0.75 s), and 1,000 streams probing at once peaked
        // 330 MB lower, because each one holds its probing decoders and packets for less time.
        context.pointee.fps_probe_size = 0
        format = context
        // The container is known: forcing it skips content probing on a live socket.
        let status = avformat_open_input(&format, nil, av_find_input_format("mpegts"), nil)
        guard status >= 0 else { throw DemuxError(status, "opening the transport stream") }
        let info = avformat_find_stream_info(format, nil)
        guard info >= 0 else { throw DemuxError(info, "reading stream information") }
        readAheadForMPEGAudioLayers()
        streams = (0..<Int(format!.pointee.nb_streams)).compactMap(describeStream)
        parameters = (0..<Int(format!.pointee.nb_streams)).compactMap { index in
            format?.pointee.streams[index]?.pointee.codecpar.flatMap {
                CodecParameters(copying: $0, index: index)
            }
        }
    }

    private static let quietLibraryLogging: Void = {
        // Damaged input is counted per stream; libavformat's own lines would only repeat it.
        av_log_set_level(AV_LOG_FATAL)
    }()

    deinit {
        // avformat_open_input frees the context itself when it fails and leaves nil behind.
        if format != nil { avformat_close_input(&format) }
        avio.free()
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
    }

    private func describeStream(_ index: Int) -> ElementaryStream? {
        guard let stream = format?.pointee.streams[index], let parameters = stream.pointee.codecpar
        else { return nil }
        let kind: MediaKind
        switch parameters.pointee.codec_type {
        case AVMEDIA_TYPE_VIDEO: kind = .video
        case AVMEDIA_TYPE_AUDIO: kind = .audio
        default: kind = .metadata
        }
        let audio = kind == .audio
        return ElementaryStream(
            index: index, kind: kind,
            codec: String(cString: avcodec_get_name(parameters.pointee.codec_id)),
            width: kind == .video ? Int(parameters.pointee.width) : nil,
            height: kind == .video ? Int(parameters.pointee.height) : nil,
            sampleRate: audio ? Int(parameters.pointee.sample_rate) : nil,
            channels: audio ? Int(parameters.pointee.ch_layout.nb_channels) : nil)
    }

    /// Reads the next frame.
    /// - Returns: A frame, a skipped corrupt packet, or the end of the input.
    public func next() -> DemuxEvent {
        if !readAhead.isEmpty { return readAhead.removeFirst() }
        return event(reading: av_read_frame(format, packet))
    }

    /// A transport stream says only "MPEG audio"; without a parser nothing tells layer II from
    /// layer III, so the first frame header of each such stream is read to name its codec. Only
    /// streams libavformat decoded while probing are looked for: their first packets are among
    /// those it still holds from probing, so this reads no further input in the normal case
    /// (and a stream declared but silent is left as it is instead of waited for). The packets
    /// are handed out by ``next()`` first.
    private func readAheadForMPEGAudioLayers() {
        guard let format else { return }
        var unnamed = Set(
            (0..<Int(format.pointee.nb_streams)).filter {
                guard let parameters = format.pointee.streams[$0]?.pointee.codecpar else { return false }
                return parameters.pointee.codec_id == AV_CODEC_ID_MP3 && parameters.pointee.sample_rate > 0
            })
        while !unnamed.isEmpty && readAhead.count < Self.readAheadLimit {
            let status = av_read_frame(format, packet)
            let index = Int(packet.pointee.stream_index)
            if status >= 0, unnamed.contains(index),
                let codec = MPEGAudioLayer.codec(
                    ofFrameAt: packet.pointee.data, size: Int(packet.pointee.size))
            {
                format.pointee.streams[index]!.pointee.codecpar.pointee.codec_id = codec
                unnamed.remove(index)
            }
            let event = event(reading: status)
            readAhead.append(event)
            if case .end = event { return }
        }
    }

    /// The most packets read ahead while opening.
    private static let readAheadLimit = 256

    /// What the packet just read (or its failure, `status`) means; releases the packet.
    private func event(reading status: Int32) -> DemuxEvent {
        defer { av_packet_unref(packet) }
        if status == cffmpeg_averror_eof() || status == cffmpeg_averror_exit() { return .end }
        if status == cffmpeg_averror_invaliddata() { return .corrupt(nil) }
        if status < 0 {
            // Any other failure of a custom AVIO context is permanent (see interop notes).
            return (format?.pointee.pb.pointee.eof_reached ?? 1) != 0 ? .end : .corrupt(nil)
        }
        guard packet.pointee.size > 0 else { return .corrupt(nil) }
        let frame = makeFrame()
        return packet.pointee.flags & AV_PKT_FLAG_CORRUPT != 0 ? .corrupt(frame) : .frame(frame)
    }

    private func makeFrame() -> Frame {
        let index = Int(packet.pointee.stream_index)
        let stream = format!.pointee.streams[index]!
        let parameters = stream.pointee.codecpar!
        let timeBase = stream.pointee.time_base
        func microseconds(_ value: Int64) -> Int64? {
            value == cffmpeg_nopts_value()
                ? nil : av_rescale_q(value, timeBase, cffmpeg_time_base_q())
        }
        var kind = MediaKind.metadata
        var pictureType: PictureType?
        var disposable = false
        var key = false
        switch parameters.pointee.codec_type {
        case AVMEDIA_TYPE_VIDEO:
            kind = .video
            let classifier =
                classifiers[index]
                ?? {
                    let made = FrameClassifier(codecID: parameters.pointee.codec_id)
                    classifiers[index] = made
                    return made
                }()
            (pictureType, disposable, key) = classifier.classify(packet)
        case AVMEDIA_TYPE_AUDIO:
            kind = .audio
        default:
            break
        }
        let payload = FramePayload(
            copying: UnsafeRawBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
        return Frame(
            streamIndex: index, kind: kind, pts: microseconds(packet.pointee.pts),
            dts: microseconds(packet.pointee.dts),
            // Without a parser, libavformat marks only intra-only codecs (audio) as keyframes;
            // video keyframes come from the classifier.
            isKeyframe: key || packet.pointee.flags & AV_PKT_FLAG_KEY != 0, pictureType: pictureType,
            isDisposable: disposable, payload: payload)
    }
}
