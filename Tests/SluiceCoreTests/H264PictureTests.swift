import Testing

@testable import SluiceCore

@Suite struct H264PictureTests {
    private func picture(_ bytes: [UInt8]) -> H264Picture? {
        bytes.withUnsafeBytes { H264Picture($0) }
    }

    // A slice header begins first_mb_in_slice (ue: "1" is 0), then slice_type (ue).
    // 0x9A = 1 00110 10: slice_type 5 (P); 0x9E = 1 00111 10: 6 (B); 0x88 = 1 0001000: 7 (I).
    @Test func theFirstSliceTypeIsThePictureType() {
        #expect(picture([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x41, 0x9A, 0x22]) == .some(.init(.p)))
        #expect(picture([0, 0, 1, 0x01, 0x9E, 0x22]) == .some(.init(.b)))
        #expect(picture([0, 0, 1, 0x41, 0x88, 0x80]) == .some(.init(.i)))
        // Only the first slice counts, as with libavcodec's parser.
        #expect(picture([0, 0, 1, 0x41, 0x9A, 0, 0, 1, 0x41, 0x88]) == .some(.init(.p)))
    }

    @Test func anIDRPictureIsAKeyframeAndAnotherIPictureIsNot() {
        #expect(
            picture([0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xCE, 0, 0, 1, 0x65, 0x88, 0x84])
                == .some(.init(.i, key: true)))
        #expect(picture([0, 0, 1, 0x41, 0x88, 0x84])?.isKeyframe == false)
    }

    @Test func aRecoveryPointMakesAKeyframe() {
        // SEI: recovery point (type 6, 2 bytes of payload), trailing bits, then an I slice.
        #expect(
            picture([0, 0, 1, 0x06, 0x06, 0x02, 0x84, 0x10, 0x80, 0, 0, 1, 0x41, 0x88])
                == .some(.init(.i, key: true)))
        // The recovery point after another message (user data, 3 bytes), and a long one (type
        // 5 with 0xFF 0x02 = 257 bytes of payload) before it.
        let userData: [UInt8] = [0x05, 0x03, 0xAA, 0xBB, 0xCC]
        #expect(
            picture([0, 0, 1, 0x06] + userData + [0x06, 0x01, 0x84, 0x80, 0, 0, 1, 0x01, 0x9A])
                == .some(.init(.p, key: true)))
        let long: [UInt8] = [0x05, 0xFF, 0x02] + [UInt8](repeating: 0x11, count: 257)
        #expect(
            picture([0, 0, 1, 0x06] + long + [0x06, 0x01, 0x84, 0x80, 0, 0, 1, 0x01, 0x9A])?.isKeyframe
                == true)
        // A message of payload type 128 (first byte 0x80, like the trailing bits) before it.
        #expect(
            picture([0, 0, 1, 0x06, 0x80, 0x01, 0x55, 0x06, 0x01, 0x84, 0x80, 0, 0, 1, 0x01, 0x9A])?
                .isKeyframe == true)
        // Trailing bits followed by zero bytes before the next start code end the messages.
        #expect(
            picture([0, 0, 1, 0x06] + userData + [0x80, 0, 0, 0, 1, 0x41, 0x88])?.isKeyframe == false)
        // Other SEI messages do not.
        #expect(picture([0, 0, 1, 0x06] + userData + [0x80, 0, 0, 1, 0x41, 0x88])?.isKeyframe == false)
    }

    @Test func emulationPreventionBytesAreSkipped() {
        // A payload holding 00 00 01 is sent as 00 00 03 01, so that no start code appears.
        let bytes: [UInt8] = [0x00, 0x00, 0x03, 0x01, 0xFF]
        let read = bytes.withUnsafeBytes { raw in
            var reader = RBSPReader(raw, from: 0)
            return [reader.nextByte(), reader.nextByte(), reader.nextByte(), reader.nextByte()]
        }
        #expect(read == [0, 0, 1, 0xFF])
        // A start code ends the unit.
        let next = [UInt8]([0xAB, 0x00, 0x00, 0x01, 0x41]).withUnsafeBytes { raw in
            var reader = RBSPReader(raw, from: 0)
            return [reader.nextByte(), reader.nextByte(), reader.nextByte(), reader.nextByte()]
        }
        #expect(next == [0xAB, 0, 0, nil])
    }

    @Test func anAccessUnitWithoutASliceHasNoPicture() {
        #expect(picture([0, 0, 1, 0x09, 0xF0]) == nil)
        #expect(picture([]) == nil)
        #expect(picture([0, 0, 1, 0x41]) == nil, "a slice header cut short")
    }
}

extension H264Picture {
    fileprivate init(_ type: PictureType, key: Bool = false) {
        self.init(type: type, isKeyframe: key)
    }
}
