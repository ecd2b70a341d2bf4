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

        /// A publisher that connects and sends nothing puts its session's thread to sleep until
        /// data comes: it is not woken at all, where a poll would wake it a hundred times a second.
        @Test func aStreamThatSendsNothingCostsNoWakeups() async throws {
            let server = try TestServer { $0.srt.idleTimeoutMilliseconds = 60_000 }
            let silent = try RawPublisher(port: server.port, streamID: "live/silent")
            defer { silent.connection.close() }
            let session = try await waitFor("the silent session's thread") {
                server.server.stream(named: "live/silent").flatMap { $0.threadID != nil ? $0 : nil }
            }
            let thread = try #require(session.threadID)
            let before = try contextSwitches(thread)
            try await Task.sleep(for: .seconds(3))
            let after = try contextSwitches(thread)
            #expect(after - before <= 2, "\(after - before) wakeups in 3 s")

            // Data wakes it at once.
            try await silent.send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(300_000)))
            _ = try await server.waitForLiveStream("live/silent")
            #expect(try contextSwitches(thread) > after)
        }

        /// With one probe slot, a caller that sends one message and then nothing gives the slot
        /// up while it waits: the next publisher probes and goes live at once, not after the
        /// first one's probe deadline.
        @Test func aDribblingCallerHoldsNoProbeSlot() async throws {
            let server = try TestServer {
                $0.srt.probeConcurrency = .count(1)
                $0.srt.probeTimeoutMilliseconds = 60_000
                $0.srt.idleTimeoutMilliseconds = 60_000
            }
            let probes = server.server.ingest.probes
            #expect(probes.slots == 1)
            let fixture = try RawPublisher.fixtureBytes("h264_aac.ts")
            let dribbler = try RawPublisher(port: server.port, streamID: "live/dribbler")
            defer { dribbler.connection.close() }
            try await dribbler.send(Array(fixture.prefix(1316)))
            // Its bytes are counted once its probe has the slot.
            let first = try await waitFor("the dribbler's first message") {
                server.server.stream(named: "live/dribbler").flatMap { $0.bytesReceived > 0 ? $0 : nil }
            }

            let publisher = try RawPublisher(port: server.port, streamID: "live/second")
            defer { publisher.connection.close() }
            try await publisher.send(Array(fixture.prefix(300_000)))
            _ = try await server.waitForLiveStream("live/second")
            #expect(probes.waiting == 0)
            #expect(!first.isLive && !first.isFinished)

            // The dribbler's probe goes on when the rest of its bytes come.
            try await dribbler.send(Array(fixture.dropFirst(1316).prefix(300_000)))
            _ = try await server.waitForLiveStream("live/dribbler")
            try await waitUntil("every probe over") { probes.running == 0 }
        }

        /// A publisher whose bytes wait for a probe slot is not dropped when its probe deadline
        /// passes meanwhile: the deadline counts only the time it had to show a stream.
        @Test func theWaitForAProbeSlotDoesNotCountAgainstTheProbeDeadline() async throws {
            let server = try TestServer {
                $0.srt.probeConcurrency = .count(1)
                $0.srt.probeTimeoutMilliseconds = 1500
            }
            let probes = server.server.ingest.probes
            // The test holds the only slot, as a long probe would.
            #expect(probes.enter(unless: { false }) == .zero)
            var holding = true
            defer { if holding { probes.leave() } }
            let publisher = try RawPublisher(port: server.port, streamID: "live/patient")
            defer { publisher.connection.close() }
            try await publisher.send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(300_000)))
            try await waitUntil("the publisher to wait for the slot") { probes.waiting == 1 }
            try await Task.sleep(for: .seconds(3))
            let session = try #require(server.server.stream(named: "live/patient"))
            probes.leave()
            holding = false
            try await waitUntil("the patient publisher to go live or end") {
                session.isLive || session.isFinished
            }
            #expect(session.isLive, "ended as \(String(describing: session.endReason))")
            #expect(probes.totalWait >= .seconds(3))
        }

        /// A stream whose messages come faster than the pacing interval is read in batches: its
        /// thread wakes fewer times than messages arrive, and no packet comes too late to be read.
        @Test func aBusyStreamIsReadInBatchesAndLosesNothing() async throws {
            let server = try TestServer()
            let port = server.port
            let publisher = Task.detached {
                try run(
                    Paths.loadBinary,
                    [
                        "--port", "\(port)", "--streams", "1", "--file", Paths.fixture("h264_aac.ts"),
                        "--bitrate", "4000000", "--duration", "5",
                    ])
            }
            _ = try await server.waitForLiveStream("load/0")
            let session = try #require(server.server.stream(named: "load/0"))
            let thread = try #require(session.threadID)
            try await Task.sleep(for: .seconds(1))
            let (bytesBefore, wakeupsBefore) = (session.bytesReceived, try voluntarySwitches(thread))
            try await Task.sleep(for: .seconds(2))
            let (bytesAfter, wakeupsAfter) = (session.bytesReceived, try voluntarySwitches(thread))
            let messages = Double(bytesAfter - bytesBefore) / 1316
            let wakeups = Double(wakeupsAfter - wakeupsBefore)
            #expect(messages > 500, "\(messages) messages in 2 s")
            // Woken per message, the thread would sleep at least once for each.
            #expect(wakeups < messages * 0.8, "\(wakeups) wakeups for \(messages) messages")

            // Nothing arrived too late to be read: libsrt dropped no packet.
            let statistics = try #require(session.transportStatistics)
            #expect(statistics.packetsDropped == 0)
            #expect(session.isLive)
            let (status, output) = try await publisher.value
            #expect(status == 0, "\(output)")
        }

        /// The threads the README names are named so in the kernel, where `top -H` and
        /// profilers look: Foundation's own names never leave Foundation on Linux.
        @Test func threadsCarryTheirNamesToTheKernel() async throws {
            let server = try TestServer()
            let publisher = try RawPublisher(port: server.port, streamID: "live/named")
            defer { publisher.connection.close() }
            try await publisher.send(Array(try RawPublisher.fixtureBytes("h264_aac.ts").prefix(300_000)))
            let session = try await server.waitForLiveStream("live/named")
            let names = try taskNames()
            #expect(names.contains("srt-accept-0"), "\(names)")
            #expect(names.contains("memory-monitor"), "\(names)")
            let thread = try #require(session.threadID)
            let name = try String(contentsOfFile: "/proc/self/task/\(thread)/comm", encoding: .utf8)
            #expect(name == "ingest live/nam\n", "the kernel keeps 15 bytes")
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

        /// How often a thread has been switched out, voluntarily or not.
        func contextSwitches(_ thread: Int32) throws -> Int {
            let status = try String(contentsOfFile: "/proc/self/task/\(thread)/status", encoding: .utf8)
            return status.split(separator: "\n").filter {
                $0.hasSuffix("ctxt_switches") || $0.contains("ctxt_switches:")
            }
            .compactMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
            .reduce(0, +)
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
