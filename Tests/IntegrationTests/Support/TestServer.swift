import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceIngest
import SluiceSRT
import SluiceServer

/// A real ``SluiceServer`` on free loopback ports, with its log captured, and optionally its
/// real HTTP application.
final class TestServer {
    let server: SluiceServer
    let log = LogCapture()
    let port: UInt16
    private let http: ServiceGroup?

    init(
        http withHTTP: Bool = false, configPath: String? = nil, _ configure: (inout Config) -> Void = { _ in }
    )
        throws
    {
        var config = Config()
        config.srt.listen = ListenAddress(host: "127.0.0.1", port: 0)
        config.http.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configure(&config)
        server = SluiceServer(config: config, configPath: configPath, logger: log.logger)
        try server.start()
        port = server.srtPort!
        if withHTTP {
            let group = ServiceGroup(
                services: [server.buildHTTPApplication()], gracefulShutdownSignals: [], logger: log.logger)
            http = group
            Task { try await group.run() }
        } else {
            http = nil
        }
    }

    deinit {
        server.shutdown()
        if let http { Task { await http.triggerGracefulShutdown() } }
    }

    /// The base URL of the HTTP port, once it listens.
    func httpBase() async throws -> String {
        let port = try await waitFor("the HTTP port") { server.httpPort }
        return "http://127.0.0.1:\(port)"
    }

    func url(streamID: String, passphrase: String? = nil) -> String {
        var url = "srt://127.0.0.1:\(port)?streamid=\(streamID)&latency=120000"
        if let passphrase { url += "&passphrase=\(passphrase)" }
        return url
    }

    /// Connects as a publisher with this stream id; the reason the server refused, or `nil` if
    /// it let the caller in (the connection is closed again at once).
    func rejection(streamID: String, passphrase: String? = nil) -> RejectReason? {
        do {
            let caller = try SRTCaller.connect(
                host: "127.0.0.1", port: port, streamID: streamID, passphrase: passphrase)
            caller.close()
            return nil
        } catch {
            return error.rejection
        }
    }

    func waitForLiveStream(_ name: String, timeout: Double = 10) async throws -> IngestSession {
        try await waitFor("stream \(name) to go live", timeout: timeout) {
            server.stream(named: name).flatMap { $0.isLive ? $0 : nil }
        }
    }
}
