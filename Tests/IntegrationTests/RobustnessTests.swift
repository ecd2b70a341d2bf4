import Foundation
import SluiceCore
import SluiceIngest
import SluiceServer
import Testing

extension Integration {
    /// Idle publishers, garbage and damaged input: each costs only its own stream.
    @Suite struct Robustness {
        @Test func anIdlePublisherIsDropped() async throws {
            let server = try TestServer { $0.srt.idleTimeoutMilliseconds = 500 }
            // One sends a few seconds of media and then nothing, keeping the connection open.
            let quiet = try RawPublisher(port: server.port, streamID: "live/quiet")
            try await quiet.send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(200_000)))
            let stream = try await server.waitForLiveStream("live/quiet")
            // The other never sends anything at all.
            let silent = try RawPublisher(port: server.port, streamID: "live/silent")
            let mute = try await waitFor("live/silent to register") {
                server.server.stream(named: "live/silent")
            }
            try await waitUntil("the idle streams to be dropped", timeout: 5) {
                stream.isFinished && mute.isFinished
            }
            #expect(stream.endReason == .idleTimeout)
            #expect(mute.endReason == .idleTimeout)
            #expect(stream.buffer.summary.heldBytes == 0)
            #expect(!quiet.connection.closed && !silent.connection.closed, "the publishers did not hang up")
            #expect(server.server.streams.isEmpty)
        }

        @Test func garbageAndDamagedInputAreSurvived() async throws {
            let server = try TestServer()
            let good = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/good"))

            // Random bytes, no transport stream at all.
            var generator = SystemRandomNumberGenerator()
            let garbage = RawPublisher.init
            let noise = try garbage(server.port, "live/noise")
            let random = (0..<400_000).map { _ in UInt8.random(in: 0...255, using: &generator) }

            // A real stream with every 40th TS packet lost and some packets' payloads scrambled.
            let packets = try RawPublisher.fixtureBytes("hevc_mp2.ts")
            var damaged: [UInt8] = []
            for (index, start) in stride(from: 0, to: packets.count, by: 188).enumerated()
            where index % 40 != 39 {
                var packet = Array(packets[start..<min(start + 188, packets.count)])
                if index % 53 == 0 {
                    for byte in 20..<packet.count {
                        packet[byte] = UInt8.random(in: 0...255, using: &generator)
                    }
                }
                damaged += packet
            }
            let broken = try garbage(server.port, "live/broken")

            async let sentNoise: Void = noise.send(random)
            async let sentBroken: Void = broken.send(damaged, pause: .milliseconds(4))
            _ = try await (sentNoise, sentBroken)

            let goodStream = try await server.waitForLiveStream("live/good")
            let brokenStream = try #require(server.server.stream(named: "live/broken"))
            try await waitUntil("the damaged stream to be demuxed", timeout: 5) {
                brokenStream.isLive && brokenStream.buffer.counters.keyframesReceived > 0
            }
            #expect(brokenStream.buffer.startsAtKeyframe)
            let noiseSession = try #require(
                server.server.stream(named: "live/noise"), "the noise publisher is still connected")
            #expect(!noiseSession.isLive, "noise is never taken for media")
            noise.connection.close()
            broken.connection.close()

            #expect(try await good.exitStatus() == 0)
            try await waitUntil("all streams to end") { server.server.streams.isEmpty }
            let truth = try ProbedVideo(fixture: "h264_aac.ts")
            #expect(abs(goodStream.buffer.counters.keyframesReceived - truth.keyframes) <= 1)
            // libavformat flags the packets whose TS packets went missing; they are counted and
            // skipped, and no buffered GOP keeps frames after a lost reference.
            #expect(brokenStream.corruptPacketCount > 0)
            #expect(brokenStream.buffer.counters.framesDropped[.corrupt, default: 0] > 0)
            #expect(goodStream.corruptPacketCount == 0)
            // The server still takes publishers.
            let after = try Publisher(fixture: "h264_video_only.ts", url: server.url(streamID: "live/after"))
            _ = try await server.waitForLiveStream("live/after")
            after.process.terminate()
        }
    }
}
