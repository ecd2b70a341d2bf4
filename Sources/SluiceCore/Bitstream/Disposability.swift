/// Decides from the bitstream whether a video picture is disposable: whether no other picture
/// references it, so that it can be dropped without breaking anything else.
///
/// The picture type alone does not tell: with B-pyramids some B pictures are references.
/// - H.264: disposable when every slice NAL unit has `nal_ref_idc == 0`.
/// - HEVC: disposable when every VCL NAL unit is a sub-layer non-reference type (the even
///   types below 16: TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N and the reserved N types).
public enum Disposability {
    /// Whether the access unit in `bytes` is disposable.
    /// - Parameters:
    ///   - bytes: One access unit in Annex B form.
    ///   - codec: Its codec.
    /// - Returns: `true` if it holds at least one picture slice and none is a reference.
    public static func isDisposable(_ bytes: UnsafeRawBufferPointer, codec: VideoCodec) -> Bool {
        var sawSlice = false
        let allNonReference = AnnexBScanner.forEachUnit(in: bytes) { offset in
            let header = bytes[offset]
            switch codec {
            case .h264:
                let type = header & 0x1F
                guard (1...5).contains(type) else { return true }
                sawSlice = true
                return header & 0x60 == 0
            case .hevc:
                let type = (header >> 1) & 0x3F
                guard type < 32 else { return true }
                sawSlice = true
                return type < 16 && type % 2 == 0
            }
        }
        return sawSlice && allNonReference
    }
}
