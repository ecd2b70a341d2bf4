/// What an H.264 access unit's own bytes say of its picture: the type of its first slice, and
/// whether it is a keyframe (an IDR picture, or one a recovery point SEI message marks as a
/// place to start decoding). The same answers as libavcodec's H.264 parser, read without it:
/// two Exp-Golomb codes of the first slice header and the SEI payload types.
public struct H264Picture: Sendable, Equatable {
    /// The first slice's type (SP and SI slices are ``PictureType/other``).
    public let type: PictureType
    /// Whether decoding can start here.
    public let isKeyframe: Bool

    init(type: PictureType, isKeyframe: Bool) {
        self.type = type
        self.isKeyframe = isKeyframe
    }

    private static let sei: UInt8 = 6
    private static let recoveryPoint = 6

    /// Reads the access unit in `bytes` (Annex B), or `nil` if it holds no picture slice.
    /// - Parameter bytes: One access unit.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        var recovery = false
        var found: (PictureType, idr: Bool)?
        AnnexBScanner.forEachUnit(in: bytes) { offset in
            let nalType = bytes[offset] & 0x1F
            switch nalType {
            case Self.sei:
                recovery = recovery || Self.hasRecoveryPoint(bytes, seiPayloadAt: offset + 1)
                return true
            case 1, 5:
                var reader = RBSPReader(bytes, from: offset + 1)
                // first_mb_in_slice, then slice_type (0 to 9; 5 to 9 repeat 0 to 4).
                guard reader.unsignedExpGolomb() != nil, let sliceType = reader.unsignedExpGolomb(),
                    sliceType <= 9
                else { return false }
                let types: [PictureType] = [.p, .b, .i, .other, .other]
                found = (types[Int(sliceType % 5)], nalType == 5)
                return false
            default:
                return true
            }
        }
        guard let (type, idr) = found else { return nil }
        self.type = type
        isKeyframe = idr || recovery
    }

    /// Whether the SEI NAL unit whose payload starts at `start` carries a recovery point
    /// message.
    private static func hasRecoveryPoint(_ bytes: UnsafeRawBufferPointer, seiPayloadAt start: Int) -> Bool {
        var reader = RBSPReader(bytes, from: start)
        while let first = reader.nextByte() {
            // 0x80 followed by nothing but zero bytes is the unit's trailing bits; followed by
            // more, it begins a message of payload type 128 or more.
            if first == 0x80 && onlyZerosFollow(reader) { return false }
            // payloadType and payloadSize: runs of 0xFF, each adding 255, then a last byte.
            guard let payloadType = value(startingWith: first, &reader) else { return false }
            if payloadType == recoveryPoint { return true }
            guard let next = reader.nextByte(), let size = value(startingWith: next, &reader) else {
                return false
            }
            for _ in 0..<size where reader.nextByte() == nil { return false }
        }
        return false
    }

    /// Whether the bytes left to `reader` in its unit are all zero (or none).
    private static func onlyZerosFollow(_ reader: RBSPReader) -> Bool {
        var rest = reader
        while let byte = rest.nextByte() {
            if byte != 0 { return false }
        }
        return true
    }

    /// An SEI payload type or size whose first byte is `first`.
    private static func value(startingWith first: UInt8, _ reader: inout RBSPReader) -> Int? {
        var byte = first
        var total = Int(byte)
        while byte == 0xFF {
            guard let next = reader.nextByte() else { return nil }
            byte = next
            total += Int(byte)
        }
        return total
    }
}
