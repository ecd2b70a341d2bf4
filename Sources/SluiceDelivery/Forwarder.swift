import Foundation
import Logging
import SluiceCore
import SluiceSRT
import SluiceSystem
import Synchronization

/// Publishes one stream to one destination for as long as the stream is live.
///
/// Once the stream's buffer holds a frame, it calls the destination as an SRT caller, opens a
/// ``Reader`` of the stream from its newest keyframe (under the lag policy like any reader, its
/// output counted in the stream's `readers` memory component) and sends the output in 1316-byte
/// messages. When the call fails or the connection breaks, it waits as ``ForwardBackoff`` says
/// and calls again; when the stream ends, it sends what is left and stops.
final class Forwarder: Sendable {
    /// The stream it forwards.
    let source: MuxSource
    /// Where to.
    let destination: ForwardDestination
    private let delivery: Delivery
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    private struct State {
        var phase = ForwardState.connecting
        var connectedSince: Date?
        /// Bytes sent over the connections that ended.
        var bytesSentBefore = 0
        var reconnects = 0
        var lastError: String?
        var reader: Reader?
        var stopped = false
    }

    /// How one connection attempt ended.
    private enum Outcome {
        /// The stream ended and its output went out.
        case streamEnded
        /// The forwarder was stopped.
        case stopped
        /// The call failed or the connection ended early, for this reason.
        case failed(String)
    }

    /// How often a forwarder waiting to call again looks whether its stream ended.
    private static let endCheckInterval = Duration.milliseconds(250)

    init(source: MuxSource, destination: ForwardDestination, delivery: Delivery) {
        self.source = source
        self.destination = destination
        self.delivery = delivery
    }

    /// Starts forwarding.
    /// - Parameter onEnd: Called once the forwarder is done, because its stream ended or it was
    ///   stopped.
    func start(onEnd: @escaping @Sendable (Forwarder) -> Void) {
        task.withLock {
            $0 = Task {
                await run()
                onEnd(self)
            }
        }
    }

    /// Stops forwarding: the connection closes, the reader ends and no call follows.
    func stop() {
        let reader = state.withLock { state -> Reader? in
            state.stopped = true
            return state.reader
        }
        reader?.cut(.operatorRequest)
        task.withLock { $0 }?.cancel()
    }

    private var isStopped: Bool { state.withLock { $0.stopped } || Task.isCancelled }

    private var logger: Logger { delivery.logger }

    private var metadata: Logger.Metadata {
        ["stream": "\(source.name)", "destination": "\(destination.redacted)"]
    }

    private func run() async {
        let arrivals = source.buffer.arrivals
        // The stream is live once its buffer holds a frame; one that never goes live ends.
        while arrivals.value == 0 && !arrivals.ended && !isStopped { await arrivals.wait(beyond: 0) }
        var backoff = ForwardBackoff()
        var first = true
        while !arrivals.ended && !isStopped {
            if !first { state.withLock { $0.reconnects += 1 } }
            first = false
            let (connectedFor, outcome) = await forwardOnce()
            guard case .failed(let error) = outcome else { break }
            let delay = backoff.delay(afterConnectionOf: connectedFor)
            state.withLock {
                $0.phase = .backoff
                $0.lastError = error
            }
            var metadata = self.metadata
            metadata["error"] = "\(error)"
            metadata["retry_in_ms"] = "\(delay.wholeMilliseconds)"
            logger.warning("forward failed", metadata: metadata)
            await pause(delay)
        }
    }

    /// Calls the destination once and forwards until the connection or the stream ends.
    private func forwardOnce() async -> (connectedFor: Duration, outcome: Outcome) {
        state.withLock { $0.phase = .connecting }
        let connection: SRTConnection
        do {
            connection = try await connect()
            try connection.setNonBlockingSend()
            // The stream's last messages must reach the destination after the close that ends it.
            try connection.setLinger(seconds: 2)
        } catch {
            return (.zero, isStopped ? .stopped : .failed("connecting: \(error)"))
        }
        guard !isStopped else {
            connection.close()
            return (.zero, .stopped)
        }
        let reader: Reader
        do {
            reader = try delivery.openReader(
                of: source, protocolName: .forward, peer: destination.address, start: .newestKeyframe)
        } catch {
            connection.close()
            return (.zero, .failed("refused: \(error.explanation)"))
        }
        reader.onCut { connection.close() }
        let stopped = state.withLock { state in
            guard !state.stopped else { return true }
            state.reader = reader
            state.phase = .connected
            state.connectedSince = Date()
            return false
        }
        // Stopped between the check above and here: the reader ends at once.
        if stopped {
            reader.cut(.operatorRequest)
        } else {
            logger.info("forward connected", metadata: metadata)
        }
        let connectedAt = ContinuousClock.now
        let sent = await delivery.send(reader, to: connection)
        connection.close()
        reader.finish(sent)
        let end = reader.cutReason.map(ReaderEnd.cut) ?? sent
        state.withLock { state in
            state.reader = nil
            state.connectedSince = nil
            state.bytesSentBefore += reader.status.bytesSent
        }
        let connectedFor = ContinuousClock.now - connectedAt
        if isStopped { return (connectedFor, .stopped) }
        switch end {
        case .streamEnded: return (connectedFor, .streamEnded)
        case .cut(let reason): return (connectedFor, .failed("cut: \(reason.rawValue)"))
        case .left, .reachedLiveEdge: return (connectedFor, .failed("the connection was lost"))
        }
    }

    /// Calls the destination on a thread of its own: the call blocks for up to libsrt's connect
    /// timeout (3 s), and a name lookup for longer.
    private func connect() async throws(SRTError) -> SRTConnection {
        let destination = destination
        let streamID = destination.streamID(for: source.name)
        let latency = destination.latencyMilliseconds ?? delivery.config.current.srt.latencyMilliseconds
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<SRTConnection, SRTError>, Never>) in
            let thread = Thread(kernelName: "forward-connect") {
                continuation.resume(
                    returning: Result { () throws(SRTError) in
                        try SRTCaller.connect(
                            host: destination.host, port: destination.port, streamID: streamID,
                            latencyMilliseconds: latency, passphrase: destination.passphrase,
                            keyLength: destination.keyLength)
                    })
            }
            thread.start()
        }
        return try result.get()
    }

    /// Waits before the next call, ending early when the stream ends or the forwarder stops.
    private func pause(_ delay: Duration) async {
        let until = ContinuousClock.now + delay
        while ContinuousClock.now < until && !source.buffer.arrivals.ended && !isStopped {
            try? await Task.sleep(for: min(Self.endCheckInterval, until - .now))
        }
    }

    /// The forwarder as the admin API shows it.
    var status: ForwardStatus {
        state.withLock { state in
            ForwardStatus(
                stream: source.name.value, destination: destination.redacted, state: state.phase,
                connectedSince: state.connectedSince,
                bytesSent: state.bytesSentBefore + (state.reader?.status.bytesSent ?? 0),
                reconnects: state.reconnects, lastError: state.lastError, readerID: state.reader?.id)
        }
    }
}
