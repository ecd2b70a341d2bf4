import Foundation
import SluiceCore
import SluiceIngest
import SluiceSRT
import Testing

extension Integration {
    /// Admission by receive capacity: with a threshold the live stream alone already nears, a
    /// newcomer is refused with 1402 `receive_capacity`, and the live stream loses nothing.
    @Suite struct ReceiveCapacityAdmission {
        @Test func aNewcomerIsRefusedWhileTheLiveStreamLosesNothing() async throws {
            let server = try TestServer(http: true) { $0.srt.receiveSaturation = 0.000_001 }
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/kept"),
                extraInput: ["-stream_loop", "-1"])
            let stream = try await server.waitForLiveStream("live/kept")
            try await waitUntil("the receive threads to be measured with the stream live", timeout: 5) {
                server.server.receiveCapacity.load.perStream ?? 0 > 0
            }
            #expect(server.rejection(streamID: "live/newcomer") == .overload)
            let refusal = try #require(server.log.messages("refused").last)
            #expect(refusal.metadata["reason"]?.hasPrefix("receive_capacity") == true)
            #expect(server.server.ingest.refusals.snapshot == ["receive_capacity": 1])
            let base = try await server.httpBase()
            let ready = try await http("GET", "\(base)/readyz")
            #expect(ready.status == 503)
            #expect((try ready.json()["reason"] as? String)?.hasPrefix("receive_capacity") == true)
            let metrics = Exposition(try await http("GET", "\(base)/metrics").text)
            #expect(metrics.value("sluice_srt_listener_connections", ["listener": "0"]) == 1)
            #expect(!metrics.series("sluice_srt_receive_thread_cpu_ratio").isEmpty)

            let before = stream.bytesReceived
            try await Task.sleep(for: .seconds(1))
            #expect(stream.bytesReceived > before, "the live stream keeps flowing")
            let srt = try #require(stream.transportStatistics)
            #expect(srt.packetsLost == 0)
            #expect(stream.buffer.counters.framesDropped.keys.allSatisfy { $0 == .beforeKeyframe })
            publisher.process.terminate()
        }
    }
}
