import Foundation
import Glibc
import SluiceSRT
import Testing

extension Integration {
    /// What a hostile caller sends cannot pass for something else, reach a terminal raw, or
    /// make the HTTP port answer with internals; every refusal is logged and counted.
    @Suite struct Hardening {
        @Test func controlCharactersInAStreamIDAreRefusedAndEscapedInTheLog() async throws {
            let srtPort = SluiceProcess.freePort()
            let path = try Paths.temporaryFile(
                "escape.json", contents: Executable.config(srtPort: srtPort))
            let sluice = try SluiceProcess(arguments: ["--config", path])
            try await waitUntil("sluice to listen") { sluice.output.contains("msg=listening") }
            let refused = {
                (try? SRTCaller.connect(host: "127.0.0.1", port: srtPort, streamID: $0).close()) == nil
            }
            #expect(refused("#!::r=live/a,m=publish,u=\u{1b}[2J\u{1b}]0;owned\u{7}"))
            #expect(refused("live/b\u{9b}31m"))
            try await waitUntil("both refusals to be logged") {
                sluice.output.components(separatedBy: "msg=refused").count == 3
            }
            let output = sluice.output
            #expect(!output.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{7}" || $0 == "\u{9b}" })
            #expect(output.contains(#"u=\u001b[2J\u001b]0;owned\u0007"#), "\(output)")
            #expect(output.contains(#"live/b\u009b31m"#), "\(output)")
            #expect(output.contains("U+001B"))
            sluice.process.terminate()
            #expect(try await sluice.exitStatus() == 0)
        }

        @Test func aWrongOrMissingPassphraseIsLoggedAndCounted() async throws {
            let server = try TestServer { $0.srt.passphrase = "correct-horse-battery" }
            #expect(server.rejection(streamID: "live/enc", passphrase: "not-the-right-one") == .badSecret)
            #expect(server.rejection(streamID: "live/plain") == .unsecure)
            let refusals = try await waitFor("both refusals to be logged") {
                let refusals = server.log.messages("refused")
                return refusals.count == 2 ? refusals : nil
            }
            let badSecret = try #require(refusals.first { $0.metadata["stream_id"] == "live/enc" })
            #expect(badSecret.metadata["peer"]?.hasPrefix("127.0.0.1:") == true)
            #expect(badSecret.metadata["code"] == "\(RejectReason.badSecret.code)")
            #expect(badSecret.metadata["reason"]?.hasPrefix("bad_secret") == true)
            let unsecure = try #require(refusals.first { $0.metadata["stream_id"] == "live/plain" })
            #expect(unsecure.metadata["code"] == "\(RejectReason.unsecure.code)")
            #expect(server.server.ingest.refusals.snapshot == ["bad_secret": 1, "unsecure": 1])
            #expect(server.server.streams.isEmpty)
        }

        @Test func anOversizedBodyAnswers413WithTheJSONErrorShape() async throws {
            let server = try TestServer(http: true)
            let base = try await server.httpBase()
            let small = String(repeating: " ", count: 2048) + "{}"
            let large = "{\"level\": \"soft\", \"pad\": \"" + String(repeating: "x", count: 3 << 20) + "\"}"
            for (path, body) in [("/api/config/reload", small), ("/api/memory/evict", large)] {
                let reply = try await http("POST", base + path, json: body)
                #expect(reply.status == 413, "\(path): \(reply.text)")
                let error = try #require(try reply.json()["error"] as? [String: Any], "\(reply.text)")
                let message = try #require(error["message"] as? String)
                #expect(message.contains(path))
                #expect(!reply.text.contains("NIO") && !reply.text.contains("Error"), "\(reply.text)")
            }
            let logged = server.log.messages("http error")
            #expect(logged.filter { $0.metadata["status"] == "413" }.count == 2)
            #expect(logged.allSatisfy { $0.level == .info && $0.metadata["request_id"] != nil })
            #expect(server.log.messages("config reloaded").isEmpty, "a refused request does nothing")
        }

        @Test func aClientThatSendsHalfItsHeadersIsCutOff() async throws {
            let server = try TestServer(http: true)
            let port = try await waitFor("the HTTP port") { server.server.httpPort }
            let started = ContinuousClock.now
            let closed = try await Task.detached { try Self.sendHalfAHeaderAndWait(port: port, seconds: 30) }
                .value
            let waited = ContinuousClock.now - started
            #expect(closed, "the server closed the connection")
            #expect(waited < .seconds(20), "cut after the request timeout, not the client's patience")
            #expect(waited > .seconds(5))
        }

        /// Opens a TCP connection, sends part of a request's headers and waits; whether the
        /// server closed the connection within `seconds`.
        private static func sendHalfAHeaderAndWait(port: Int, seconds: Int) throws -> Bool {
            let fd = try loopbackTCPConnection(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let partial = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            _ = partial.withCString { send(fd, $0, strlen($0), 0) }
            var byte: UInt8 = 0
            // 0: the server closed it; -1 with EAGAIN: still open when the wait ran out.
            return recv(fd, &byte, 1, 0) == 0
        }
    }
}
