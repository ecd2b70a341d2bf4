import Foundation
import SluiceCore
import SluiceIngest
import SluiceServer
import Testing

extension Integration {
    @Suite struct Ingest {
        @Test func threeConcurrentPublishersAreDemuxedIntoGOPs() async throws {
            let server = try TestServer()
            let pushes: [(name: String, id: String, fixture: String, codecs: [String])] = [
                ("live/one", "live/one", "h264_aac.ts", ["h264", "aac"]),
                ("live/two", "#!::r=live/two,m=publish", "hevc_mp2.ts", ["hevc", "mp2"]),
                ("studio/three", "#!::r=studio/three,m=publish,u=ops", "h264_video_only.ts", ["h264"]),
            ]
            let publishers = try pushes.map { push in
                try Publisher(fixture: push.fixture, url: server.url(streamID: push.id))
            }
            var streams: [IngestSession] = []
            for push in pushes {
                let stream = try await server.waitForLiveStream(push.name)
                #expect(stream.elementaryStreams.map(\.codec) == push.codecs, "\(push.name)")
                streams.append(stream)
            }
            #expect(server.server.streams.count == 3)
            for publisher in publishers { #expect(try await publisher.exitStatus() == 0) }

            for (push, stream) in zip(pushes, streams) {
                try await waitUntil("\(push.name) to end") { stream.isFinished }
                let truth = try ProbedVideo(fixture: push.fixture)
                let counters = stream.buffer.counters
                #expect(abs(counters.keyframesReceived - truth.keyframes) <= 1, "\(push.name) GOPs")
                for (type, picture) in [("I", PictureType.i), ("P", .p), ("B", .b)] {
                    let received = counters.picturesReceived[picture, default: 0]
                    let expected = truth.pictures[type, default: 0]
                    #expect(received > 0, "\(push.name) \(type)")
                    #expect(
                        abs(received - expected) <= truth.perGOP(type),
                        "\(push.name) \(type): \(received) vs \(expected)")
                }
                // The fixtures' B-frames are all non-reference: each is disposable, nothing else is.
                let disposable = counters.disposableReceived
                let bFrames = counters.picturesReceived[.b, default: 0]
                #expect(disposable == bFrames, "\(push.name): \(disposable) disposable of \(bFrames) B")
                #expect(abs(disposable - truth.pictures["B", default: 0]) <= truth.perGOP("B"))
                if push.codecs.count > 1 {
                    let audio = counters.framesReceived[.audio, default: 0]
                    #expect(audio > 0 && audio <= truth.audioPackets, "\(push.name) audio \(audio)")
                }
                // Disconnected: removed, its buffer emptied.
                #expect(stream.endReason == .ended)
                #expect(stream.buffer.summary.heldBytes == 0)
                #expect(server.server.stream(named: push.name) == nil)
            }
            let disconnects = server.log.messages("disconnected")
            #expect(Set(disconnects.compactMap { $0.metadata["stream"] }) == Set(pushes.map(\.name)))
            #expect(disconnects.allSatisfy { Int($0.metadata["released_bytes"] ?? "") ?? 0 > 0 })
        }

        @Test func bufferedGOPsStartAtKeyframesAndStayWithinTheDuration() async throws {
            let server = try TestServer { $0.buffer.maxDurationMilliseconds = 3000 }
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/window"))
            let stream = try await server.waitForLiveStream("live/window")
            var samples = 0
            var maxHeld = 0
            while !stream.isFinished {
                let frames = stream.buffer.bufferedFrames()
                if !frames.isEmpty {
                    samples += 1
                    #expect(frames[0].opensGOP)
                    let buffered = stream.buffer.summary
                    #expect(buffered.duration <= 3_000_000, "span \(buffered.duration) µs")
                    maxHeld = max(maxHeld, buffered.heldBytes)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await publisher.exitStatus() == 0)
            #expect(samples > 30)
            #expect(maxHeld > 0)
            // An 8-second push with 2-second GOPs into a 3-second window must age GOPs out.
            #expect(stream.buffer.counters.gopsExpired >= 2)
        }
    }
}
