import ArgumentParser
import Dispatch
import Foundation
import SluiceSRT
import Synchronization

/// The floor for Sluice's ingest cost: SRT reception alone, with nothing done to the bytes.
/// One listener, one epoll, one thread draining every ready connection; what it spends per
/// stream-second is what any SRT receiver on this machine spends at least. With `--send`, the
/// floor for reader fan-out instead: the same bytes sent to every caller (``FloorSender``).
@main
struct FloorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-floor",
        abstract: """
            Receive SRT streams on one listener and discard the bytes, or send one file to every \
            caller; print what it cost.
            """)

    @Option(help: "The IPv4 address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port: UInt16 = 9000
    @Option(help: "SRT receiver latency in milliseconds.") var latency = 120
    @Option(help: "libsrt's receive buffer per connection in bytes (SRTO_RCVBUF).")
    var receiveBuffer = 8 << 20
    @Option(help: "The kernel receive buffer of the listener's UDP socket in bytes (SRTO_UDP_RCVBUF).")
    var udpReceiveBuffer = 4 << 20
    @Option(help: "Seconds to run for; SIGTERM or SIGINT end it sooner.") var duration = 60.0
    @Option(help: "Instead of receiving, send this MPEG-TS file, looping, to every caller.") var send: String?
    @Option(help: "With --send: the pace in bits per second.") var bitrate = 4_000_000.0

    func run() throws {
        let started = ContinuousClock.now
        // The same socket options as Sluice's listener, so the comparison is of what each does
        // with the bytes, not of how libsrt was set up.
        let listener = try SRTListenerGroup(
            options: SRTListenerOptions(
                host: host, port: port, latencyMilliseconds: latency, receiveBufferBytes: receiveBuffer,
                udpReceiveBufferBytes: udpReceiveBuffer),
            count: 1
        ) { _ in .accept(ifRefused: { _ in }) }
        let receiver = try FloorReceiver()
        let sender = try send.map {
            FloorSender(file: [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))), bitrate: bitrate)
        }
        let signals = Self.stopOnSignals { sender?.stop() ?? receiver.stop() }
        let finished = DispatchSemaphore(value: 0)
        let worker = Thread {
            if let sender { sender.send() } else { receiver.drain() }
            finished.signal()
        }
        worker.name = sender == nil ? "floor-drain" : "floor-send"
        worker.start()

        // Accept waits on the listener's own condition, on a thread of its own, as Sluice's does:
        // the drain thread is the only one asleep in libsrt's epoll.
        let connections = Mutex(0)
        let accepted = DispatchSemaphore(value: 0)
        let acceptor = Thread {
            defer { accepted.signal() }
            while let connection = try? listener.accept(on: 0) {
                if let sender {
                    guard (try? sender.add(connection)) != nil else { break }
                } else {
                    // Only a stop that released the epoll in between makes this fail.
                    guard (try? receiver.add(connection)) != nil else { break }
                }
                connections.withLock { $0 += 1 }
            }
        }
        acceptor.name = "floor-accept"
        acceptor.start()

        // libsrt's threads per connection are part of the cost; they leave with their
        // connections, so the count is sampled while the run goes on.
        var mostThreads = 0
        let end = started + .milliseconds(Int(duration * 1000))
        while !(sender?.isStopping ?? receiver.isStopping) && ContinuousClock.now < end {
            mostThreads = max(mostThreads, ProcessUsage.threadCount())
            Thread.sleep(forTimeInterval: 0.1)
        }
        sender?.stop()
        receiver.stop()
        finished.wait()
        // Wakes the accepting thread, which then finds the listener closed.
        listener.close()
        accepted.wait()
        signals.forEach { $0.cancel() }

        let usage = ProcessUsage.now()
        let totals =
            sender.map { ($0.totals.bytes, $0.totals.messages) } ?? (
                receiver.totals.bytes, receiver.totals.messages
            )
        let report = FloorReport(
            connections: connections.withLock { $0 }, bytes: totals.0, messages: totals.1,
            messagesUnsent: sender?.totals.unsent ?? 0,
            seconds: seconds(ContinuousClock.now - started), cpuSeconds: usage.cpuSeconds,
            threads: mostThreads,
            deliveryDelayP50Milliseconds: sender == nil
                ? receiver.totals.delay.milliseconds(atQuantile: 0.5) : nil,
            deliveryDelayP99Milliseconds: sender == nil
                ? receiver.totals.delay.milliseconds(atQuantile: 0.99) : nil,
            peakResidentBytes: usage.peakResidentBytes)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    /// Turns SIGTERM and SIGINT into a clean stop, so a run ended early still reports.
    private static func stopOnSignals(_ stop: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
