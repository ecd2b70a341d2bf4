import Foundation
import SluiceCore
import SluiceIngest
import SluiceSRT
import Synchronization
import Testing

extension Integration {
    /// The receive engine: several libsrt receive threads on one port, and threads woken by data.
    @Suite struct Engine {
        /// Four listeners share the port; callers spread across them, and the handshake decides
        /// as with one: the stream limit and duplicates hold across listeners.
        @Test func severalListenersOnOnePortDecideAsOne() async throws {
            let server = try TestServer {
                $0.srt.receiveThreads = .count(4)
                $0.srt.maxStreams = 6
            }
            #expect(server.server.ingest.listenerCount == 4)
            let receiveThreads = try taskNames().filter { $0.hasPrefix("SRT:RcvQ") }
            #expect(receiveThreads.count >= 4, "\(receiveThreads)")

            var callers: [SRTConnection] = []
            defer { for caller in callers { caller.close() } }
            for index in 0..<6 {
                callers.append(
                    try SRTCaller.connect(host: "127.0.0.1", port: server.port, streamID: "live/s\(index)"))
            }
            let sessions = try await waitFor("six sessions") {
                let sessions = server.server.streams
                return sessions.count == 6 ? sessions : nil
            }
            #expect(Set(sessions.map(\.listener)).count > 1, "callers spread over the listeners")
            // Each new caller comes from a new port, so these land on different listeners.
            for index in 0..<8 {
                #expect(server.rejection(streamID: "live/extra\(index)") == .overload)
                #expect(server.rejection(streamID: "live/s\(index % 6)") == .conflict)
            }
            #expect(server.server.streams.count == 6)
            #expect(server.server.ingest.refusals.snapshot == ["max_streams": 8, "conflict": 8])
        }

