import SluiceCore
import Synchronization

/// One reader of a stream: a position in the stream's shared output, never a copy of it.
///
/// Its transport (SRT or HTTP) calls ``next(maxBytes:)`` in a loop, sends what it gets, and
/// calls ``finish(_:)`` when done. ``next(maxBytes:)`` waits for new output without polling and
/// applies the ``ReaderLagPolicy``: a reader too far behind is moved to the newest keyframe,
/// and one moved too often is cut.
public final class Reader: Sendable {
    /// The reader's id, unique in the process.
    public let id: UInt64
    /// How it receives.
    public let protocolName: ReaderProtocol
    /// Its address.
    public let peer: String
    /// When it was accepted.
    public let startedAt: ContinuousClock.Instant
    let mux: StreamMux
    /// Whether the reader, once at the live edge, reads once per ``OutputLog/gathered``
    /// advance rather than at every frame: HTTP readers, whose cost is per write.
    private let gathers: Bool
    private let start: BufferCursor.Start
    private let delivery: Delivery
    private let state: Mutex<State>

    private struct State {
        var position: OutputPosition?
        var skips = ReaderSkipHistory()
        var bytesSent = 0
        /// Bytes its transport holds, as last reported (``holdInTransport(_:)``).
        var inTransport = 0
        var lag = ReaderLag(media: .zero, bytes: 0)
        var cut: ReaderCutReason?
        var left = false
        var finished = false
        var sentFirst = false
        /// The ``OutputLog/gathered`` value at the reader's last read, when that read reached the
        /// live edge: a gathering reader waits for it to advance before reading again.
        var gatheredAtEdge: UInt64?
        /// Whether the reader has been within the lag bounds: a reader that starts at the oldest
        /// keyframe replays the buffer first, behind the live edge by design, and the policy
        /// applies once it has caught up.
        var reachedLive: Bool
        /// Breaks off the transport: a reader stuck in a write cannot be told otherwise.
        var hangUp: (@Sendable () -> Void)?
    }

    init(
        id: UInt64, protocolName: ReaderProtocol, peer: String, start: BufferCursor.Start, mux: StreamMux,
        delivery: Delivery
    ) {
        self.id = id
        self.protocolName = protocolName
        self.peer = peer
        self.start = start
        self.mux = mux
        self.delivery = delivery
        gathers = protocolName == .http
        startedAt = .now
        state = Mutex(State(reachedLive: start != .oldestKeyframe))
    }

    /// The stream it reads.
    public var stream: StreamName { mux.source.name }

    /// The next output to send, waiting for it if there is none yet. A gathering (HTTP) reader
    /// that reached the live edge at its last read first waits for the log's next gather mark.
    /// - Parameter maxBytes: About the most bytes to return (at least one chunk).
    /// - Returns: Chunks, or why the output is over for this reader.
    public func next(maxBytes: Int) async -> ReaderBatch {
        let log = mux.log
        while true {
            // Marks first: a cut or a departure after them wakes the waits below at once.
            let seen = log.appended.mark
            let gatherMark = log.gathered.mark
            let (reason, departed) = state.withLock { ($0.cut, $0.left) }
            if let reason { return .end(.cut(reason)) }
            if departed { return .end(.left) }
            if gathers, let edge = state.withLock({ $0.gatheredAtEdge }), gatherMark.value <= edge,
                !log.gathered.ended
            {
                await log.gathered.wait(past: gatherMark)
                continue
            }
            let gathered = gatherMark.value
            guard let position = state.withLock({ $0.position }) ?? log.start(start) else {
                if log.appended.ended { return .end(.streamEnded) }
                await log.appended.wait(past: seen)
                continue
            }
            switch log.read(from: position, maxBytes: maxBytes) {
            case .chunks(let chunks, let next, let lag):
                switch decide(lag) {
                case .keepGoing:
                    let size = chunks.reduce(0) { $0 + $1.size }
                    let first = state.withLock { state in
                        state.position = next
                        state.lag = lag
                        state.bytesSent += size
                        state.gatheredAtEdge = size >= lag.bytes ? gathered : nil
                        defer { state.sentFirst = true }
                        return !state.sentFirst
                    }
                    delivery.statistics.sent(size, by: protocolName)
                    if first { delivery.statistics.firstKeyframe.record(.now - startedAt) }
                    return .chunks(chunks)
                case .skipToNewestKeyframe:
                    skip(to: log.newestKeyframe, lag: lag, cause: .lag)
                case .disconnect(let reason):
                    cut(reason)
                }
            case .behind:
                skip(to: log.newestKeyframe, lag: state.withLock { $0.lag }, cause: .lag)
            case .caughtUp:
                if protocolName == .snapshot && log.isCaughtUp { return .end(.reachedLiveEdge) }
                await log.appended.wait(past: seen)
            case .ended:
                return .end(.streamEnded)
            }
        }
    }

    /// The lag policy's decision, but for a reader still replaying the buffer from its oldest
    /// keyframe.
    private func decide(_ lag: ReaderLag) -> ReaderLagDecision {
        let decision = delivery.lagPolicy.decide(lag: lag, skips: state.withLock { $0.skips }, now: .now)
        let replaying = state.withLock { state in
            if decision == .keepGoing { state.reachedLive = true }
            return !state.reachedLive
        }
        return replaying ? .keepGoing : decision
    }

