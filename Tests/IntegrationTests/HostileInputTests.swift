import Foundation
import SluiceCore
import SluiceIngest
import Testing

extension Integration {
    /// Publishers whose bytes never become a stream, or stop being one, beside a good publisher
    /// that must lose nothing.
    @Suite struct HostileInput {
        /// Random bytes, and random bytes dressed as TS packets (a sync byte every 188), are not
        /// a stream: each is dropped when the probe times out, and counted by reason.
        @Test(arguments: [false, true]) func bytesThatAreNotAStreamAreDropped(withSyncBytes: Bool)
            async throws
        {
            let server = try TestServer(http: true) {
                $0.srt.probeTimeoutMilliseconds = 3000
                $0.srt.idleTimeoutMilliseconds = 60_000
            }
            let good = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/good"))
            let goodStream = try await server.waitForLiveStream("live/good")
            let garbage = try RawPublisher(port: server.port, streamID: "live/garbage")
            defer { garbage.connection.close() }
            let session = try await waitFor("the garbage session") {
                server.server.stream(named: "live/garbage")
            }
            let sending = Task {
                try await garbage.send(Self.noise(bytes: 3_000_000, syncBytes: withSyncBytes))
            }
            try await waitUntil("the garbage publisher to be dropped", timeout: 8) { session.isFinished }
            sending.cancel()
            #expect(session.endReason == .notAStream)
            #expect(!session.isLive)
            #expect(server.server.ingest.endings.snapshot["not_a_stream"] == 1)
            // The probe that failed gave its slot back.
            #expect(server.server.ingest.probes.running == 0)
            let line = try #require(
                server.log.messages("disconnected").first { $0.metadata["stream"] == "live/garbage" })
            #expect(line.metadata["reason"] == "not_a_stream")
            let metrics = Exposition(try await http("GET", "\(try await server.httpBase())/metrics").text)
            #expect(metrics.value("sluice_streams_ended_total", ["reason": "not_a_stream"]) == 1)
            #expect(try await good.exitStatus() == 0)
            #expect(goodStream.buffer.counters.framesDropped.keys.allSatisfy { $0 == .beforeKeyframe })
        }

        /// A stream that went live and then sends only garbage is not active: it is dropped as
        /// idle although bytes keep coming.
        @Test func aStreamThatTurnsToGarbageIsDroppedAsIdle() async throws {
            let server = try TestServer { $0.srt.idleTimeoutMilliseconds = 1000 }
            let publisher = try RawPublisher(port: server.port, streamID: "live/turns")
            defer { publisher.connection.close() }
            try await publisher.send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(400_000)))
            let stream = try await server.waitForLiveStream("live/turns")
            let sending = Task { try await publisher.send(Self.noise(bytes: 3_000_000, syncBytes: true)) }
            try await waitUntil("the stream to be dropped", timeout: 5) { stream.isFinished }
            sending.cancel()
            #expect(stream.endReason == .idleTimeout)
            #expect(server.server.ingest.endings.snapshot == ["idle_timeout": 1])
        }

        /// Random bytes; with `syncBytes`, in 188-byte packets that start with 0x47, as a
        /// transport stream's do.
        static func noise(bytes count: Int, syncBytes: Bool) -> [UInt8] {
            var generator = SystemRandomNumberGenerator()
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if syncBytes { for index in stride(from: 0, to: count, by: 188) { bytes[index] = 0x47 } }
            return bytes
        }
    }
}
