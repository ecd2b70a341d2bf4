import Foundation
import SluiceCore
import SluiceIngest
import SluiceSRT
import SluiceSystem
import Testing

extension Integration {
    /// Live readers over SRT and HTTP, from the stream's shared mux, with real clients.
    @Suite struct Readers {
        /// The fixtures' GOP: the most a reader waits past the newest keyframe.
        static let gop = 2.0

        @Test func anSRTReaderStartsAtAKeyframeAndGetsEveryFrameUntilTheStreamEnds() async throws {
            let server = try TestServer()
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/x"))
            _ = try await server.waitForLiveStream("live/x")
            try await Task.sleep(for: .seconds(2.5))
            let reader = try ReaderProcess.ffmpeg(server.url(streamID: "#!::r=live/x,m=request"))
            #expect(try await publisher.exitStatus() == 0)
            // The stream's end closes the reader's connection: ffmpeg ends on its own.
            #expect(try await reader.exitStatus(timeout: 10) == 0)
            #expect(try reader.file.firstVideoFrame().hasPrefix("1,I"))
            let decoded = try reader.file.decodeErrors()
            #expect(decoded.status == 0 && decoded.errors.isEmpty, "decode errors: \(decoded.errors)")
            // It started at the newest keyframe, so it holds what it was connected for plus at
            // most one GOP from before.
            let read = reader.endedAt!.timeIntervalSince(reader.startedAt)
            let duration = try reader.file.timing().duration
            #expect(duration > 1 && abs(duration - read) <= Self.gop + 0.5, "\(duration) s over \(read) s")
            let ended = try #require(server.log.messages("reader disconnected").first)
            #expect(ended.metadata["protocol"] == "srt")
            #expect(ended.metadata["reason"] == "stream_ended")
        }

        @Test func srtReadersAreRefusedWithCodes() async throws {
            let server = try TestServer { $0.readers.maxPerStream = 1 }
            #expect(server.rejection(streamID: "#!::r=live/none,m=request") == .notFound)
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/x"))
            _ = try await server.waitForLiveStream("live/x")
            let first = try SRTCaller.connect(host: "127.0.0.1", port: server.port, streamID: "#!::r=live/x")
            defer { first.close() }
            try await waitUntil("the first reader") { server.server.delivery.readers.count == 1 }
            #expect(server.rejection(streamID: "#!::r=live/x,m=request") == .overload)
            let refusals = server.log.messages("refused")
            #expect(refusals.map { $0.metadata["code"] } == ["1404", "1402"])
            #expect(server.server.ingest.refusals.snapshot == ["not_found": 1, "max_readers_per_stream": 1])
            #expect(try await publisher.exitStatus() == 0)
        }

        @Test func readersUseTheReadPassphraseAndNotThePublishers() async throws {
            let server = try TestServer {
                $0.srt.passphrase = "publisher-secret"
                $0.srt.readPassphrase = "viewer-secret"
            }
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/x", passphrase: "publisher-secret"))
            _ = try await server.waitForLiveStream("live/x")
            let id = "#!::r=live/x,m=request"
            #expect(server.rejection(streamID: id, passphrase: "viewer-secret") == nil)
            #expect(server.rejection(streamID: id, passphrase: "publisher-secret") == .badSecret)
            #expect(server.rejection(streamID: id) != nil, "an unencrypted reader is refused")
            let reader = try ReaderProcess.ffmpeg(server.url(streamID: id, passphrase: "viewer-secret"))
            #expect(try await publisher.exitStatus() == 0)
            #expect(try await reader.exitStatus(timeout: 10) == 0)
            #expect(try reader.file.firstVideoFrame().hasPrefix("1,I"))
        }

