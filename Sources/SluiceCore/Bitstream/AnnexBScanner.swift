/// Walks the NAL units of an Annex B byte stream (as carried in MPEG-TS), yielding the first
/// header byte(s) of each unit.
struct AnnexBScanner {
    /// Calls `body` with the offset of the first byte after every start code
    /// (`00 00 01`, which also ends a four-byte `00 00 00 01`).
    /// - Returns: `false` as soon as `body` returns `false`.
    @discardableResult
    static func forEachUnit(
        in bytes: UnsafeRawBufferPointer, _ body: (_ headerOffset: Int) -> Bool
    ) -> Bool {
        let count = bytes.count
        var index = 0
        while index + 3 <= count {
            if bytes[index + 2] > 1 {
                index += 3
            } else if bytes[index] == 0 && bytes[index + 1] == 0 && bytes[index + 2] == 1 {
                let header = index + 3
                if header < count && !body(header) { return false }
                index = header
            } else {
                index += 1
            }
        }
        return true
    }
}