    /// Applies the lag policy to a reader between its reads, which a slow transport may spend
    /// in one write for long: it is moved forward, or cut and its transport broken off, without
    /// waiting for the write to finish.
    func enforceLagPolicy() {
        guard let position = state.withLock({ $0.position }), let lag = mux.log.lag(at: position) else {
            return
        }
        // What its next read would find: a client that stopped reading altogether gets there
        // too, and is cut after readers.max_skips of these.
        if mux.log.hasDropped(position) {
            skip(to: mux.log.newestKeyframe, lag: lag, cause: .lag)
            return
        }
        guard !isOnlyGathering(lag) else { return }
        switch decide(lag) {
        case .keepGoing: break
        case .skipToNewestKeyframe: skip(to: mux.log.newestKeyframe, lag: lag, cause: .lag)
        case .disconnect(let reason): cut(reason)
        }
    }

    /// Whether `lag` is no more than gathering makes: a gathering reader waits up to one gather
    /// interval between reads, so the lag policy and memory pressure leave that much alone
    /// (moving it would cost a healthy player a jump for nothing).
    func isOnlyGathering(_ lag: ReaderLag) -> Bool {
        gathers && lag.media <= delivery.gatherInterval + Delivery.sweepInterval
    }

    /// How far behind the live edge the reader is, once it has a place in the output.
    var lag: ReaderLag? {
        state.withLock { $0.position }.flatMap { mux.log.lag(at: $0) }
    }

    /// Moves the reader to the newest keyframe because memory is short (see
    /// ``ReaderPressurePolicy``): logged and counted as a skip, but not toward
    /// `readers.max_skips`, since the reader did nothing wrong.
    func skipForPressure() {
        guard let lag else { return }
        skip(to: mux.log.newestKeyframe, lag: lag, cause: .memoryPressure)
    }

    /// Why a reader is moved forward.
    private enum SkipCause: String {
        /// Its own lag passed the lag policy's bounds: counts toward `readers.max_skips`.
        case lag
        /// Memory is short.
        case memoryPressure = "memory_pressure"
    }

    /// Sets how to break off the reader's transport when it is cut.
    /// - Parameter hangUp: Closes the connection; called at most once, from any thread.
    public func onCut(_ hangUp: @escaping @Sendable () -> Void) {
        state.withLock { $0.hangUp = hangUp }
    }

    private func skip(to position: OutputPosition, lag: ReaderLag, cause: SkipCause) {
        let keeping = delivery.lagPolicy.maxSkips + 1
        state.withLock { state in
            state.position = position
            state.lag = lag
            if cause == .lag { state.skips.record(at: .now, keeping: keeping) }
        }
        delivery.statistics.skipped()
        delivery.logger.info(
            "reader skipped to the newest keyframe",
            metadata: [
                "reader": "\(id)", "stream": "\(stream)", "peer": "\(peer)",
                "lag_ms": "\(Int(lag.media.inSeconds * 1000))",
                "lag_bytes": "\(lag.bytes)", "reason": "\(cause.rawValue)",
            ])
    }

    /// Disconnects the reader: its next ``next(maxBytes:)`` returns the reason.
    /// - Parameter reason: Why.
    public func cut(_ reason: ReaderCutReason) {
        let hangUp = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.cut == nil else { return nil }
            state.cut = reason
            defer { state.hangUp = nil }
            return state.hangUp
        }
        mux.log.wakeReaders()
        hangUp?()
    }

    /// Ends the reader because its transport is gone (a client that closed its connection while
    /// the reader waited for output): its pending or next ``next(maxBytes:)`` returns
    /// ``ReaderEnd/left``.
    public func leave() {
        let first = state.withLock { state in
            defer { state.left = true }
            return !state.left
        }
        if first { mux.log.wakeReaders() }
    }

    /// Notes how many bytes the reader's transport holds: output handed to the connection and not
    /// yet sent. They count toward the stream's `readers` memory component until the reader
    /// finishes, since the log may have dropped the chunks they share.
    /// - Parameter bytes: The bytes held now.
    public func holdInTransport(_ bytes: Int) {
        let delta = state.withLock { state -> Int in
            guard !state.finished else { return 0 }
            defer { state.inTransport = bytes }
            return bytes - state.inTransport
        }
        mux.log.accountTransportBytes(delta)
    }

    /// Why the server disconnected the reader, if it did.
    var cutReason: ReaderCutReason? { state.withLock { $0.cut } }

    /// Takes the reader off the books once its transport is done with it. Safe to call twice.
    /// - Parameter end: Why it ended, as the transport saw it; a cut (which breaks the
    ///   transport off) is reported as the cut.
    public func finish(_ end: ReaderEnd) {
        let (reported, held) = state.withLock { state -> (ReaderEnd?, Int) in
            guard !state.finished else { return (nil, 0) }
            state.finished = true
            defer { state.inTransport = 0 }
            return (state.cut.map(ReaderEnd.cut) ?? end, state.inTransport)
        }
        guard let reported else { return }
        mux.log.accountTransportBytes(-held)
        delivery.remove(self, end: reported)
    }

    /// The reader as the admin API shows it.
    public var status: ReaderStatus {
        state.withLock { state in
            ReaderStatus(
                id: id, stream: stream.value, protocolName: protocolName, peer: peer,
                uptimeSeconds: (ContinuousClock.now - startedAt).inSeconds, bytesSent: state.bytesSent,
                lagSeconds: state.lag.media.inSeconds, lagBytes: state.lag.bytes, skips: state.skips.total,
                queuedBytes: state.inTransport)
        }
    }
}
