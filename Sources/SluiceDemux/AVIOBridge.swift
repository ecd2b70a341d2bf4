import CFFmpeg

/// An `AVIOContext` that reads from a ``ByteSource``.
///
/// libavformat calls the read callback on the demuxing thread; the callback is a free function
/// (no actor isolation) and finds this bridge through the opaque pointer. The ``Demuxer`` that
/// owns the bridge outlives the format context that calls back.
final class AVIOBridge {
    /// libavformat's read buffer size; it may reallocate the buffer, so it is freed through
    /// the context at teardown.
    static let bufferSize = 32 * 1024

    private(set) var context: UnsafeMutablePointer<AVIOContext>!
    let source: ByteSource

    init(source: ByteSource) throws(DemuxError) {
        self.source = source
        guard let buffer = av_malloc(Self.bufferSize) else {
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating the AVIO buffer")
        }
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        guard
            let context = avio_alloc_context(
                buffer.assumingMemoryBound(to: UInt8.self), Int32(Self.bufferSize), 0, opaque,
                sluiceAVIORead, nil, nil)
        else {
            av_free(buffer)
            throw DemuxError(cffmpeg_averror(ENOMEM), "allocating the AVIO context")
        }
        self.context = context
    }

    /// Frees the context and its (possibly reallocated) buffer. Call after the format context
    /// that uses it is closed.
    func free() {
        var context: UnsafeMutablePointer<AVIOContext>? = self.context
        av_freep(&context!.pointee.buffer)
        avio_context_free(&context)
    }
}

/// libavformat's read callback.
func sluiceAVIORead(
    opaque: UnsafeMutableRawPointer?, buffer: UnsafeMutablePointer<UInt8>?, size: Int32
) -> Int32 {
    guard let opaque, let buffer, size > 0 else { return cffmpeg_averror_eof() }
    let bridge = Unmanaged<AVIOBridge>.fromOpaque(opaque).takeUnretainedValue()
    switch bridge.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(size))) {
    case .bytes(let count): return Int32(count)
    case .end: return cffmpeg_averror_eof()
    }
}
