import ArgumentParser
import Foundation

/// A reader load generator for benchmarks and smoke tests: N readers of one stream over SRT or
/// HTTP from one thread, each one's MPEG-TS checked (sync bytes, continuity counters) and its
/// time to the first video keyframe packet measured.
@main
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-read",
        abstract: "Read a live stream with N readers over SRT or HTTP; check and time what they get.")

    enum Transport: String, ExpressibleByArgument {
        case srt, http
    }

    @Option(help: "The server's IPv4 address.") var host = "127.0.0.1"
    @Option(help: "The SRT listener's port, or the HTTP port with --transport http.") var port: UInt16 = 9000
    @Option(help: "srt (stream id #!::r=NAME,m=request) or http (GET /streams/NAME.ts).")
    var transport = Transport.srt
    @Option(help: "The stream to read.") var stream: String
    @Option(help: "How many readers to open.") var readers = 1
    @Option(name: .customLong("join-interval-ms"), help: "Milliseconds between two readers joining.")
    var joinIntervalMilliseconds = 0.0
    @Option(help: "Seconds to read for, from the first reader joining.") var duration = 10.0
    @Option(help: "HTTP only: bytes per second each reader reads at most (a slow client).") var rateLimit:
        Int?
    @Flag(help: "HTTP only: a reader whose response ends connects again a second later.")
    var reconnect = false
    @Option(help: "HTTP only: where a reader starts: newest, oldest or next.") var start = "newest"
    @Option(help: "HTTP only: the read token.") var token: String?
    @Option(help: "SRT only: the stream id to send instead of #!::r=NAME,m=request.") var streamID: String?
    @Option(help: "SRT only: latency in milliseconds.") var latency = 120
    @Option(help: "SRT only: decrypt with this passphrase.") var passphrase: String?
    @Option(help: "SRT only: readers that share one local UDP socket (and libsrt's two threads for it).")
    var callersPerSocket = 1

    func validate() throws {
        if transport == .srt && rateLimit != nil {
            throw ValidationError(
                "--rate-limit is for HTTP: an SRT live sender does not slow down for its reader")
        }
    }

    func run() throws {
        let started = ContinuousClock.now
        let plan = ReadPlan(
            readers: readers, start: started,
            joinInterval: .microseconds(Int(joinIntervalMilliseconds * 1000)),
            end: started + .milliseconds(Int(duration * 1000)))
        var report = ReadReport(transport: transport.rawValue, stream: stream, readers: readers)
        switch transport {
        case .srt:
            try SRTReaders(
                host: host, port: port, streamID: streamID ?? "#!::r=\(stream),m=request", latency: latency,
                passphrase: passphrase, callersPerSocket: callersPerSocket
            ).run(plan, into: &report)
        case .http:
            var query = ["start=\(start)"]
            if let token { query.append("token=\(token)") }
            try HTTPReaders(
                host: host, port: port, target: "/streams/\(stream).ts?" + query.joined(separator: "&"),
                rateLimit: rateLimit, reconnect: reconnect
            ).run(plan, into: &report)
        }
        report.seconds = milliseconds(ContinuousClock.now - started) / 1000
        report.summarize()
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
