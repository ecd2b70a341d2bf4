import FuzzDriver
import SluiceCore

/// libFuzzer's entry: parses the input as the stream id bytes an SRT caller sent.
///
/// Besides not crashing, the two entries must agree: bytes that parse name the same stream id
/// when read as text first, since the transport hands over bytes and the admin API text.
/// - Parameters:
///   - data: The input.
///   - size: Its length in bytes.
/// - Returns: 0, as libFuzzer requires.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let parsed = try? StreamID(parsing: bytes) else { return 0 }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let again = try? StreamID(parsing: text), again == parsed else {
        fatalError("'\(text)' parses as bytes but not the same as text")
    }
    return 0
}

runLibFuzzer(fuzz)
