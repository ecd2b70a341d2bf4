import Testing

@testable import SluiceCore

@Suite struct DisposabilityTests {
    private func check(_ bytes: [UInt8], _ codec: VideoCodec) -> Bool {
        bytes.withUnsafeBytes { Disposability.isDisposable($0, codec: codec) }
    }

    // H.264 NAL header: forbidden bit, 2 bits nal_ref_idc, 5 bits type.
    @Test func h264NonReferenceSliceIsDisposable() {
        // AUD (type 9), then a non-IDR slice with nal_ref_idc 0.
        #expect(check([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x01, 0x9A, 0x22], .h264))
    }

    @Test func h264ReferenceSliceIsNot() {
        // nal_ref_idc 2 on a non-IDR slice: a P picture or a pyramid B.
        #expect(!check([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x41, 0x9A], .h264))
        // IDR slice.
        #expect(!check([0, 0, 1, 0x65, 0x88], .h264))
    }

    @Test func h264OneReferenceSliceAmongManyIsEnough() {
        #expect(!check([0, 0, 1, 0x01, 0xAA, 0, 0, 1, 0x21, 0xAA, 0, 0, 1, 0x01, 0xAA], .h264))
    }

    @Test func accessUnitWithoutSlicesIsNotDisposable() {
        #expect(!check([0, 0, 1, 0x09, 0xF0], .h264))
        #expect(!check([], .h264))
        #expect(!check([1, 2, 3, 4, 5], .hevc))
    }

    // HEVC NAL header: forbidden bit, 6 bits type, 6 bits layer, 3 bits temporal id + 1.
    @Test(arguments: [0, 2, 4, 6, 8, 10, 12, 14])
    func hevcSubLayerNonReferenceTypesAreDisposable(type: UInt8) {
        #expect(check([0, 0, 0, 1, 0x46, 0x01, 0x10, 0, 0, 1, type << 1, 0x01, 0xAF], .hevc))
    }

    @Test(arguments: [1, 3, 5, 7, 9, 16, 19, 20, 21])
    func hevcReferenceTypesAreNot(type: UInt8) {
        #expect(!check([0, 0, 1, type << 1, 0x01, 0xAF], .hevc))
    }
}
