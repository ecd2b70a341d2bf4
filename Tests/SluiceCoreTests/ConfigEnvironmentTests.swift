import Foundation
import Testing

@testable import SluiceCore

@Suite struct ConfigEnvironmentTests {
    private func parse(_ json: String = "{}", environment: [String: String]) throws(ConfigError) -> Config {
        try Config.parse(Data(json.utf8), environment: environment)
    }

    private func error(_ json: String = "{}", environment: [String: String]) -> ConfigError? {
        do {
            _ = try parse(json, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func overridesOfEveryKindWinOverTheFile() throws {
        let file = """
            {"srt": {"latency_ms": 300, "passphrase": "from-the-file", "on_duplicate": "reject"},
             "memory": {"global_limit": "1GiB", "soft": 0.6, "allocation_rate": {"burst_bytes": "1MiB"}}}
            """
        let config = try parse(
            file,
            environment: [
                "SLUICE_SRT_LATENCY_MS": "200",
                "SLUICE_SRT_PASSPHRASE": "0123456789",
                "SLUICE_SRT_ON_DUPLICATE": "replace",
                "SLUICE_MEMORY_GLOBAL_LIMIT": "2GiB",
                "SLUICE_MEMORY_PER_STREAM_LIMIT": "1048576",
                "SLUICE_MEMORY_SOFT": "0.75",
                "SLUICE_MEMORY_AUTO_FRACTION": "1",
                "SLUICE_MEMORY_ALLOCATION_RATE_BURST_BYTES": "64MiB",
                "SLUICE_MEMORY_REFUSE_NEW_STREAMS_AT": "critical",
                "SLUICE_HTTP_LISTEN": "0.0.0.0:9464",
                "SLUICE_HTTP_ADMIN_TOKEN": "0123456789abcdef",
            ])
        #expect(config.srt.latencyMilliseconds == 200)
        #expect(config.srt.passphrase == "0123456789", "digits stay a string for a string key")
        #expect(config.srt.onDuplicate == .replace)
        #expect(config.memory.globalLimit == .bytes(ByteSize(bytes: 2 << 30)))
        #expect(config.memory.perStreamLimit == ByteSize(bytes: 1 << 20))
        #expect(config.memory.soft == 0.75)
        #expect(config.memory.autoFraction == 1)
        #expect(config.memory.allocationRate.burstBytes == ByteSize(bytes: 64 << 20))
        #expect(config.memory.refuseNewStreamsAt == .critical)
        #expect(config.http.listen == ListenAddress(host: "0.0.0.0", port: 9464))
        #expect(config.http.adminToken == "0123456789abcdef")
    }

    @Test func everyKeyCanBeSetFromTheEnvironment() throws {
        let wanted = Config.everyKeyChanged
        var environment: [String: String] = [:]
        for key in Config.keys {
            switch key.value(in: wanted) {
            case .string(let text): environment[key.environmentName] = text
            case .integer(let number): environment[key.environmentName] = String(number)
            case .number(let number): environment[key.environmentName] = String(number)
            // Forward rules are written as JSON; lists of strings (the etcd endpoints) comma-separated.
            case .array(let rules) where key.path == "forward":
                environment[key.environmentName] = JSONValue.array(rules).jsonText
            case .array(let items):
                environment[key.environmentName] = items.map { item in
                    guard case .string(let text) = item else { return "\(item)" }
                    return text
                }.joined(separator: ",")
            case let other: Issue.record("\(key.path) is written as \(other), which has no text form")
            }
        }
        var expected = wanted
        expected.streams = []
        #expect(try parse(environment: environment) == expected)
    }

    @Test func theVariableNamesFollowTheKeyPaths() {
        let names = Config.keys.map(\.environmentName)
        #expect(Set(names).count == names.count)
        #expect(names.contains("SLUICE_MEMORY_ALLOCATION_RATE_BURST_BYTES"))
        #expect(names.contains("SLUICE_SRT_LATENCY_MS"))
    }

    @Test func anEmptyVariableUnsetsAnOptionalString() throws {
        let config = try parse(
            #"{"srt": {"passphrase": "from-the-file"}}"#, environment: ["SLUICE_SRT_PASSPHRASE": ""])
        #expect(config.srt.passphrase == nil)
    }

    @Test func autoCanReplaceAFixedLimit() throws {
        let config = try parse(
            #"{"memory": {"global_limit": "1GiB"}}"#, environment: ["SLUICE_MEMORY_GLOBAL_LIMIT": "auto"])
        #expect(config.memory.globalLimit == .auto)
    }

    @Test(arguments: [
        (
            "SLUICE_SRT_LATENCY_MS", "fast", "srt.latency_ms",
            "expected an integer from 0 to 60000, got \"fast\""
        ),
        ("SLUICE_SRT_LATENCY_MS", "1.5", "srt.latency_ms", "expected an integer from 0 to 60000, got 1.5"),
        ("SLUICE_SRT_IDLE_TIMEOUT_MS", "", "srt.idle_timeout_ms", "got \"\""),
        ("SLUICE_SRT_PASSPHRASE", "short", "srt.passphrase", "10 to 79"),
        ("SLUICE_SRT_PBKEYLEN", "20", "srt.pbkeylen", "16, 24 or 32"),
        ("SLUICE_SRT_ON_DUPLICATE", "kick", "srt.on_duplicate", "\"reject\" or \"replace\""),
        ("SLUICE_HTTP_LISTEN", "everywhere", "http.listen", "IPv4:PORT"),
        ("SLUICE_MEMORY_GLOBAL_LIMIT", "lots", "memory.global_limit", "expected a size"),
        ("SLUICE_MEMORY_GLOBAL_LIMIT", "1MiB", "memory.global_limit", "from 16MiB"),
        (
            "SLUICE_MEMORY_ALLOCATION_RATE_BURST_BYTES", "5", "memory.allocation_rate.burst_bytes",
            "from 64KiB"
        ),
        ("SLUICE_MEMORY_SOFT", "high", "memory.soft", "expected a number"),
        ("SLUICE_MEMORY_CRITICAL", "1", "memory.critical", "below 1"),
    ])
    func anInvalidValueNamesTheVariableAndTheKey(name: String, value: String, key: String, reason: String)
        throws
    {
        let error = try #require(self.error(environment: [name: value]))
        #expect(error.key == "\(name) (\(key))")
        #expect(error.reason.contains(reason), "\(error.reason)")
    }

    @Test func rulesBetweenKeysHoldAfterOverrides() throws {
        let hard = try #require(
            self.error(#"{"memory": {"soft": 0.5}}"#, environment: ["SLUICE_MEMORY_HARD": "0.4"]))
        #expect(hard.key == "memory.hard")
        #expect(hard.reason.contains("above memory.soft"))
        let token = try #require(self.error(environment: ["SLUICE_HTTP_LISTEN": "0.0.0.0:9464"]))
        #expect(token.key == "http.admin_token")
        #expect(token.reason.contains("not a loopback address"))
    }

    @Test(arguments: [
        "SLUICE_MEMORY_GLOBAL_LIMT", "SLUICE_SRT_LATENCY", "SLUICE_HTTP_PORT", "SLUICE_BUFFER_",
    ])
    func anUnknownVariableUnderASectionIsRefused(name: String) throws {
        let error = try #require(self.error(environment: [name: "1"]))
        #expect(error.key == name)
        #expect(error.reason.contains("unknown key"), "\(error.reason)")
    }

    @Test func theKnownVariablesOfTheSectionAreListed() throws {
        let error = try #require(self.error(environment: ["SLUICE_MEMORY_GLOBAL_LIMT": "2GiB"]))
        #expect(error.reason.contains("SLUICE_MEMORY_GLOBAL_LIMIT"))
        #expect(!error.reason.contains("SLUICE_SRT_"))
    }

    @Test func otherVariablesAreNotConfiguration() throws {
        let environment = [
            "SLUICE_BINARY": "/usr/bin/sluice", "SLUICE_BIN_DIR": "/tmp", "SLUICE_STREAMS": "[]",
            "sluice_memory_soft": "0.1", "MEMORY_SOFT": "0.1", "PATH": "/usr/bin",
        ]
        #expect(try parse(environment: environment) == Config())
    }
}