        @Test func httpReadersGetTheStreamFromAKeyframeUntilItEnds() async throws {
            let server = try TestServer(http: true) { $0.http.readToken = "read-token-0123456789" }
            let base = try await server.httpBase()
            let publisher = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/cam1"))
            _ = try await server.waitForLiveStream("live/cam1")
            #expect(try await http("GET", base + "/streams/live/cam1.ts").status == 401)
            #expect(try await http("GET", base + "/streams/live/cam1.ts?token=wrong").status == 401)
            #expect(
                try await http("GET", base + "/streams/live/none.ts", token: "read-token-0123456789").status
                    == 404)
            try await Task.sleep(for: .seconds(2.5))
            let newest = try ReaderProcess.curl(
                base + "/streams/live/cam1.ts",
                options: ["-H", "Authorization: Bearer read-token-0123456789"])
            let oldest = try ReaderProcess.curl(
                base + "/streams/live/cam1.ts?start=oldest&token=read-token-0123456789")
            #expect(try await publisher.exitStatus() == 0)
            let fixture = try TSFile(path: Paths.fixture("h264_aac.ts")).timing()
            for reader in [newest, oldest] {
                // curl exits 0: the response ended properly when the publisher did.
                #expect(try await reader.exitStatus(timeout: 10) == 0)
                #expect(try reader.file.firstVideoFrame().hasPrefix("1,I"))
                let decoded = try reader.file.decodeErrors()
                #expect(decoded.status == 0 && decoded.errors.isEmpty, "decode errors: \(decoded.errors)")
            }
            // The oldest buffered keyframe is the stream's first: the buffer holds all of it.
            #expect(abs(try oldest.file.timing().start - fixture.start) < 0.1)
            #expect(try newest.file.timing().start > fixture.start + 1)
            #expect(server.server.delivery.statistics.snapshot.ends["stream_ended"] == 2)
            let metrics = try await http("GET", base + "/metrics").text
            for line in [
                #"sluice_readers_started_total{protocol="http"} 2"#,
                "sluice_reader_first_keyframe_seconds_count 2",
                #"sluice_reader_disconnects_total{reason="stream_ended"} 2"#,
                #"sluice_readers_refused_total{reason="not_found"} 1"#,
            ] {
                #expect(metrics.contains(line), "\(line)")
            }
        }