        /// Publishers that connect and send nothing cost their demux worker nothing: it sleeps in
        /// libsrt's epoll until data comes, and twenty silent streams cost it no more than none.
        @Test func streamsThatSendNothingCostNoCPU() async throws {
            let server = try TestServer {
                $0.srt.idleTimeoutMilliseconds = 60_000
                $0.srt.receiveThreads = .count(1)
            }
            let worker = try #require(server.server.ingest.demuxThreadIDs.first)
            let idle = try await cpuTicks(worker, over: .seconds(2))
            var silent: [RawPublisher] = []
            defer { for publisher in silent { publisher.connection.close() } }
            for index in 0..<20 {
                silent.append(try RawPublisher(port: server.port, streamID: "live/silent\(index)"))
            }
            _ = try await waitFor("twenty silent sessions on the worker") {
                let sessions = server.server.streams
                return sessions.count == 20 && sessions.allSatisfy({ $0.threadID != nil }) ? true : nil
            }
            #expect(server.server.streams.allSatisfy { $0.threadID == worker })
            let quiet = try await cpuTicks(worker, over: .seconds(3))
            // A tick is 10 ms: a poll per stream, even every 100 ms, would cost far more.
            #expect(quiet <= 2, "\(quiet) ticks in 3 s with 20 silent streams (\(idle) in 2 s with none)")

            // Data wakes it at once.
            try await silent[0].send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(300_000)))
            _ = try await server.waitForLiveStream("live/silent0")
        }

        /// Several busy streams on one worker lose nothing, and a wakeup serves more than one
        /// message: the worker demuxes whatever every stream had when it woke.
        @Test func busyStreamsShareTheirWorkerAndLoseNothing() async throws {
            let server = try TestServer { $0.srt.receiveThreads = .count(1) }
            let port = server.port
            let publisher = Task.detached {
                try run(
                    Paths.loadBinary,
                    [
                        "--port", "\(port)", "--streams", "4", "--file", Paths.fixture("h264_aac.ts"),
                        "--bitrate", "4000000", "--duration", "5",
                    ])
            }
            for index in 0..<4 { _ = try await server.waitForLiveStream("load/\(index)") }
            let sessions = try (0..<4).map { try #require(server.server.stream(named: "load/\($0)")) }
            let worker = try #require(server.server.ingest.demuxThreadIDs.first)
            try await Task.sleep(for: .seconds(1))
            let bytes = { sessions.map(\.bytesReceived).reduce(0, +) }
            let (bytesBefore, wakeupsBefore) = (bytes(), try voluntarySwitches(worker))
            try await Task.sleep(for: .seconds(2))
            let (bytesAfter, wakeupsAfter) = (bytes(), try voluntarySwitches(worker))
            let messages = Double(bytesAfter - bytesBefore) / 1316
            let wakeups = Double(wakeupsAfter - wakeupsBefore)
            #expect(messages > 2000, "\(messages) messages in 2 s")
            // A thread per stream would sleep at least once for each message.
            #expect(wakeups < messages * 0.8, "\(wakeups) wakeups for \(messages) messages")

            // Nothing arrived too late to be read: libsrt dropped no packet.
            for session in sessions {
                let statistics = try #require(session.transportStatistics)
                #expect(statistics.packetsDropped == 0, "\(session.name)")
                #expect(session.isLive)
            }
            let (status, output) = try await publisher.value
            #expect(status == 0, "\(output)")
        }

        /// CPU ticks (10 ms each) a thread used over a span.
        func cpuTicks(_ thread: Int32, over span: Duration) async throws -> Int {
            let before = try cpuTicks(thread)
            try await Task.sleep(for: span)
            return try cpuTicks(thread) - before
        }

        /// CPU ticks a thread has used, user and system (`/proc/<pid>/task/<tid>/stat`).
        func cpuTicks(_ thread: Int32) throws -> Int {
            let stat = try String(contentsOfFile: "/proc/self/task/\(thread)/stat", encoding: .utf8)
            let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
            return try #require(Int(fields[11])) + #require(Int(fields[12]))
        }

        /// The names of this process's threads.
        func taskNames() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap {
                try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }

        /// How often a thread has gone to sleep of its own accord.
        func voluntarySwitches(_ thread: Int32) throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/task/\(thread)/status", encoding: .utf8)
            let line = try #require(
                status.split(separator: "\n").first { $0.hasPrefix("voluntary_ctxt_switches:") })
            return try #require(Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)))
        }
    }
}

extension Integration.Engine {
    /// Callers arriving together cannot slip past `srt.max_streams`: the handshake checks and
    /// takes a place in one step, before any of them is accepted.
    @Test func callersArrivingTogetherNeverExceedTheStreamLimit() async throws {
        let server = try TestServer {
            $0.srt.maxStreams = 64
            $0.srt.receiveThreads = .count(2)
        }
        let port = server.port
        let outcomes = Mutex<[RejectReason?]>([])
        let callers = Mutex<[SRTConnection]>([])
        defer { for caller in callers.withLock({ $0 }) { caller.close() } }
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<300 {
            done.enter()
            Thread {
                start.wait()
                do {
                    let caller = try SRTCaller.connect(
                        host: "127.0.0.1", port: port, streamID: "live/race\(index)")
                    callers.withLock { $0.append(caller) }
                    outcomes.withLock { $0.append(nil) }
                } catch {
                    outcomes.withLock { $0.append((error as? SRTError)?.rejection) }
                }
                done.leave()
            }.start()
        }
        for _ in 0..<300 { start.signal() }
        var most = 0
        while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            most = max(most, server.server.streams.count)
        }
        try await Task.sleep(for: .milliseconds(500))
        most = max(most, server.server.streams.count)
        let results = outcomes.withLock { $0 }
        #expect(results.count == 300)
        #expect(results.filter { $0 == nil }.count == 64, "exactly the limit was let in")
        #expect(results.filter { $0 == .overload }.count == 236)
        #expect(most <= 64 && server.server.streams.count == 64, "at most \(most) live")
    }
}
