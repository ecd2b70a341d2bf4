import Foundation
import SluiceCore
import Testing

extension Integration {
    /// `forward` rules: Sluice publishing live streams on to real SRT listeners (a second Sluice,
    /// ffmpeg), reconnecting, and following reloads.
    @Suite struct Forwards {
        /// One rule forwarding `match` to `urls`.
        static func rules(_ match: String, to urls: String...) throws -> [ForwardRule] {
            [
                ForwardRule(
                    pattern: NamePattern(match),
                    destinations: try urls.map { try ForwardDestination(parsing: $0) })
            ]
        }

        /// The forwards `GET /api/streams/{name}` shows.
        static func forwards(_ base: String, _ name: String) async throws -> [[String: Any]] {
            try await http("GET", base + "/api/streams/" + name).json()["forwards"] as? [[String: Any]] ?? []
        }

        @Test func aForwardedStreamGoesLiveOnASecondSluiceAndReadsFromAKeyframe() async throws {
            let secret = "destination-secret"
            let destination = try TestServer { $0.srt.passphrase = secret }
            let rules = try Self.rules(
                "live/**", to: "srt://127.0.0.1:\(destination.port)?passphrase=\(secret)&latency=200")
            // The passphrase shows nowhere.
            let url = "srt://127.0.0.1:\(destination.port)?passphrase=<redacted>&latency=200"
            let server = try TestServer(http: true) { $0.forward = rules }
            let base = try await server.httpBase()
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/x"))
            let forwarded = try await destination.waitForLiveStream("live/x")
            #expect(forwarded.streamID == "live/x", "no streamid: the stream's own name")
            try await Task.sleep(for: .seconds(1))
            let reader = try ReaderProcess.ffmpeg(
                destination.url(streamID: "#!::r=live/x,m=request", passphrase: secret))

            let forwards = try await Self.forwards(base, "live/x")
            #expect(forwards.count == 1)
            let forward = try #require(forwards.first)
            #expect(forward["destination"] as? String == url)
            #expect(forward["state"] as? String == "connected")
            #expect(forward["connected_since"] is String)
            #expect((forward["bytes_sent"] as? Int ?? 0) > 0)
            #expect(forward["reconnects"] as? Int == 0)
            let all = try JSONSerialization.jsonObject(
                with: try await http("GET", base + "/api/forwards").body)
            #expect((all as? [[String: Any]])?.count == 1)
            let readers = try JSONSerialization.jsonObject(
                with: try await http("GET", base + "/api/readers").body)
            #expect((readers as? [[String: Any]])?.first?["protocol"] as? String == "forward")

            let text = try await http("GET", base + "/metrics").text
            let (status, output) = try run("/usr/bin/promtool", ["check", "metrics"], input: Data(text.utf8))
            let problems = Set(output.split(separator: "\n").map(String.init))
            #expect(status == 0 || status == 3)
            #expect(problems.subtracting(Operators.contractLint).isEmpty, "\(problems)")
            #expect(!text.contains(secret))
            let metrics = Exposition(text)
            #expect(metrics.value("sluice_forward_destinations", ["state": "connected"]) == 1)
            #expect(metrics.value("sluice_forward_destinations", ["state": "backoff"]) == 0)
            let labels = ["stream": "live/x", "destination": url]
            #expect(metrics.value("sluice_forward_connected", labels) == 1)
            #expect((metrics.value("sluice_forward_sent_bytes_total", labels) ?? 0) > 0)
            #expect(metrics.value("sluice_forward_reconnects_total", labels) == 0)
            #expect(metrics.value("sluice_readers_active", ["protocol": "forward"]) == 1)

            // The publisher's end ends the forward, which ends the stream on the destination, and
            // its reader with it.
            #expect(try await publisher.exitStatus() == 0)
            #expect(try await reader.exitStatus(timeout: 15) == 0)
            #expect(try reader.file.firstVideoFrame().hasPrefix("1,I"))
            let decoded = try reader.file.decodeErrors()
            #expect(decoded.status == 0 && decoded.errors.isEmpty, "decode errors: \(decoded.errors)")
            try await waitUntil("the forward to stop") { server.server.forwarding.statuses.isEmpty }
            let stopped = try #require(server.log.messages("forward stopped").first)
            #expect(stopped.metadata["reason"] == "stream_ended")
            try await waitUntil("the forwarded stream to end") { forwarded.isFinished }
            #expect(forwarded.endReason == .ended)
            #expect(server.log.messages("forward failed").isEmpty)
        }