        @Test func anHTTPReaderWaitingOnAQuietStreamNoticesItsClientLeaving() async throws {
            let server = try TestServer(http: true) { $0.srt.idleTimeoutMilliseconds = 60_000 }
            let base = try await server.httpBase()
            // A few seconds of media, then nothing, on a connection kept open: the stream stays
            // live and its reader waits for output that does not come.
            let quiet = try RawPublisher(port: server.port, streamID: "live/quiet")
            try await quiet.send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(200_000)))
            _ = try await server.waitForLiveStream("live/quiet")
            let reader = try ReaderProcess.curl(base + "/streams/live/quiet.ts")
            try await waitUntil("the reader to be served") {
                server.server.delivery.readers.first.map { $0.bytesSent > 0 } ?? false
            }
            try await Task.sleep(for: .milliseconds(500))
            reader.stop()
            try await waitUntil("the reader to be gone", timeout: 2) {
                server.server.delivery.readers.isEmpty
            }
            let ended = try #require(server.log.messages("reader disconnected").first)
            #expect(ended.metadata["reason"] == "left")
            #expect(server.server.stream(named: "live/quiet") != nil, "the stream is still live")
            quiet.connection.close()
        }

        /// A publisher looping the fixture as `name`, live, and an HTTP client that asks for it
        /// and never reads.
        private static func stalledReader(of name: String, on server: TestServer) async throws -> (
            Publisher, IngestSession, StalledHTTPClient
        ) {
            let port = try await waitFor("the HTTP port") { server.server.httpPort }
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: name), extraInput: ["-stream_loop", "-1"])
            do {
                let stream = try await server.waitForLiveStream(name)
                return (publisher, stream, try StalledHTTPClient(port: port, path: "/streams/\(name).ts"))
            } catch {
                publisher.process.terminate()
                throw error
            }
        }

        @Test func whatAStalledHTTPReadersConnectionHoldsIsOnTheBooks() async throws {
            let server = try TestServer(http: true) {
                // Never moved forward or cut: its backlog stays in its connection.
                $0.readers.maxLagMilliseconds = 600_000
                $0.readers.maxLagBytes = ByteSize(bytes: 1 << 30)
            }
            let (publisher, stream, client) = try await Self.stalledReader(of: "live/stall", on: server)
            defer { publisher.process.terminate() }
            // Once the kernel's buffers are full, the connection itself holds output.
            let queued = try await waitFor("the reader's connection to hold a backlog", timeout: 60) {
                server.server.delivery.readers.first.map(\.queuedBytes).flatMap { $0 >= 64 << 10 ? $0 : nil }
            }
            #expect(stream.tracker.bytes(.readers) >= queued)
            #expect(server.server.memory.status.accountedBytes >= queued)
            client.close()
            // With its last reader gone, the stream's output and the connection's are off the books.
            try await waitUntil("the readers component to empty", timeout: 10) {
                stream.tracker.bytes(.readers) == 0
            }
            #expect(stream.buffer.counters.framesDropped.isEmpty)
        }

        @Test func memoryPressureMovesReadersThenRefusesThemThenCutsThemBeforeAnyPublisher() async throws {
            let resident = ProcessMemory().residentBytes()
            let limit = resident + (1 << 30)
            let server = try TestServer(http: true) {
                $0.memory.globalLimit = .bytes(ByteSize(bytes: limit))
                $0.memory.monitorIntervalMilliseconds = 50
                $0.memory.shedAfterMilliseconds = 3000
                $0.srt.receiveBuffer = ByteSize(bytes: 1 << 20)
                // Only memory pressure moves the reader: its own lag never would.
                $0.readers.maxLagMilliseconds = 600_000
                $0.readers.maxLagBytes = ByteSize(bytes: 1 << 30)
            }
            let memory = server.server.memory
            let base = try await server.httpBase()
            let (publisher, stream, stalled) = try await Self.stalledReader(of: "live/pressed", on: server)
            defer { publisher.process.terminate() }
            defer { stalled.close() }
            try await waitUntil("the stalled reader's connection to fill", timeout: 30) {
                server.server.delivery.readers.first.map { $0.queuedBytes > 0 } ?? false
            }
            let hog = Hog()
            func fill(toPressure ratio: Double) {
                hog.resize(to: hog.bytes + Int(ratio * Double(limit)) - ProcessMemory().residentBytes())
            }
            func pressureSkips() -> Int {
                server.log.messages("reader skipped to the newest keyframe").filter {
                    $0.metadata["reason"] == "memory_pressure"
                }.count
            }

            // Soft: the reader furthest behind goes to the newest keyframe, not toward its skips.
            try await waitUntil("soft pressure to move the lagging reader", timeout: 15) {
                fill(toPressure: 0.88)
                return memory.status.level == .soft && pressureSkips() > 0
            }
            #expect(server.server.delivery.readers.count == 1, "moved, not cut")

            // Hard (memory.refuse_new_streams_at): new readers are refused over SRT and HTTP.
            try await waitUntil("hard pressure", timeout: 5) {
                fill(toPressure: 0.965)
                return memory.status.level == .hard
            }
            #expect(server.rejection(streamID: "#!::r=live/pressed,m=request") == .overload)
            #expect(try await http("GET", base + "/streams/live/pressed.ts").status == 503)

            // Critical: every reader is cut while the publisher, shed only after 3 s, still streams.
            try await waitUntil("critical pressure to cut the reader", timeout: 5) {
                fill(toPressure: 0.99)
                return server.server.delivery.readers.isEmpty
            }
            #expect(!stream.isFinished, "readers go before any publisher")
            let cut = try #require(server.log.messages("reader disconnected").first)
            #expect(cut.metadata["reason"] == "memory_critical")
            hog.resize(to: 0)
            try await waitUntil("pressure to ease", timeout: 5) { memory.status.level == .none }
            #expect(!stream.isFinished)
        }

        @Test func anHTTPReaderGetsWhatCameBeforeAStreamPaused() async throws {
            let server = try TestServer(http: true)
            let base = try await server.httpBase()
            let bytes = try RawPublisher.fixtureBytes("h264_aac.ts")
            let pausing = try RawPublisher(port: server.port, streamID: "live/pausing")
            defer { pausing.connection.close() }
            try await pausing.send(Array(bytes.prefix(200_000)))
            _ = try await server.waitForLiveStream("live/pausing")
            // Unbuffered: the files hold every byte received so far.
            let early = try ReaderProcess.curl(base + "/streams/live/pausing.ts", options: ["--no-buffer"])
            defer { early.stop() }
            try await waitUntil("the reader to be served") {
                server.server.delivery.readers.first.map { $0.bytesSent > 0 } ?? false
            }
            // A burst well within one gather interval, then nothing: no later frame marks it.
            try await pausing.send(Array(bytes[200_000..<300_000]))
            try await Task.sleep(for: .seconds(2))
            let late = try ReaderProcess.curl(
                base + "/streams/live/pausing.ts?start=oldest", options: ["--no-buffer"])
            defer { late.stop() }
            try await Task.sleep(for: .seconds(1))
            let tail = 7 * 188
            let earlyBytes = try Data(contentsOf: URL(fileURLWithPath: early.file.path))
            let lateBytes = try Data(contentsOf: URL(fileURLWithPath: late.file.path))
            #expect(lateBytes.count > tail)
            #expect(
                earlyBytes.suffix(tail) == lateBytes.suffix(tail), "the early reader has the output's end")
        }

        @Test func aSlowReaderIsSkippedThenCutAndHoldsNoMemory() async throws {
            let server = try TestServer(http: true) {
                $0.readers.maxLagBytes = ByteSize(bytes: 64 << 10)
                $0.readers.maxSkips = 1
            }
            let base = try await server.httpBase()
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/slow"),
                extraInput: ["-stream_loop", "5"])
            let stream = try await server.waitForLiveStream("live/slow")
            // The fixture runs at about 46 kB/s: a tenth of it.
            let slow = try ReaderProcess.curl(
                base + "/streams/live/slow.ts", options: ["--limit-rate", "4600"])
            let resident = server.server.memory.status.sample.residentBytes
            var peakReaders = 0
            try await waitUntil("the slow reader to be cut", timeout: 90) {
                peakReaders = max(peakReaders, stream.tracker.bytes(.readers))
                return !server.log.messages("reader disconnected").isEmpty
            }
            let cut = try #require(server.log.messages("reader disconnected").first)
            #expect(cut.metadata["reason"] == "too_many_skips")
            #expect(cut.metadata["skips"] == "1")
            #expect(server.log.messages("reader skipped to the newest keyframe").count == 1)
            // What the kernel still buffers for curl drains at its slow pace: stop it here.
            slow.stop()
            _ = try await slow.exitStatus()
            #expect(try slow.file.firstVideoFrame().hasPrefix("1,I"))
            let decoded = try slow.file.decodeErrors(leavingOut: 0.5)
            #expect(decoded.errors.isEmpty, "decode errors: \(decoded.errors)")
            // Its output is the stream's buffered span at most; the publisher lost nothing.
            #expect(peakReaders < 1 << 20, "readers component peaked at \(peakReaders)")
            #expect(stream.buffer.counters.framesDropped.isEmpty)
            let grown = server.server.memory.status.sample.residentBytes - resident
            #expect(grown < 32 << 20, "resident grew by \(grown) bytes")
            // With its last reader gone, the stream's output is freed.
            try await waitUntil("the readers component to empty") { stream.tracker.bytes(.readers) == 0 }
            publisher.process.terminate()
        }
    }
}
