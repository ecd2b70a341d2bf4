import Logging
import SluiceCore
import Synchronization

/// Live readers of every stream: one shared ``StreamMux`` per stream with readers, the
/// readers themselves, their limits and their totals.
///
/// A stream's mux starts with its first reader and stops (freeing its output) when its last
/// reader leaves. Transports (SRT in `Delivery+SRT.swift`, HTTP in the server) open a reader
/// with ``openReader(of:protocolName:peer:start:)``, loop on ``Reader/next(maxBytes:)`` and
/// call ``Reader/finish(_:)``.
public final class Delivery: Sendable {
    let config: ConfigStore
    let memory: MemoryController
    let logger: Logger
    /// The running totals.
    public let statistics = DeliveryStatistics()
    private let state = Mutex(State())

    private struct State {
        var muxes: [ObjectIdentifier: StreamMux] = [:]
        var readers: [UInt64: Reader] = [:]
        var countByStream: [StreamName: Int] = [:]
        var nextID: UInt64 = 1
        var sweeping = false
    }

    /// How often readers stuck in a write are checked against the lag policy.
    static let sweepInterval = Duration.milliseconds(250)

    /// Creates the delivery side; nothing runs until a reader comes.
    /// - Parameters:
    ///   - config: The configuration in force (`readers.*`, read at every decision).
    ///   - memory: The memory controller, asked whether new readers are refused.
    ///   - logger: Where readers starting, skipping and ending are logged.
    public init(config: ConfigStore, memory: MemoryController, logger: Logger) {
        self.config = config
        self.memory = memory
        self.logger = logger
    }

    /// How long gathering (HTTP) readers gather output (`readers.http_write_interval_ms`).
    var gatherInterval: Duration { .milliseconds(config.current.readers.httpWriteIntervalMilliseconds) }

    /// The lag policy in force.
    var lagPolicy: ReaderLagPolicy { ReaderLagPolicy(config.current.readers) }

    /// Why a new reader of `name` would be refused now, or `nil` if it fits. Only reads.
    /// - Parameter name: The stream.
    public func refusal(forReaderOf name: StreamName) -> ReaderRefusal? {
        let (stream, total) = state.withLock { ($0.countByStream[name, default: 0], $0.readers.count) }
        return ReaderRefusal.check(
            streamReaders: stream, totalReaders: total, limits: config.current.readers,
            refusingNewStreams: memory.status.refusingNewStreams)
    }

    /// Opens a reader of a live stream, starting its stream's mux if it is the first.
    /// - Parameters:
    ///   - source: The stream.
    ///   - protocolName: How the reader receives.
    ///   - peer: Its address.
    ///   - start: Where it starts.
    /// - Throws: ``ReaderRefusal`` when it does not fit.
    public func openReader(
        of source: MuxSource, protocolName: ReaderProtocol, peer: String, start: BufferCursor.Start
    ) throws(ReaderRefusal) -> Reader {
        if let refusal = refusal(forReaderOf: source.name) { throw refusal }
        let (reader, started, sweep) = state.withLock { state -> (Reader, StreamMux?, Bool) in
            let key = ObjectIdentifier(source.buffer)
            var started: StreamMux?
            let mux =
                state.muxes[key]
                ?? {
                    let mux = StreamMux(source: source) { [unowned self] in gatherInterval }
                    state.muxes[key] = mux
                    started = mux
                    return mux
                }()
            let reader = Reader(
                id: state.nextID, protocolName: protocolName, peer: peer, start: start, mux: mux,
                delivery: self)
            state.nextID += 1
            state.readers[reader.id] = reader
            state.countByStream[source.name, default: 0] += 1
            defer { state.sweeping = true }
            return (reader, started, !state.sweeping)
        }
        started?.start(logger: logger)
        if sweep { Task { await sweepReaders() } }
        statistics.started(protocolName)
        logger.info(
            "reader connected",
            metadata: [
                "reader": "\(reader.id)", "stream": "\(source.name)", "peer": "\(peer)",
                "protocol": "\(protocolName.rawValue)", "start": "\(start)",
            ])
        return reader
    }

    /// Applies the lag policy to every reader a few times a second, while there are readers.
    /// Under soft or hard memory pressure the most lagging readers are first moved to the
    /// newest keyframe (``ReaderPressurePolicy``). At critical every reader is cut instead:
    /// readers go before the memory controller sheds a publisher, which it does only after
    /// `memory.shed_after_ms`.
    private func sweepReaders() async {
        while true {
            try? await Task.sleep(for: Self.sweepInterval)
            let (readers, muxes) = state.withLock { state -> ([Reader], [StreamMux]) in
                if state.readers.isEmpty { state.sweeping = false }
                return (Array(state.readers.values), Array(state.muxes.values))
            }
            guard !readers.isEmpty else { return }
            // A stream that pauses still lets its gathering readers have what came before.
            for mux in muxes { mux.log.gatherIfDue() }
            let level = memory.status.level
            if level > .none && level < .critical {
                let lags = readers.compactMap { reader in
                    reader.lag.flatMap { reader.isOnlyGathering($0) ? nil : (id: reader.id, lag: $0) }
                }
                let moved = Set(ReaderPressurePolicy.readersToSkip(at: level, lags: lags))
                for reader in readers where moved.contains(reader.id) { reader.skipForPressure() }
            }
            for reader in readers {
                if level == .critical { reader.cut(.memoryCritical) } else { reader.enforceLagPolicy() }
            }
        }
    }

    func remove(_ reader: Reader, end: ReaderEnd) {
        let stopped = state.withLock { state -> StreamMux? in
            guard state.readers.removeValue(forKey: reader.id) != nil else { return nil }
            let name = reader.stream
            state.countByStream[name, default: 1] -= 1
            if state.countByStream[name] == 0 { state.countByStream[name] = nil }
            let key = ObjectIdentifier(reader.mux.source.buffer)
            guard !state.readers.values.contains(where: { $0.mux === reader.mux }) else { return nil }
            state.muxes[key] = nil
            return reader.mux
        }
        stopped?.stop()
        statistics.ended(end)
        let status = reader.status
        var metadata: Logger.Metadata = [
            "reader": "\(reader.id)", "stream": "\(reader.stream)", "peer": "\(reader.peer)",
            "protocol": "\(reader.protocolName.rawValue)", "reason": "\(end)",
            "bytes_sent": "\(status.bytesSent)", "skips": "\(status.skips)",
            "duration_s": "\((status.uptimeSeconds * 10).rounded() / 10)",
        ]
        if case .cut = end {
            metadata["lag_bytes"] = "\(status.lagBytes)"
            logger.warning("reader disconnected", metadata: metadata)
        } else {
            logger.info("reader disconnected", metadata: metadata)
        }
    }

    /// Every reader, by id.
    public var readers: [ReaderStatus] {
        state.withLock { $0.readers.values.sorted { $0.id < $1.id } }.map(\.status)
    }

    /// The readers of one stream, by id.
    /// - Parameter name: The stream.
    public func readers(of name: StreamName) -> [ReaderStatus] {
        state.withLock { $0.readers.values.filter { $0.stream == name }.sorted { $0.id < $1.id } }.map(
            \.status)
    }

    /// Disconnects a reader.
    /// - Parameters:
    ///   - id: The reader's id.
    ///   - reason: Why.
    /// - Returns: Whether such a reader was connected.
    @discardableResult
    public func cut(readerID id: UInt64, reason: ReaderCutReason) -> Bool {
        guard let reader = state.withLock({ $0.readers[id] }) else { return false }
        reader.cut(reason)
        return true
    }
}
