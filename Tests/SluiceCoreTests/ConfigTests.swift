import Foundation
import Testing

@testable import SluiceCore

@Suite struct ConfigTests {
    private func parse(_ json: String) throws(ConfigError) -> Config {
        try Config.parse(Data(json.utf8))
    }

    private func error(_ json: String) -> ConfigError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func emptyDocumentGivesDefaults() throws {
        #expect(try parse("{}") == Config())
    }

    @Test func renderedDefaultsParseBackToDefaults() throws {
        #expect(try parse(Config().rendered()) == Config())
    }

    @Test func shippedConfigIsTheDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let config = try Config.load(path: root.appendingPathComponent("config/sluice.json").path)
        #expect(config == Config())
    }

    @Test func valuesAreRead() throws {
        let config = try parse(
            """
            {"srt": {"listen": "127.0.0.1:7000", "latency_ms": 300, "passphrase": "0123456789abc",
                     "pbkeylen": 32, "on_duplicate": "replace", "idle_timeout_ms": 1500, "max_streams": 8},
             "buffer": {"max_duration_ms": 4000, "max_bytes": "1.5MiB"}}
            """)
        #expect(config.srt.listen == ListenAddress(host: "127.0.0.1", port: 7000))
        #expect(config.srt.latencyMilliseconds == 300)
        #expect(config.srt.passphrase == "0123456789abc")
        #expect(config.srt.keyLength == 32)
        #expect(config.srt.onDuplicate == .replace)
        #expect(config.srt.idleTimeoutMilliseconds == 1500)
        #expect(config.srt.maxStreams == 8)
        #expect(config.buffer.maxDurationMilliseconds == 4000)
        #expect(config.buffer.maxBytes.bytes == 1_572_864)
    }

    @Test(arguments: [
        (#"{"srt": {"latncy_ms": 100}}"#, "srt.latncy_ms", "unknown key"),
        (#"{"bufer": {}}"#, "bufer", "unknown key"),
        (#"{"srt": {"latency_ms": "fast"}}"#, "srt.latency_ms", "expected an integer"),
        (#"{"srt": {"latency_ms": 1.5}}"#, "srt.latency_ms", "expected an integer"),
        (#"{"srt": {"passphrase": "short"}}"#, "srt.passphrase", "10 to 79"),
        (#"{"srt": {"pbkeylen": 20}}"#, "srt.pbkeylen", "16, 24 or 32"),
        (#"{"srt": {"on_duplicate": "kick"}}"#, "srt.on_duplicate", "\"reject\" or \"replace\""),
        (#"{"srt": {"listen": "9000"}}"#, "srt.listen", "IPv4:PORT"),
        (#"{"srt": {"listen": "1.2.3:9000"}}"#, "srt.listen", "IPv4:PORT"),
        (#"{"srt": []}"#, "srt", "expected an object"),
        (#"{"buffer": {"max_bytes": "lots"}}"#, "buffer.max_bytes", "expected a size"),
        (#"{"buffer": {"max_bytes": 10}}"#, "buffer.max_bytes", "from 64KiB"),
        (#"{"buffer": {"max_duration_ms": -1}}"#, "buffer.max_duration_ms", "from 100"),
        (#"{"srt": {"idle_timeout_ms": true}}"#, "srt.idle_timeout_ms", "got true"),
    ])
    func invalidValuesNameTheKey(json: String, key: String, reason: String) throws {
        let error = try #require(self.error(json))
        #expect(error.key == key)
        #expect(error.reason.contains(reason), "\(error.reason)")
        #expect(error.description.contains(key))
    }

    @Test func brokenJSONSaysSo() throws {
        let error = try #require(self.error(#"{"srt": "#))
        #expect(error.reason.contains("not valid JSON"))
        #expect(self.error("[1, 2]")?.reason.contains("top level") == true)
    }

    @Test func sizesParse() {
        #expect(ByteSize(parsing: "400MiB")?.bytes == 400 << 20)
        #expect(ByteSize(parsing: "2GiB")?.bytes == 2 << 30)
        #expect(ByteSize(parsing: "500MB")?.bytes == 500_000_000)
        #expect(ByteSize(parsing: " 12 KiB ")?.bytes == 12 << 10)
        #expect(ByteSize(parsing: "1024")?.bytes == 1024)
        #expect(ByteSize(parsing: "-1MiB") == nil)
        #expect(ByteSize(parsing: "MiB") == nil)
        #expect(ByteSize(parsing: "99999999999TiB") == nil)
        #expect(ByteSize(bytes: 400 << 20).description == "400MiB")
    }
}
