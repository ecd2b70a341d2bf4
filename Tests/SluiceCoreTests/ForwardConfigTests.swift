import Foundation
import Testing

@testable import SluiceCore

@Suite struct ForwardConfigTests {
    private func parse(_ json: String, environment: [String: String] = [:]) throws(ConfigError) -> Config {
        try Config.parse(Data(json.utf8), environment: environment)
    }

    private func error(_ json: String, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try parse(json, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func rulesAreReadAndEveryMatchingRuleApplies() throws {
        let config = try parse(
            #"""
            {"forward": [
              {"match": "live/**", "to": ["srt://10.0.0.5:9000?streamid=#!::r={name},m=publish&passphrase=long-secret-phrase&pbkeylen=32&latency=200",
                                         "srt://backup.example.com:9001"]},
              {"match": "live/premium/*", "to": ["srt://backup.example.com:9001", "srt://127.0.0.1:7000?streamid=%23!::r=x"]}
            ]}
            """#)
        let name = try StreamName("live/premium/cam1")
        let destinations = config.forwardDestinations(for: name)
        #expect(
            destinations.map(\.address) == ["10.0.0.5:9000", "backup.example.com:9001", "127.0.0.1:7000"])
        let first = destinations[0]
        #expect(first.streamID(for: name) == "#!::r=live/premium/cam1,m=publish")
        #expect(first.passphrase == "long-secret-phrase")
        #expect(first.keyLength == 32)
        #expect(first.latencyMilliseconds == 200)
        #expect(destinations[1].streamID(for: name) == "live/premium/cam1", "no streamid: the stream's name")
        #expect(destinations[1].passphrase == nil && destinations[1].latencyMilliseconds == nil)
        #expect(destinations[2].streamID(for: name) == "#!::r=x", "percent-encoding is decoded")
        #expect(config.forwardDestinations(for: try StreamName("live/a/b")).count == 2)
        #expect(config.forwardDestinations(for: try StreamName("test/a")).isEmpty)
        #expect(try parse(config.rendered(redactingSecrets: false)) == config)
    }

    @Test func passphrasesAreRedactedWhereverTheRulesAreShown() throws {
        let config = try parse(
            #"{"forward": [{"match": "**", "to": ["srt://h:1?streamid=a&passphrase=long-secret-phrase"]}]}"#)
        let destination = try #require(config.forward.first?.destinations.first)
        #expect(destination.redacted == "srt://h:1?streamid=a&passphrase=<redacted>")
        #expect("\(destination)" == destination.redacted)
        let shown = config.rendered()
        #expect(!shown.contains("long-secret-phrase") && shown.contains("passphrase=<redacted>"))
    }

    @Test func theEnvironmentSetsTheRulesAsJSON() throws {
        let rules = #"[{"match": "live/*", "to": ["srt://127.0.0.1:9100"]}]"#
        let config = try parse(
            #"{"forward": [{"match": "**", "to": ["srt://h:1"]}]}"#, environment: ["SLUICE_FORWARD": rules])
        #expect(config.forward.map(\.pattern.text) == ["live/*"])
        #expect(
            try parse(
                #"{"forward": [{"match": "**", "to": ["srt://h:1"]}]}"#, environment: ["SLUICE_FORWARD": ""]
            ).forward.isEmpty)
        let error = try #require(self.error("{}", environment: ["SLUICE_FORWARD": "srt://h:1"]))
        #expect(error.key == "SLUICE_FORWARD (forward)")
        #expect(error.reason.contains("expected an array of rules"))
        #expect(
            self.error("{}", environment: ["SLUICE_FORWARD_TO": "x"])?.reason.contains("unknown key") == true)
    }

    @Test(arguments: [
        (#"{"forward": {}}"#, "forward", "expected an array of rules"),
        (#"{"forward": [{"to": ["srt://h:1"]}]}"#, "forward[0].match", "non-empty name pattern"),
        (#"{"forward": [{"match": "", "to": ["srt://h:1"]}]}"#, "forward[0].match", "non-empty name pattern"),
        (#"{"forward": [{"match": "a"}]}"#, "forward[0].to", "one or more srt:// URLs"),
        (#"{"forward": [{"match": "a", "to": []}]}"#, "forward[0].to", "one or more srt:// URLs"),
        (#"{"forward": [{"match": "a", "to": "srt://h:1"}]}"#, "forward[0].to", "one or more srt:// URLs"),
        (#"{"forward": [{"match": "a", "to": ["srt://h:1"], "too": 1}]}"#, "forward[0].too", "unknown key"),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1", 5]}]}"#, "forward[0].to[1]",
            "expected an srt:// URL"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1", "udp://h:1"]}]}"#, "forward[0].to[1]",
            "srt:// URL"
        ),
        (#"{"forward": [{"match": "a", "to": ["srt://h"]}]}"#, "forward[0].to[0]", "with a port"),
        (#"{"forward": [{"match": "a", "to": ["srt://h:0"]}]}"#, "forward[0].to[0]", "from 1 to 65535"),
        (#"{"forward": [{"match": "a", "to": ["srt://h:70000"]}]}"#, "forward[0].to[0]", "with a port"),
        (
            #"{"forward": [{"match": "a", "to": ["srt://:9000"]}]}"#, "forward[0].to[0]",
            "not an IPv4 address or a host name"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://bad host:9000"]}]}"#, "forward[0].to[0]",
            "not an IPv4 address or a host name"
        ),
        (#"{"forward": [{"match": "a", "to": ["srt://[::1]:9000"]}]}"#, "forward[0].to[0]", "IPv6"),
        (#"{"forward": [{"match": "a", "to": ["srt://h:9000/live"]}]}"#, "forward[0].to[0]", "no path"),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?pasphrase=0123456789"]}]}"#, "forward[0].to[0]",
            "unknown parameter 'pasphrase'"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?passphrase=short"]}]}"#, "forward[0].to[0]",
            "10 to 79"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?passphrase=0123456789&pbkeylen=20"]}]}"#,
            "forward[0].to[0]", "16, 24 or 32"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?pbkeylen=16"]}]}"#, "forward[0].to[0]",
            "needs a passphrase"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?latency=120000"]}]}"#, "forward[0].to[0]",
            "milliseconds from 0 to 60000"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?mode=listener"]}]}"#, "forward[0].to[0]",
            "\"caller\""
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?streamid=a&streamid=b"]}]}"#, "forward[0].to[0]",
            "given twice"
        ),
        (#"{"forward": [{"match": "a", "to": ["srt://h:1?streamid="]}]}"#, "forward[0].to[0]", "1 to 512"),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1?streamid=%zz"]}]}"#, "forward[0].to[0]",
            "percent-encoding"
        ),
        (
            #"{"forward": [{"match": "a", "to": ["srt://h:1"]}, {"match": "b", "to": ["srt://h:1", "srt://h:2?latency=x"]}]}"#,
            "forward[1].to[1]", "latency"
        ),
    ])
    func badRulesNameTheKeyAndWhy(json: String, key: String, reason: String) throws {
        let error = try #require(self.error(json))
        #expect(error.key == key)
        #expect(error.reason.contains(reason), "\(error.reason)")
    }

    @Test func aChangedRuleIsAChangedKey() throws {
        let running = try parse(#"{"forward": [{"match": "live/*", "to": ["srt://h:1"]}]}"#)
        let fresh = try parse(#"{"forward": [{"match": "live/*", "to": ["srt://h:1?latency=200"]}]}"#)
        #expect(fresh.changedKeys(from: running) == ["forward"])
        #expect(fresh.keepingRestartOnlyKeys(of: running).forward == fresh.forward, "applied on reload")
    }
}
