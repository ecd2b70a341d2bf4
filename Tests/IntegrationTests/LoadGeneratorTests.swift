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
    }
}
