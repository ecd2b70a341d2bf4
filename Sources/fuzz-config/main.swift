import Foundation
import FuzzDriver
import SluiceCore

/// libFuzzer's entry: decodes the input as a configuration file, with no environment.
///
/// Besides not crashing, a configuration that is accepted must come back unchanged through
/// its rendering (`GET /config` and `sluice config` print it, and operators paste it back).
/// - Parameters:
///   - data: The input.
///   - size: Its length in bytes.
/// - Returns: 0, as libFuzzer requires.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard
        let config = try? Config.parse(Data(UnsafeBufferPointer(start: data, count: size)), environment: [:])
    else {
        return 0
    }
    let rendered = config.rendered(redactingSecrets: false)
    do {
        let again = try Config.parse(Data(rendered.utf8), environment: [:])
        guard again == config else { fatalError("the rendering reads back differently:\n\(rendered)") }
    } catch {
        fatalError("the rendering does not read back (\(error)):\n\(rendered)")
    }
    return 0
}

runLibFuzzer(fuzz)
