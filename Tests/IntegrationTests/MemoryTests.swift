import Foundation
import SluiceCore
import SluiceIngest
import SluiceSRT
import SluiceServer
import SluiceSystem
import Testing

extension Integration {
    /// The memory controller on the real data path: ffmpeg publishers over SRT, the process's
    /// real resident size.
    @Suite struct Memory {
        private func assertDecodable(
            _ stream: IngestSession, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            // The bytes are checked against the frames in the core's tests: here the ingest
            // thread keeps inserting between any two looks.
            #expect(stream.buffer.startsAtKeyframe, sourceLocation: sourceLocation)
        }

        @Test func aStreamStaysWithinItsQuotaAndDecodable() async throws {
            let quota = (1 << 20) + (256 << 10)
            let server = try TestServer {
                $0.srt.receiveBuffer = ByteSize(bytes: 1 << 20)
                $0.streams = [
                    StreamRule(pattern: "live/small", perStreamLimit: ByteSize(bytes: quota), priority: 3)
                ]
            }
            let small = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/small"))
            let big = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/big"))
            let smallStream = try await server.waitForLiveStream("live/small")
            let bigStream = try await server.waitForLiveStream("live/big")
            #expect(smallStream.tracker.quota == quota)
            #expect(smallStream.tracker.priority == 3)
            #expect(bigStream.tracker.quota == Config().memory.perStreamLimit.bytes)
            // libsrt's buffer and the demuxer's are counted by their sizes.
            #expect(smallStream.tracker.bytes(.srtReceiveBuffer) >= 900 << 10)
            #expect(smallStream.tracker.bytes(.demux) > 32 << 10)
            var samples = 0
            while !smallStream.isFinished {
                #expect(smallStream.tracker.total <= quota)
                assertDecodable(smallStream)
                samples += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(samples > 50)
            #expect(try await small.exitStatus() == 0)
            #expect(try await big.exitStatus() == 0)
            try await waitUntil("both streams to end") { bigStream.isFinished }
            let squeezed = smallStream.buffer.counters
            #expect(squeezed.framesDropped[.evictedDisposable, default: 0] > 0, "\(squeezed.framesDropped)")
            #expect(squeezed.evictedBytes > 100_000)
            #expect(bigStream.buffer.counters.evictedBytes == 0)
            // Both streams gone: their bytes are off the books.
            #expect(server.server.memory.ledger.accounted == 0)
        }

        @Test func residentMemoryThatEscapesAccountingDrivesPressureRefusalAndShedding() async throws {
            let resident = ProcessMemory().residentBytes()
            let limit = resident + (1 << 30)
            let server = try TestServer {
                $0.memory.globalLimit = .bytes(ByteSize(bytes: limit))
                $0.memory.monitorIntervalMilliseconds = 50
                $0.memory.shedAfterMilliseconds = 600
                $0.srt.receiveBuffer = ByteSize(bytes: 1 << 20)
                $0.streams = [
                    StreamRule(pattern: "live/low", priority: -1),
                    StreamRule(pattern: "live/high", priority: 5),
                ]
            }
            let memory = server.server.memory
            let loop = ["-stream_loop", "3"]
            let low = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/low"), extraInput: loop)
            let high = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/high"), extraInput: loop)
            let lowStream = try await server.waitForLiveStream("live/low")
            let highStream = try await server.waitForLiveStream("live/high")
            try await waitUntil("GOPs to build up") {
                lowStream.buffer.summary.gops >= 2 && highStream.buffer.summary.gops >= 2
            }
            let hog = Hog()
            func fill(toPressure ratio: Double) {
                let target = Int(ratio * Double(limit))
                hog.resize(to: hog.bytes + target - ProcessMemory().residentBytes())
            }

            // Hard: evict aggressively, refuse new streams. The hog is topped up while waiting, as
            // a leak would be: malloc_trim at hard gives back other free heap of this process.
            try await waitUntil("hard pressure", timeout: 5) {
                fill(toPressure: 0.965)
                return memory.status.level == .hard
            }
            #expect(server.rejection(streamID: "live/late") == .overload)
            try await waitUntil("eviction at hard", timeout: 5) {
                memory.status.statistics.evictionPasses[.hard, default: 0] > 0
            }
            for stream in [lowStream, highStream] { assertDecodable(stream) }
            #expect(lowStream.buffer.counters.evictedBytes > 0)
            #expect(
                server.log.messages("refused").contains {
                    $0.metadata["reason"]?.hasPrefix("memory_pressure") == true
                })
            #expect(server.log.messages("memory pressure rising").contains { $0.metadata["level"] == "hard" })

            // Between soft and hard: still refusing until pressure is back below soft.
            try await waitUntil("soft pressure", timeout: 5) {
                fill(toPressure: 0.88)
                return memory.status.level == .soft
            }
            #expect(server.rejection(streamID: "live/late") == .overload)
            hog.resize(to: 0)
            try await waitUntil("pressure to ease", timeout: 5) { memory.status.level == .none }
            #expect(server.rejection(streamID: "live/late") == nil, "admission resumes below soft")

            // Critical that lasts: every stream is cut to its newest GOP, then the low-priority
            // stream is shed first, while the other keeps streaming.
            try await waitUntil("the low-priority stream to be shed", timeout: 5) {
                fill(toPressure: 0.99)
                return lowStream.isFinished
            }
            #expect(lowStream.endReason == .shed)
            #expect(!highStream.isFinished)
            #expect(highStream.buffer.summary.gops <= 1)
            assertDecodable(highStream)
            #expect(server.log.messages("shedding stream").first?.metadata["stream"] == "live/low")
            hog.resize(to: 0)
            try await waitUntil("pressure to ease", timeout: 5) { memory.status.level == .none }
            #expect(!highStream.isFinished, "only one stream was shed")
            #expect(memory.status.peakBytes <= limit + (64 << 20))
            low.process.terminate()
            high.process.terminate()
        }

        @Test func aRunawayPublisherIsRateLimitedWhileAPacedOneIsNot() async throws {
            let server = try TestServer {
                $0.memory.allocationRate.perStreamBytesPerSecond = 150_000
                $0.memory.allocationRate.burstBytes = ByteSize(bytes: 128 << 10)
            }
            let paced = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/paced"))
            let runaway = try RawPublisher(port: server.port, streamID: "live/runaway")
            let fixture = try RawPublisher.fixtureBytes("h264_aac.ts")
            // The whole 8-second file three times over in about a second.
            try await runaway.send(fixture + fixture + fixture, pause: .microseconds(800))
            let runawayStream = try #require(server.server.stream(named: "live/runaway"))
            let pacedStream = try await server.waitForLiveStream("live/paced")
            try await waitUntil("the runaway stream to be demuxed") {
                runawayStream.buffer.counters.framesDropped[.rateLimited, default: 0] > 0
            }
            let limited = runawayStream.buffer.counters.framesDropped
            #expect(
                limited[.awaitingKeyframe, default: 0] > 0, "frames after a refused reference frame go too")
            assertDecodable(runawayStream)
            runaway.connection.close()
            #expect(try await paced.exitStatus() == 0)
            try await waitUntil("the paced stream to end") { pacedStream.isFinished }
            #expect(pacedStream.buffer.counters.framesDropped[.rateLimited] == nil)
        }
    }
}
