import Foundation
import Logging
import SluiceCore
import SluiceServer

/// A real ``SluiceServer`` on a free loopback port, with its log captured.
final class TestServer {
    let server: SluiceServer
    let log = LogCapture()
    let port: UInt16

    init(_ configure: (inout Config) -> Void = { _ in }) throws {
        var config = Config()
        config.srt.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configure(&config)
        server = SluiceServer(config: config, logger: log.logger)
        try server.start()
        port = server.srtPort!
    }

    deinit { server.shutdown() }

    func url(streamID: String, passphrase: String? = nil) -> String {
        var url = "srt://127.0.0.1:\(port)?streamid=\(streamID)&latency=120000"
        if let passphrase { url += "&passphrase=\(passphrase)" }
        return url
    }

    func waitForLiveStream(_ name: String, timeout: Double = 10) async throws -> IngestStream {
        try await waitFor("stream \(name) to go live", timeout: timeout) {
            server.stream(named: name).flatMap { $0.isLive ? $0 : nil }
        }
    }
}
