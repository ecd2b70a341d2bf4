extension VideoCodec {
    /// Whether an Annex B access unit carries its sequence parameter set (H.264 SPS, HEVC VPS
    /// or SPS), so that a decoder starting at it needs nothing sent before.
    /// - Parameter accessUnit: The access unit's bytes, start codes included.
    public func carriesParameterSets(_ accessUnit: UnsafeRawBufferPointer) -> Bool {
        var found = false
        AnnexBScanner.forEachUnit(in: accessUnit) { header in
            let byte = accessUnit[header]
            switch self {
            case .h264: found = byte & 0x1F == 7
            case .hevc: found = (byte >> 1) & 0x3F == 32 || (byte >> 1) & 0x3F == 33
            }
            return !found
        }
        return found
    }
}
