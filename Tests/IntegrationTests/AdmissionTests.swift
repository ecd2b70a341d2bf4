import Foundation
import SluiceCore
import SluiceSRT
import Testing

extension Integration {
    /// Admission that calibrates from the streams it has, and probes that only read.
    @Suite struct Admission {
        /// With a budget a little over twice the process's own size, the first publisher is admitted
        /// (a fixed estimate would have refused it, and every one after it, forever); later ones
        /// are admitted while they fit beside the live ones, and refused with `projected_memory`
        /// once they do not.
        @Test func aSmallBudgetAdmitsItsFirstPublisherAndRefusesOnlyWhatCannotFit() async throws {
            let srtPort = SluiceProcess.freePort()
            let httpPort = SluiceProcess.freeTCPPort()
            let path = try Paths.temporaryFile(
                "small-budget.json",
                contents: Executable.config(
                    srtPort: srtPort, httpPort: httpPort, extra: #", "memory": {"global_limit": "96MiB"}"#))
            let sluice = try SluiceProcess(arguments: ["--config", path])
            let base = "http://127.0.0.1:\(httpPort)"
            try await waitUntil("sluice to serve HTTP") { sluice.output.contains("msg=\"http listening\"") }
            #expect(try await http("GET", "\(base)/readyz").status == 200, "an empty server is ready")

            var publishers: [Publisher] = []
            var refused = false
            for index in 0..<8 where !refused {
                let url = "srt://127.0.0.1:\(srtPort)?streamid=live/small\(index)&latency=120000"
                let publisher = try Publisher(fixture: "h264_aac.ts", url: url, extraInput: ["-stream_loop", "-1"])
                publishers.append(publisher)
                let name = "live/small\(index)"
                let wasRefused = { sluice.hasLine("msg=refused", endingWith: "stream_id=\(name)") }
                try await waitUntil("publisher \(index) to be decided", timeout: 10) {
                    sluice.hasLine("msg=\"stream live\"", endingWith: "stream=\(name)") || wasRefused()
                }
                refused = wasRefused()
                // Let the live streams be measured before the next one is decided.
                try await Task.sleep(for: .milliseconds(1500))
            }
            let memory = try await http("GET", "\(base)/api/memory").json()
            let refusals = memory["refusals"] as? [String: Int] ?? [:]
            let streams = memory["streams"] as? [[String: Any]] ?? []
            #expect(sluice.hasLine("msg=\"stream live\"", endingWith: "stream=live/small0"), "\(sluice.output)")
            #expect(refused, "publishers beyond what fits are refused")
            #expect(streams.count == publishers.count - 1, "every publisher but the refused one is live")
            #expect(refusals == ["projected_memory": 1], "\(refusals)")
            #expect(sluice.output.contains("reason=\"projected_memory"), "\(sluice.output)")
            #expect(sluice.output.contains("footprint_estimate=\""), "the estimate and its source are logged")
            #expect(memory["level"] as? String == "none", "admission kept memory under soft")
            sluice.process.terminate()
            #expect(try await sluice.exitStatus() == 0)
        }

        /// `/readyz`, `GET /api/memory` and `/metrics` ask and report; none of them counts a
        /// refusal or changes whether the next publisher is admitted.
        @Test func healthMemoryAndMetricsOnlyRead() async throws {
            let server = try TestServer(http: true) { $0.srt.maxStreams = 1 }
            let base = try await server.httpBase()
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/only"))
            _ = try await server.waitForLiveStream("live/only")
            for _ in 0..<20 {
                let ready = try await http("GET", "\(base)/readyz")
                #expect(ready.status == 503)
                #expect((try ready.json()["reason"] as? String)?.hasPrefix("max_streams") == true)
                _ = try await http("GET", "\(base)/api/memory")
                _ = try await http("GET", "\(base)/metrics")
            }
            let before = try await http("GET", "\(base)/api/memory").json()
            #expect(before["refusals"] as? [String: Int] == [:], "probes counted no refusal")
            #expect(server.rejection(streamID: "live/second") == .overload)
            let after = try await http("GET", "\(base)/api/memory").json()
            #expect(after["refusals"] as? [String: Int] == ["max_streams": 1], "the real refusal counts once")
            let metrics = Exposition(try await http("GET", "\(base)/metrics").text)
            #expect(metrics.value("sluice_streams_rejected_total", ["reason": "max_streams"]) == 1)
            publisher.process.terminate()
        }
    }
}
