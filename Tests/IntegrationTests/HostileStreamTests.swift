import Foundation
import SluiceCore
import SluiceIngest
import Testing

extension Integration {
    /// Streams that are valid MPEG-TS but hostile in their media: no keyframes, frames larger
    /// than the quota, a timestamp wrap, a cut in the middle of a packet. Each beside a good
    /// publisher that must lose nothing.
    @Suite struct HostileStreams {
        /// H.264 whose keyframes were all removed, its parameter sets repeated in every packet:
        /// it goes live (its parameters are known) but nothing can ever be decoded, so it holds
        /// nothing, and it is dropped as idle although its bytes keep coming.
        @Test func aStreamWithoutKeyframesHoldsNothingAndIsDroppedAsIdle() async throws {
            let server = try TestServer { $0.srt.idleTimeoutMilliseconds = 2000 }
            let good = try await GoodPublisher(on: server)
            let file = try Self.encode(
                "nokey.ts",
                [
                    "-f", "lavfi", "-i", "testsrc=s=320x240:r=25", "-t", "6", "-c:v", "libx264", "-g", "25",
                    "-bf", "0",
                    "-flags", "+global_header", "-bsf:v", "noise=drop=key,dump_extra=freq=all",
                ])
            let publisher = try RawPublisher(port: server.port, streamID: "live/nokey")
            defer { publisher.connection.close() }
            let session = try await waitFor("the session") { server.server.stream(named: "live/nokey") }
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let sending = Task {
                for _ in 0..<10 { try await publisher.send(bytes, pause: .milliseconds(4)) }
            }
            defer { sending.cancel() }
            while !session.isFinished {
                #expect(session.buffer.summary.heldBytes == 0)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(session.endReason == .idleTimeout)
            #expect(session.buffer.counters.keyframesReceived == 0)
            try await good.expectWhole()
        }

        /// Every frame is larger than what the stream's quota leaves beside libsrt's buffer: each
        /// is dropped as over quota, the stream never holds more than its quota, and it stays
        /// connected.
        @Test func framesLargerThanTheQuotaAreDroppedAndTheStreamStaysWithinIt() async throws {
            let receiveBuffer = Config().srt.receiveBuffer.bytes
            let quota = receiveBuffer + (512 << 10)
            let server = try TestServer {
                $0.streams = [
                    StreamRule(pattern: "live/huge", perStreamLimit: ByteSize(bytes: quota), priority: 0)
                ]
            }
            let good = try await GoodPublisher(on: server)
            // Lossless noise: about 1.3 MB a frame, two frames a second, every one a keyframe.
            let file = try Self.encode(
                "huge.ts",
                [
                    "-f", "lavfi", "-i", "nullsrc=s=1280x720:r=2,geq=random(1)*255:128:128", "-t", "3",
                    "-c:v", "libx264", "-qp", "0", "-g", "1",
                ])
            let huge = try Publisher(file: file, url: server.url(streamID: "live/huge"))
            let stream = try await server.waitForLiveStream("live/huge")
            var samples = 0
            while !stream.isFinished {
                #expect(stream.tracker.total <= quota)
                samples += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(samples > 20)
            #expect(try await huge.exitStatus() == 0)
            #expect(stream.endReason == .ended)
            #expect(
                stream.buffer.counters.framesDropped[.overQuota, default: 0] >= 4, "\(stream.buffer.counters)"
            )
            #expect(stream.buffer.counters.keyframesReceived >= 4)
            try await good.expectWhole()
        }

        /// The publisher's clock passes 2^33 ticks of 90 kHz (every 26.5 hours) two seconds in: the
        /// buffer keeps every GOP in order and its span stays within `buffer.max_duration_ms`.
        @Test func aTimestampWrapKeepsTheStreamWholeAndItsBufferBounded() async throws {
            let server = try TestServer { $0.buffer.maxDurationMilliseconds = 3000 }
            let good = try await GoodPublisher(on: server)
            let wrapping = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/wrap"),
                extraOutput: ["-output_ts_offset", "95441"])
            let stream = try await server.waitForLiveStream("live/wrap")
            var longest: Int64 = 0
            while !stream.isFinished {
                longest = max(longest, stream.buffer.summary.duration)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(longest > 1_000_000 && longest <= 3_000_000, "span \(longest) µs")
            #expect(try await wrapping.exitStatus() == 0)
            try GoodPublisher.expectWhole(stream, fixture: "h264_aac.ts")
            try await good.expectWhole()
        }

        /// A publisher that hangs up in the middle of a TS packet: what came before is buffered
        /// and released, and the half packet does no harm.
        @Test func aStreamCutInTheMiddleOfAPacketIsReleased() async throws {
            let server = try TestServer()
            let good = try await GoodPublisher(on: server)
            let publisher = try RawPublisher(port: server.port, streamID: "live/cut")
            let bytes = try RawPublisher.fixtureBytes("hevc_mp2.ts")
            try await publisher.send(Array(bytes.prefix(188 * 1000 + 97)))
            let stream = try await server.waitForLiveStream("live/cut")
            publisher.connection.close()
            try await waitUntil("the cut stream to end") { stream.isFinished }
            #expect(stream.buffer.counters.keyframesReceived > 0)
            #expect(stream.tracker.total == 0)
            try await good.expectWhole()
        }

        /// Encodes with ffmpeg to a temporary MPEG-TS file and returns its path.
        static func encode(_ name: String, _ arguments: [String]) throws -> String {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("sluice-test-\(UUID().uuidString)-\(name)").path
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            ffmpeg.arguments =
                ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"] + arguments + ["-f", "mpegts", path]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
            guard ffmpeg.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
            return path
        }
    }
}