        @Test func aForwardedStreamReachesAnFFmpegListenerAndDecodes() async throws {
            let port = SluiceProcess.freePort()
            let listener = try ReaderProcess.ffmpeg("srt://127.0.0.1:\(port)?mode=listener")
            let rules = try Self.rules("live/*", to: "srt://127.0.0.1:\(port)?streamid=%23!::r={name}")
            let server = try TestServer { $0.forward = rules }
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/ff"))
            try await waitUntil("the forward to connect", timeout: 15) {
                server.server.forwarding.statuses.first?.state == .connected
            }
            #expect(try await publisher.exitStatus() == 0)
            // The forward's close at the stream's end ends ffmpeg's input, and ffmpeg with it.
            #expect(try await listener.exitStatus(timeout: 15) == 0)
            #expect(try listener.file.firstVideoFrame().hasPrefix("1,I"))
            let decoded = try listener.file.decodeErrors()
            #expect(decoded.status == 0 && decoded.errors.isEmpty, "decode errors: \(decoded.errors)")
            let fixture = try TSFile(path: Paths.fixture("h264_aac.ts")).timing().duration
            let duration = try listener.file.timing().duration
            #expect(duration > fixture - Readers.gop - 1, "\(duration) s of the \(fixture) s stream")
        }

        @Test func theForwardResumesAfterTheDestinationRestarts() async throws {
            let srtPort = SluiceProcess.freePort()
            let config = try Paths.temporaryFile(
                "destination.json", contents: Executable.config(srtPort: srtPort))
            var destination = try SluiceProcess(arguments: ["--config", config])
            try await waitUntil("the destination to listen") { destination.output.contains("msg=listening") }
            let rules = try Self.rules("live/**", to: "srt://127.0.0.1:\(srtPort)")
            let server = try TestServer(http: true) { $0.forward = rules }
            let base = try await server.httpBase()
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/again"),
                extraInput: ["-stream_loop", "3"])
            try await waitUntil("the stream to go live on the destination") {
                destination.output.contains(#"msg="stream live""#)
            }

            // A crash: nothing tells the forwarder, which finds the connection dead by itself.
            kill(destination.process.processIdentifier, SIGKILL)
            _ = try await destination.exitStatus()
            try await waitUntil("the forward to notice", timeout: 15) {
                server.server.forwarding.statuses.first?.state != .connected
            }
            destination = try SluiceProcess(arguments: ["--config", config])
            try await waitUntil("the stream to go live on the restarted destination", timeout: 20) {
                destination.output.contains(#"msg="stream live""#)
            }
            let forward = try #require(try await Self.forwards(base, "live/again").first)
            #expect(forward["state"] as? String == "connected")
            #expect((forward["reconnects"] as? Int ?? 0) >= 1)
            #expect(forward["last_error"] is String)
            let failed = try #require(server.log.messages("forward failed").first)
            #expect(failed.metadata["retry_in_ms"] == "1000")
            let metrics = Exposition(try await http("GET", base + "/metrics").text)
            #expect(
                (metrics.value("sluice_forward_reconnects_total", ["stream": "live/again"]) ?? 0) >= 1)
            publisher.process.terminate()
            destination.process.terminate()
            _ = try await destination.exitStatus()
        }

        @Test func aReloadStartsStopsAndRestartsForwards() async throws {
            let first = try TestServer()
            let second = try TestServer()
            let path = try Paths.temporaryFile("forward.json", contents: "{}")
            let server = try TestServer(configPath: path)
            func forward(to port: UInt16?) throws {
                let rules = port.map { #"[{"match": "live/*", "to": ["srt://127.0.0.1:\#($0)"]}]"# } ?? "[]"
                try #"{"srt": {"listen": "127.0.0.1:0"}, "forward": \#(rules)}"#.write(
                    toFile: path, atomically: true, encoding: .utf8)
                let report = server.server.reload()
                #expect(report.accepted && report.applied == ["forward"], "\(report)")
            }
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/r"),
                extraInput: ["-stream_loop", "1"])
            _ = try await server.waitForLiveStream("live/r")
            #expect(server.server.forwarding.statuses.isEmpty)

            try forward(to: first.port)
            let onFirst = try await first.waitForLiveStream("live/r")
            try forward(to: second.port)
            _ = try await second.waitForLiveStream("live/r")
            try await waitUntil("the first destination's stream to end") { onFirst.isFinished }
            #expect(server.log.messages("forward stopped").map { $0.metadata["reason"] } == ["rule_removed"])
            #expect(
                server.server.forwarding.statuses.map(\.destination) == ["srt://127.0.0.1:\(second.port)"])
            try forward(to: nil)
            #expect(server.server.forwarding.statuses.isEmpty)
            try await waitUntil("the second destination's stream to end") { second.server.streams.isEmpty }
            publisher.process.terminate()
        }
    }
}
