import Foundation
import Glibc
import SluiceCore
import SluiceSRT
import Testing

extension Integration {
    /// Floods of raw datagrams at the SRT port, beside a good publisher that
    /// must lose nothing.
    @Suite struct HostileFloods {
        /// 50,000 datagrams that are not SRT, or look like SRT control packets and handshakes
        /// with garbage inside, sent as fast as one socket can.
        @Test func aRawUDPFloodLeavesTheGoodPublisherWhole() async throws {
            let server = try TestServer()
            let good = try await GoodPublisher(on: server)
            let sent = try Self.flood(port: server.port, datagrams: 50_000)
            #expect(sent == 50_000)
            try await good.expectWhole()
            let after = try Publisher(fixture: "h264_video_only.ts", url: server.url(streamID: "live/after"))
            _ = try await server.waitForLiveStream("live/after")
            after.process.terminate()
        }

        /// A flood of refused handshakes while nothing reads the server's log: each refusal is
        /// logged from libsrt's receive thread, which must not wait for the log, or the pipe
        /// filling up would stop every stream of the listener.
        @Test func refusalsLoggedToALogNobodyReadsLeaveTheGoodPublisherWhole() async throws {
            let srtPort = SluiceProcess.freePort()
            let httpPort = SluiceProcess.freeTCPPort()
            let config = try Paths.temporaryFile(
                "unread-log.json",
                contents:
                    #"{"srt": {"listen": "127.0.0.1:\#(srtPort)"}, "http": {"listen": "127.0.0.1:\#(httpPort)"}}"#
            )
            let sluice = try SluiceProcess(arguments: ["--config", config], readingOutput: false)
            let base = "http://127.0.0.1:\(httpPort)"
            try await waitUntil("sluice to be ready") {
                (try? await http("GET", base + "/readyz"))?.status == 200
            }
            // 24 s of it: live through the whole flood, however long the flood takes.
            let good = try Publisher(
                fixture: "h264_aac.ts", url: "srt://127.0.0.1:\(srtPort)?streamid=live/good&latency=120000",
                extraInput: ["-stream_loop", "2"])
            try await waitUntil("the good stream to go live") {
                (try? await http("GET", base + "/api/streams/live/good"))?.status == 200
            }
            // About 250 bytes of log each: several times what a pipe holds.
            let refused = try await Self.refusedHandshakes(port: srtPort, threads: 4, each: 250)
            #expect(refused == 1000)
            let stream = try await http("GET", base + "/api/streams/live/good").json()
            #expect(stream["corrupt_packets"] as? Int == 0)
            #expect(
                (stream["frames_dropped"] as? [String: Int] ?? [:]).keys.allSatisfy {
                    $0 == "before_keyframe"
                })
            #expect(try await good.exitStatus() == 0, "the good publisher was not held up")
            let metrics = try await http("GET", base + "/metrics").text
            #expect(metrics.contains(#"sluice_streams_rejected_total{reason="not_found"} 1000"#))
            // Once read, the log has every refusal: the queue held what the pipe could not.
            sluice.startReading()
            try await waitUntil("every refusal in the log") {
                sluice.output.components(separatedBy: "msg=refused").count - 1 == 1000
            }
            sluice.process.terminate()
            #expect(try await sluice.exitStatus() == 0)
        }

        /// Calls `port` `threads` × `each` times as readers of a stream that is not live, each
        /// refused (1404) and logged, for 60 s at most; how many were refused.
        static func refusedHandshakes(port: UInt16, threads: Int, each: Int) async throws -> Int {
            // A server stuck on its log answers no handshake: each call would wait out
            // libsrt's connect timeout.
            let deadline = ContinuousClock.now + .seconds(60)
            return try await withThrowingTaskGroup(of: Int.self) { group in
                for thread in 0..<threads {
                    group.addTask {
                        try await Task.detached {
                            (0..<each).reduce(0) { count, index in
                                guard ContinuousClock.now < deadline else { return count }
                                let id = "#!::r=live/absent-\(thread)-\(index),m=request"
                                let refused =
                                    (try? SRTCaller.connect(host: "127.0.0.1", port: port, streamID: id))
                                    == nil
                                return count + (refused ? 1 : 0)
                            }
                        }.value
                    }
                }
                return try await group.reduce(0, +)
            }
        }

        /// Sends `datagrams` UDP datagrams of random bytes to `port` on loopback; every other one
        /// starts as an SRT control packet (a handshake or another type). Returns how many the
        /// kernel took.
        static func flood(port: UInt16, datagrams: Int) throws -> Int {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard socket >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            // Random bytes drawn once; each datagram is a random slice of them.
            var generator = SystemRandomNumberGenerator()
            let pool = (0..<(1 << 16)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var sent = 0
            for index in 0..<datagrams {
                let length = Int.random(in: 16...1456, using: &generator)
                let start = Int.random(in: 0...(pool.count - length), using: &generator)
                var bytes = Array(pool[start..<start + length])
                if index % 2 == 0 {
                    // Control bit set; type 0 (handshake) for half of them.
                    bytes[0] = 0x80
                    if index % 4 == 0 { bytes[1] = 0 }
                }
                let result = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                if result == bytes.count { sent += 1 }
            }
            return sent
        }
    }
}
