/// Reads bits from a NAL unit's payload, skipping the emulation-prevention bytes (the `03` of
/// `00 00 03`) that keep start codes out of it.
struct RBSPReader {
    private let bytes: UnsafeRawBufferPointer
    private var index: Int
    private var zeros = 0
    private var current: UInt8 = 0
    private var bitsLeft = 0

    /// - Parameters:
    ///   - bytes: The byte stream.
    ///   - start: The offset of the first payload byte (after the NAL unit header).
    init(_ bytes: UnsafeRawBufferPointer, from start: Int) {
        self.bytes = bytes
        index = start
    }

    /// The next byte of the payload, or `nil` at the end of the bytes or at the next start code.
    mutating func nextByte() -> UInt8? {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if zeros >= 2 && byte == 3 {
                zeros = 0
                continue
            }
            if zeros >= 2 && byte <= 1 { return nil }
            zeros = byte == 0 ? zeros + 1 : 0
            return byte
        }
        return nil
    }

    /// The next bit, or `nil` at the end.
    mutating func bit() -> UInt32? {
        if bitsLeft == 0 {
            guard let byte = nextByte() else { return nil }
            current = byte
            bitsLeft = 8
        }
        bitsLeft -= 1
        return UInt32(current >> UInt8(bitsLeft)) & 1
    }

    /// An unsigned Exp-Golomb code (`ue(v)`), or `nil` if the bits end first or it is longer
    /// than 31 bits.
    mutating func unsignedExpGolomb() -> UInt32? {
        var leadingZeros = 0
        while true {
            guard let bit = bit() else { return nil }
            if bit == 1 { break }
            leadingZeros += 1
            if leadingZeros > 31 { return nil }
        }
        var value: UInt32 = 0
        for _ in 0..<leadingZeros {
            guard let bit = bit() else { return nil }
            value = value << 1 | bit
        }
        return (UInt32(1) << UInt32(leadingZeros)) - 1 + value
    }
}
