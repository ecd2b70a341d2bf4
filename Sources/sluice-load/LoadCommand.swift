import ArgumentParser
import Dispatch
import Foundation
import SluiceSRT
import Synchronization

/// A paced SRT publisher for benchmarks and smoke tests: one process, one sending thread, N
/// streams, each paced in real time by the file's PCR (or a given bitrate) and looping.
@main
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-load",
        abstract: "Publish a transport stream file to N SRT stream ids, paced in real time.")

    @Option(help: "The listener's IPv4 address.") var host = "127.0.0.1"
    @Option(help: "The listener's port.") var port: UInt16 = 9000
    @Option(help: "How many streams to publish at once.") var streams = 1
    @Option(help: "Stream ids are this prefix followed by a number.") var prefix = "load/"
    @Flag(help: "Stream i connects to port + i (for receivers that take one caller per port).")
    var portPerStream = false
    @Option(
        help: """
            Callers that share one local UDP socket (and libsrt's two threads for it); 1 gives \
            each its own, as separate encoders would have.
            """)
    var callersPerSocket = 1
    @Option(help: "The MPEG-TS file to send.") var file: String
    @Option(help: "Pace at this many bits per second instead of by the file's PCR.") var bitrate: Double?
    @Option(help: "Seconds to publish for.") var duration = 10.0
    @Option(help: "SRT latency in milliseconds.") var latency = 120
    @Option(help: "Encrypt with this passphrase.") var passphrase: String?
    @Option(help: "Instead of publishing, run this many connect-send-disconnect cycles.") var churn = 0
    @Option(help: "Churn cycles in flight at once.") var concurrency = 8
    @Option(name: .customLong("hold-ms"), help: "How long each churn cycle publishes.") var holdMilliseconds =
        300

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let schedule = try TransportStreamSchedule(bytes: [UInt8](data), bitrate: bitrate)
        let report = churn > 0 ? runChurn(schedule) : runPublishers(schedule)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(report)
        print(String(decoding: json, as: UTF8.self))
    }

    private func connect(_ streamID: String, offset: Int = 0, localPort: UInt16? = nil) -> Result<
        SRTConnection, SRTError
    > {
        Result { () throws(SRTError) -> SRTConnection in
            try SRTCaller.connect(
                host: host, port: port + UInt16(offset), streamID: streamID, latencyMilliseconds: latency,
                passphrase: passphrase, localPort: localPort)
        }
    }

    /// Publishes `streams` streams for `duration` seconds from this thread.
    private func runPublishers(_ schedule: TransportStreamSchedule) -> LoadReport {
        var report = LoadReport(mode: "publish", streams: streams)
        var lanes: [Lane] = []
        // With thousands of callers, a UDP socket and two libsrt threads each would cost this
        // process more than the receiver under test: groups share the first one's port.
        var groupPort: UInt16?
        for index in 0..<streams {
            if index % max(callersPerSocket, 1) == 0 { groupPort = nil }
            switch connect(prefix + String(index), offset: portPerStream ? index : 0, localPort: groupPort) {
            case .success(let connection):
                if groupPort == nil { groupPort = connection.localPort }
                // Start each stream at a different point of the file so keyframes do not align.
                let first = schedule.offsets.count * index / max(streams, 1)
                lanes.append(Lane(connection: connection, next: first, origin: -schedule.offsets[first]))
            case .failure(let error):
                report.noteFailure(error)
            }
        }
        report.connected = lanes.count
        report.sendingStarted = Date().timeIntervalSince1970
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int(duration * 1000))
        while ContinuousClock.now < end && lanes.contains(where: \.alive) {
            let elapsed = seconds(ContinuousClock.now - start)
            var earliest = Double.infinity
            for index in lanes.indices where lanes[index].alive {
                while lanes[index].alive && lanes[index].due(schedule) <= elapsed {
                    lanes[index].send(schedule, report: &report)
                }
                earliest = min(earliest, lanes[index].due(schedule))
            }
            let wait = min(max(earliest - seconds(ContinuousClock.now - start), 0), 0.002)
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        }
        report.seconds = seconds(ContinuousClock.now - start)
        for lane in lanes {
            if let stats = lane.connection.senderStatistics() { report.srt += stats }
            lane.connection.close()
        }
        return report
    }

    /// Runs `churn` short publishing sessions, `concurrency` at a time.
    private func runChurn(_ schedule: TransportStreamSchedule) -> LoadReport {
        let shared = Mutex(LoadReport(mode: "churn", streams: churn))
        let nextCycle = Atomic<Int>(0)
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: concurrency) { _ in
            while true {
                let cycle = nextCycle.add(1, ordering: .relaxed).oldValue
                guard cycle < churn else { return }
                switch connect(prefix + "churn-" + String(cycle)) {
                case .failure(let error):
                    shared.withLock { $0.noteFailure(error) }
                case .success(let connection):
                    var lane = Lane(connection: connection, next: 0, origin: 0)
                    var local = LoadReport(mode: "churn", streams: 0)
                    let began = ContinuousClock.now
                    let hold = Double(holdMilliseconds) / 1000
                    while lane.alive && lane.due(schedule) <= hold {
                        let wait = lane.due(schedule) - seconds(ContinuousClock.now - began)
                        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                        lane.send(schedule, report: &local)
                    }
                    let stats = connection.senderStatistics()
                    connection.close()
                    shared.withLock { report in
                        report.connected += 1
                        report.chunksSent += local.chunksSent
                        report.bytesSent += local.bytesSent
                        report.sendFailures += local.sendFailures
                        if let stats { report.srt += stats }
                    }
                }
            }
        }
        var report = shared.withLock { $0 }
        report.seconds = seconds(ContinuousClock.now - start)
        return report
    }
}

/// One stream's place in the file.
private struct Lane {
    let connection: SRTConnection
    var next: Int
    var origin: Double
    var alive = true

    func due(_ schedule: TransportStreamSchedule) -> Double { origin + schedule.offsets[next] }

    mutating func send(_ schedule: TransportStreamSchedule, report: inout LoadReport) {
        let chunk = schedule.chunk(next)
        let sent = chunk.withUnsafeBytes { bytes in (try? connection.send(bytes)) != nil }
        if sent {
            report.chunksSent += 1
            report.bytesSent += chunk.count
        } else {
            report.sendFailures += 1
            alive = false
        }
        next += 1
        if next == schedule.offsets.count {
            // Loop: the next pass starts one file length later.
            next = 0
            origin += schedule.duration
        }
    }
}

/// What a run sent, printed as one JSON object.
struct LoadReport: Codable {
    var mode: String
    var streams: Int
    var connected = 0
    var rejected: [String: Int] = [:]
    var connectFailures = 0
    var sendFailures = 0
    var seconds = 0.0
    /// When sending began (Unix time, seconds): a receiver's steady window starts here, after
    /// every caller has connected, and lasts ``seconds``.
    var sendingStarted = 0.0
    var chunksSent = 0
    var bytesSent = 0
    var srt = SRTSenderStatistics.zero

    init(mode: String, streams: Int) {
        self.mode = mode
        self.streams = streams
    }

    mutating func noteFailure(_ error: SRTError) {
        if let code = error.rejection?.code {
            rejected[String(code), default: 0] += 1
        } else {
            connectFailures += 1
        }
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
