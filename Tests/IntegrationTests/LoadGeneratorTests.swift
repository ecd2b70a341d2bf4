import Foundation
import Testing

extension Integration {
    /// A short run of the benchmark's load generator, so the bench tooling does not rot.
    @Suite struct LoadGenerator {
        @Test func aFewPacedPublishersAreAllReceived() async throws {
            let server = try TestServer()
            let names = ["load/0", "load/1", "load/2"]
            let port = server.port
            let task = Task.detached {
                try run(
                    Paths.loadBinary,
                    [
                        "--port", "\(port)", "--streams", "3", "--file", Paths.fixture("h264_aac.ts"),
                        "--duration", "4",
                    ])
            }
            for name in names { _ = try await server.waitForLiveStream(name) }
            let (status, output) = try await task.value
            #expect(status == 0, "\(output)")
            let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
            #expect(report["connected"] as? Int == 3)
            #expect(report["send_failures"] as? Int == 0)
            // Paced in real time: three streams of 4 seconds of the 8-second fixture.
            let fileBytes = try Data(contentsOf: URL(fileURLWithPath: Paths.fixture("h264_aac.ts"))).count
            let expected = 3.0 * Double(fileBytes) / 8 * 4 / 1316
            let sent = Double(report["chunks_sent"] as? Int ?? 0)
            #expect(abs(sent - expected) < expected * 0.1, "\(sent) chunks sent, \(expected) expected")
            let srt = report["srt"] as? [String: Int] ?? [:]
            #expect(srt["packets_dropped"] == 0)
            try await waitUntil("the streams to end") { server.server.streams.isEmpty }
            #expect(server.log.messages("disconnected").count == 3)
            #expect(
                server.log.messages("disconnected").allSatisfy { Int($0.metadata["gops"] ?? "") ?? 0 >= 1 },
                "each stream was demuxed into GOPs")
        }

        @Test func churnLeavesNothingAccounted() async throws {
            let server = try TestServer()
            let port = server.port
            let (status, output) = try await Task.detached {
                try run(
                    Paths.loadBinary,
                    [
                        "--port", "\(port)", "--file", Paths.fixture("h264_aac.ts"), "--churn", "30",
                        "--concurrency", "6", "--hold-ms", "200",
                    ])
            }.value
            #expect(status == 0, "\(output)")
            let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
            #expect(report["connected"] as? Int == 30)
            try await waitUntil("every churned stream to end") { server.server.streams.isEmpty }
            #expect(server.server.memory.ledger.accounted == 0)
            #expect(server.log.messages("connected").count == 30)
        }

        /// Runs sluice-read and parses its report. It waits on a dispatch thread: the in-process
        /// server's tasks need the few threads of the cooperative pool.
        private func read(_ arguments: [String]) async throws -> [String: Any] {
            let (status, output) = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try run(Paths.readBinary, arguments) })
                }
            }
            #expect(status == 0, "\(output)")
            return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        }

        @Test func readersOverSRTAndHTTPGetContinuousTSFromAKeyframe() async throws {
            let server = try TestServer(http: true)
            let httpPort = try await waitFor("the HTTP port") { server.server.httpPort }
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/x"))
            _ = try await server.waitForLiveStream("live/x")
            try await Task.sleep(for: .seconds(1))
            let common = [
                "--stream", "live/x", "--readers", "4", "--join-interval-ms", "200", "--duration", "3",
            ]
            async let srt = read(common + ["--port", "\(server.port)"])
            async let http = read(common + ["--transport", "http", "--port", "\(httpPort)"])
            for report in try await [srt, http] {
                #expect(report["connected"] as? Int == 4, "\(report)")
                #expect(report["continuity_errors"] as? Int == 0 && report["sync_errors"] as? Int == 0)
                #expect(report["without_keyframe"] as? Int == 0, "\(report)")
                // Started at the newest buffered keyframe, not the next one up to a GOP (2 s) away;
                // SRT's part includes its 120 ms latency.
                #expect((report["first_keyframe_ms_p99"] as? Double ?? .infinity) < 1000, "\(report)")
                let perReader = report["per_reader"] as? [[String: Any]] ?? []
                #expect(perReader.count == 4 && perReader.allSatisfy { $0["bytes"] as? Int ?? 0 > 100_000 })
            }
            #expect(try await publisher.exitStatus() == 0)
        }

        @Test func readersOfAStreamThatIsNotLiveAreRefused() async throws {
            let server = try TestServer(http: true)
            let httpPort = try await waitFor("the HTTP port") { server.server.httpPort }
            let common = ["--stream", "live/none", "--readers", "2", "--duration", "1"]
            let srt = try await read(common + ["--port", "\(server.port)"])
            #expect(srt["connected"] as? Int == 0)
            #expect(srt["refused"] as? [String: Int] == ["1404": 2])
            let http = try await read(common + ["--transport", "http", "--port", "\(httpPort)"])
            #expect(http["connected"] as? Int == 0)
            #expect(http["refused"] as? [String: Int] == ["404": 2])
        }

        @Test func damagedTransportStreamIsReported() async throws {
            let fixture = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Paths.fixture("h264_aac.ts"))))
            var damaged = fixture
            // Garbage between two packets (one loss of alignment), and a packet dropped.
            damaged.insert(contentsOf: [0x00, 0x47, 0x11], at: 1000 * 188)
            damaged.removeSubrange(500 * 188..<501 * 188)
            let reports = try await [fixture, damaged].asyncMap { body in
                let server = try FixedResponseServer(body: body)
                return try await read([
                    "--transport", "http", "--port", "\(server.port)", "--stream", "x", "--duration", "2",
                ])
            }
            let (clean, broken) = (reports[0], reports[1])
            #expect(clean["continuity_errors"] as? Int == 0 && clean["sync_errors"] as? Int == 0, "\(clean)")
            #expect(clean["bytes"] as? Int == fixture.count)
            #expect(clean["ends"] as? [String: Int] == ["stream_ended": 1])
            #expect(broken["continuity_errors"] as? Int ?? 0 >= 1, "\(broken)")
            #expect(broken["sync_errors"] as? Int == 1, "\(broken)")
            #expect(broken["without_keyframe"] as? Int == 0)
        }
    }
}

extension Array {
    /// Maps in order, awaiting each element's transform.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
