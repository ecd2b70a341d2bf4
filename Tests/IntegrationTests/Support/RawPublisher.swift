import Foundation
import SluiceSRT

/// Publishes bytes over SRT with Sluice's own caller, for inputs ffmpeg will not send:
/// garbage, damaged streams, a publisher that goes quiet.
struct RawPublisher {
    let connection: SRTConnection

    init(port: UInt16, streamID: String) throws {
        connection = try SRTCaller.connect(host: "127.0.0.1", port: port, streamID: streamID)
    }

    /// Sends `bytes` as 1316-byte messages (seven TS packets), pausing between them so that
    /// live mode does not drop what arrives faster than real time.
    func send(_ bytes: [UInt8], pause: Duration = .milliseconds(2)) async throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 1316, bytes.count)
            try bytes[offset..<end].withUnsafeBytes { try connection.send($0) }
            offset = end
            try await Task.sleep(for: pause)
        }
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Paths.fixture(name))))
    }
}
