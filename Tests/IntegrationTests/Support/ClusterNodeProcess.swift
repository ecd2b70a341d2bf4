import Foundation
import Glibc

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real `sluice` process that is a node of a cluster on a test's etcd, on free loopback ports.
final class ClusterNodeProcess {
    let id: String
    let srtPort = SluiceProcess.freePort()
    let httpPort = SluiceProcess.freeTCPPort()
    let sluice: SluiceProcess

    init(_ id: String, etcd: EtcdCluster, leaseTTLMilliseconds: Int = 2000) throws {
        self.id = id
        let endpoints = etcd.endpoints.map { "\"\($0)\"" }.joined(separator: ", ")
        let config = """
            {"srt": {"listen": "127.0.0.1:\(srtPort)"}, "http": {"listen": "127.0.0.1:\(httpPort)"},
             "cluster": {"etcd": {"endpoints": [\(endpoints)]}, "node_id": "\(id)",
                         "advertise_srt": "127.0.0.1:\(srtPort)", "advertise_http": "127.0.0.1:\(httpPort)",
                         "lease_ttl_ms": \(leaseTTLMilliseconds), "prefix": "/test/"}}
            """
        sluice = try SluiceProcess(arguments: [
            "--config", try Paths.temporaryFile("\(id).json", contents: config),
        ])
    }

    var pid: pid_t { sluice.process.processIdentifier }
    var base: String { "http://127.0.0.1:\(httpPort)" }

    func url(_ name: String) -> String { "srt://127.0.0.1:\(srtPort)?streamid=\(name)&latency=120000" }

    /// Waits until the node has joined and admits publishers.
    func waitUntilReady(timeout: Double = 15) async throws {
        try await waitUntil("\(id) to join", timeout: timeout) {
            sluice.output.contains("msg=\"joined the cluster\"")
        }
        try await poll("\(id) to be ready", timeout: timeout) { try await get("/readyz")?.status == 200 }
    }

    /// `GET` on the node's HTTP port with a one-second timeout (FoundationNetworking counts it in whole seconds): `nil` when it does not answer (a
    /// stopped process).
    func get(_ path: String) async throws -> HTTPResult? {
        var request = URLRequest(url: URL(string: base + path)!)
        request.timeoutInterval = 1
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            let reply = response as? HTTPURLResponse
        else { return nil }
        return HTTPResult(status: reply.statusCode, body: data, headers: [:])
    }

    /// The streams the node says it holds, from `GET /api/cluster`; `nil` when it does not answer.
    func held() async throws -> [String]? {
        guard let report = try await get("/api/cluster"), report.status == 200 else { return nil }
        return try report.json()["held"] as? [String]
    }

    /// How many readers the node serves, from `GET /api/readers`; `nil` when it does not answer.
    func readerCount() async throws -> Int? {
        guard let answer = try await get("/api/readers"), answer.status == 200 else { return nil }
        return (try JSONSerialization.jsonObject(with: answer.body) as? [Any])?.count
    }

    /// Whether the node logged that a name went live.
    func isLive(_ name: String) -> Bool {
        sluice.hasLine("msg=\"stream live\"", endingWith: "stream=\(name)")
    }

    /// Publishes the looped fixture under `name` to this node, and waits until it is live here
    /// and this node holds the name (and only it) in etcd.
    func publishAndHold(_ name: String) async throws -> Publisher {
        let publisher = try Publisher(
            fixture: "h264_aac.ts", url: url(name), extraInput: ["-stream_loop", "-1"])
        try await waitUntil("\(name) to go live on \(id)") { isLive(name) }
        try await poll("\(id) to hold \(name)") { try await held() == [name] }
        return publisher
    }
}

/// Polls an asking `condition` (one that waits on HTTP) every 100 ms until it holds, failing
/// after `seconds`.
func poll(_ what: String, timeout seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try await !condition() {
        guard Date() < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(100))
    }
}
