import Foundation
import Testing

extension Integration {
    /// The `sluice` executable itself: signals, configuration errors, linking.
    @Suite struct Executable {
        /// A configuration on free loopback ports.
        static func config(
            srtPort: UInt16 = SluiceProcess.freePort(), httpPort: UInt16 = SluiceProcess.freeTCPPort(),
            extra: String = ""
        ) -> String {
            #"{"srt": {"listen": "127.0.0.1:\#(srtPort)"}, "http": {"listen": "127.0.0.1:\#(httpPort)"}\#(extra)}"#
        }

        @Test func sighupReloadsTheConfigurationFile() async throws {
            let httpPort = SluiceProcess.freeTCPPort()
            let srtPort = SluiceProcess.freePort()
            let path = try Paths.temporaryFile(
                "sighup.json", contents: Self.config(srtPort: srtPort, httpPort: httpPort))
            let sluice = try SluiceProcess(arguments: ["--config", path])
            try await waitUntil("sluice to serve HTTP") { sluice.output.contains("msg=\"http listening\"") }
            try Self.config(srtPort: srtPort, httpPort: httpPort, extra: #", "memory": {"soft": 0.7}"#)
                .write(toFile: path, atomically: true, encoding: .utf8)
            kill(sluice.process.processIdentifier, SIGHUP)
            try await waitUntil("the reload") { sluice.output.contains("msg=\"config reloaded\"") }
            #expect(sluice.output.contains("applied=memory.soft"))
            let config = try await http("GET", "http://127.0.0.1:\(httpPort)/api/config")
            #expect(config.text.contains("\"soft\": 0.7"))
            sluice.process.terminate()
            #expect(try await sluice.exitStatus() == 0)
        }

        @Test func theAdminAPIOnANonLoopbackAddressNeedsAToken() async throws {
            let config = try Paths.temporaryFile(
                "open.json", contents: #"{"http": {"listen": "0.0.0.0:9464"}}"#)
            let sluice = try SluiceProcess(arguments: ["--config", config])
            #expect(try await sluice.exitStatus() != 0)
            #expect(sluice.output.contains("http.admin_token"), "\(sluice.output)")
            #expect(sluice.output.contains("not a loopback address"))
        }

        @Test func sigtermWithPublishersExitsCleanlyWithinTwoSeconds() async throws {
            let port = SluiceProcess.freePort()
            let config = try Paths.temporaryFile("sigterm.json", contents: Self.config(srtPort: port))
            let sluice = try SluiceProcess(arguments: ["--config", config])
            try await waitUntil("sluice to listen") { sluice.output.contains("msg=listening") }
            let url = { (name: String) in "srt://127.0.0.1:\(port)?streamid=\(name)&latency=120000" }
            let publishers = try ["live/a", "live/b"].map {
                try Publisher(fixture: "h264_aac.ts", url: url($0))
            }
            try await waitUntil("both streams to go live") {
                sluice.output.components(separatedBy: "msg=\"stream live\"").count == 3
            }
            let signalled = Date()
            sluice.process.terminate()  // SIGTERM
            let status = try await sluice.exitStatus(timeout: 5)
            let elapsed = Date().timeIntervalSince(signalled)
            #expect(status == 0, "\(sluice.output)")
            #expect(elapsed < 2, "exit took \(elapsed) s")
            #expect(sluice.output.components(separatedBy: "reason=shutdown").count == 3, "\(sluice.output)")
            for publisher in publishers { #expect(try await publisher.exitStatus() != 0) }
        }

        @Test func sigintAlsoStopsIt() async throws {
            let port = SluiceProcess.freePort()
            let config = try Paths.temporaryFile(
                "sigint.json", contents: #"{"srt": {"listen": "127.0.0.1:\#(port)"}}"#)
            let sluice = try SluiceProcess(arguments: ["--config", config])
            try await waitUntil("sluice to listen") { sluice.output.contains("msg=listening") }
            sluice.process.interrupt()
            #expect(try await sluice.exitStatus(timeout: 5) == 0)
        }

        @Test(arguments: [
            (#"{"srt": {"latency_ms": "slow"}}"#, "srt.latency_ms"),
            (#"{"srt": {"listen": "127.0.0.1:9000", "passphrase": "short"}}"#, "srt.passphrase"),
            (#"{"buffer": {"max_duration": 5000}}"#, "buffer.max_duration"),
            (#"{"srt": {"on_duplicate": "kick"}}"#, "srt.on_duplicate"),
        ])
        func aBadConfigStopsStartUpNamingTheKey(json: String, key: String) async throws {
            let config = try Paths.temporaryFile("bad.json", contents: json)
            // Each of these fails before anything binds a port.
            let sluice = try SluiceProcess(arguments: ["--config", config])
            #expect(try await sluice.exitStatus() != 0)
            #expect(sluice.output.contains(key), "\(sluice.output)")
            #expect(!sluice.output.contains("msg=listening"))
        }

        @Test func checkConfigValidatesFiles() async throws {
            let shipped = try SluiceProcess(
                arguments: ["check-config", Paths.root.appendingPathComponent("config/sluice.json").path])
            #expect(try await shipped.exitStatus() == 0)
            #expect(shipped.output.contains("\"max_duration_ms\": 10000"))
            let broken = try SluiceProcess(
                arguments: [
                    "check-config", try Paths.temporaryFile("x.json", contents: #"{"srt": {"pbkeylen": 8}}"#),
                ])
            #expect(try await broken.exitStatus() == 1)
            #expect(broken.output.contains("srt.pbkeylen"))
            let missing = try SluiceProcess(arguments: ["check-config", "/nonexistent/sluice.json"])
            #expect(try await missing.exitStatus() == 1)
            #expect(missing.output.contains("cannot read"))
        }

        @Test func exactlyOneLibsrtIsLoaded() throws {
            let ldd = Process()
            ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
            ldd.arguments = [Paths.sluiceBinary]
            let output = Pipe()
            ldd.standardOutput = output
            try ldd.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            ldd.waitUntilExit()
            let srtLines = text.split(separator: "\n").filter { $0.contains("libsrt") }
            #expect(srtLines.count == 1, "\(srtLines)")
            #expect(srtLines.first?.contains("libsrt-gnutls") == true)
            #expect(text.contains("libavformat"))
        }
    }
}
