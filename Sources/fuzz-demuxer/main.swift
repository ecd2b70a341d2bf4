import FuzzDriver
import SluiceCore
import SluiceDemux

/// The fuzz input as a live source: SRT-payload-sized pieces, then the end.
final class InputByteSource: ByteSource {
    /// The bytes of one SRT live-mode payload (7 transport-stream packets).
    private static let chunk = 1316

    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0

    /// Creates a source over `bytes`, which must outlive it.
    /// - Parameter bytes: The input.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        guard offset < bytes.count else { return .end }
        let count = min(buffer.count, Self.chunk, bytes.count - offset)
        buffer.copyMemory(
            from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])))
        offset += count
        return .bytes(count)
    }
}

/// libFuzzer's entry: demuxes the input as a live transport stream, through AVIO, to its end.
///
/// - Parameters:
///   - data: The input.
///   - size: Its length in bytes.
/// - Returns: 0, as libFuzzer requires.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let demuxer = try? Demuxer(source: InputByteSource(UnsafeBufferPointer(start: data, count: size)))
    else { return 0 }
    // Damaged packets are skipped as the ingest thread skips them; only the end stops it.
    while true {
        if case .end = demuxer.next() { break }
    }
    return 0
}

runLibFuzzer(fuzz)
