import CFFmpeg

/// A copy of one elementary stream's codec parameters, kept so that buffered frames can be
/// muxed back out.
public final class CodecParameters: @unchecked Sendable {
    // Written once at init and only read afterwards (copied into muxer streams).
    let pointer: UnsafeMutablePointer<AVCodecParameters>
    /// The elementary stream index the parameters belong to.
    public let index: Int

    init?(copying source: UnsafePointer<AVCodecParameters>, index: Int) {
        guard let copy = avcodec_parameters_alloc() else { return nil }
        guard avcodec_parameters_copy(copy, source) >= 0 else {
            var doomed: UnsafeMutablePointer<AVCodecParameters>? = copy
            avcodec_parameters_free(&doomed)
            return nil
        }
        pointer = copy
        self.index = index
    }

    deinit {
        var doomed: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&doomed)
    }
}
