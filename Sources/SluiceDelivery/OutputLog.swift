import NIOCore
import SluiceCore
import Synchronization

/// A stream's shared output, in chunks with sequence numbers and keyframe marks: appended by
/// the stream's ``StreamMux``, read by every reader through its own position.
///
/// It keeps the output of the media the stream's buffer holds, oldest keyframe first, so a
/// reader can start at the newest or the oldest buffered keyframe. Its bytes are the stream's
/// `readers` memory component. A reader holds no chunk in the log: a reader whose chunks were
/// dropped learns it is behind and moves on, so readers never hold back eviction.
final class OutputLog: Sendable {
    private struct State {
        var chunks: [OutputChunk] = []
        /// The sequence number of `chunks[0]`.
        var first: UInt64 = 0
        /// The sequence numbers of the keyframe chunks held, oldest first.
        var keyframes: [UInt64] = []
        var bytes = 0
        var totalBytes = 0
        var caughtUp = false
        var ended = false
        var released = false
        /// When ``OutputLog/gathered`` last advanced, and to what.
        var lastGathered: ContinuousClock.Instant?
        var gathers: UInt64 = 0
        /// `end` when ``OutputLog/gathered`` last advanced.
        var gatheredEnd: UInt64 = 0

        /// Advances the gather mark if `interval` has passed since the last and output came
        /// since; the mark's new value if so.
        mutating func gather(at now: ContinuousClock.Instant, every interval: Duration) -> UInt64? {
            guard end > gatheredEnd, lastGathered.map({ now - $0 >= interval }) ?? true else {
                return nil
            }
            lastGathered = now
            gatheredEnd = end
            gathers += 1
            return gathers
        }

        var end: UInt64 { first + UInt64(chunks.count) }
    }

    private let state = Mutex(State())
    private let tracker: StreamTracker
    private let gatherInterval: @Sendable () -> Duration
    /// Advanced on every append; ended with the output. Readers wait on it.
    let appended = SequenceSignal()
    /// Advanced on the first append after each gather interval; ended with the output. Readers
    /// that gather output (HTTP) read once per advance, so a thousand of them make a few large
    /// writes a second each instead of one per frame, and no reader needs a timer of its own.
    let gathered = SequenceSignal()

    /// Creates an empty log whose bytes are accounted to `tracker` as the readers component.
    /// - Parameters:
    ///   - tracker: The stream's memory tracker.
    ///   - gatherInterval: How often ``gathered`` advances, read at every append (zero: at
    ///     every append).
    init(tracker: StreamTracker, gatherInterval: @escaping @Sendable () -> Duration) {
        self.tracker = tracker
        self.gatherInterval = gatherInterval
    }

    /// Appends one frame's output.
    /// - Parameters:
    ///   - bytes: Its TS packets.
    ///   - isKeyframe: Whether it opens a GOP.
    ///   - arrival: When its frame arrived.
    func append(_ bytes: [UInt8], isKeyframe: Bool, arrival: ContinuousClock.Instant) {
        let buffer = ByteBuffer(bytes: bytes)
        let interval = gatherInterval()
        let now = ContinuousClock.now
        let appendedEnd = state.withLock { state -> (end: UInt64, gather: UInt64?)? in
            // The mux may finish a frame after the last reader left.
            guard !state.released else { return nil }
            let chunk = OutputChunk(
                sequence: state.end, bytes: buffer, isKeyframe: isKeyframe, arrival: arrival,
                offset: state.totalBytes)
            state.chunks.append(chunk)
            if isKeyframe { state.keyframes.append(chunk.sequence) }
            state.bytes += bytes.count
            state.totalBytes += bytes.count
            tracker.addReaderBytes(bytes.count)
            return (state.end, state.gather(at: now, every: interval))
        }
        guard let appendedEnd else { return }
        appended.advance(to: appendedEnd.end)
        if let mark = appendedEnd.gather { gathered.advance(to: mark) }
    }

    /// Advances the gather mark when the interval has passed with output appended since the
    /// last mark: appends alone would hold that output back while a stream pauses.
    func gatherIfDue() {
        let interval = gatherInterval()
        if let mark = state.withLock({ $0.gather(at: .now, every: interval) }) {
            gathered.advance(to: mark)
        }
    }

    /// Accounts bytes a reader's transport holds (written to its connection, not yet sent) to
    /// the stream's `readers` component: they may be chunks the log has already dropped.
    /// - Parameter delta: The change in bytes held.
    func accountTransportBytes(_ delta: Int) {
        if delta != 0 { tracker.addReaderBytes(delta) }
    }

    /// Wakes every waiting reader, so that each looks again at its state (cut, or left).
    func wakeReaders() {
        appended.wakeAll()
        gathered.wakeAll()
    }

    /// Drops the output of GOPs whose keyframe arrived before `oldestArrival` (the buffer's
    /// oldest), keeping at least the newest GOP.
    func trim(before oldestArrival: ContinuousClock.Instant?) {
        state.withLock { state in
            var drop = 0
            var keyframe = 1
            while keyframe < state.keyframes.count,
                oldestArrival.map({ state.chunks[Int(state.keyframes[keyframe] - state.first)].arrival <= $0 }
                )
                    ?? true
            {
                drop = Int(state.keyframes[keyframe] - state.first)
                keyframe += 1
            }
            guard drop > 0 else { return }
            let freed = state.chunks[..<drop].reduce(0) { $0 + $1.size }
            state.chunks.removeFirst(drop)
            state.keyframes.removeFirst(keyframe - 1)
            state.first += UInt64(drop)
            state.bytes -= freed
            tracker.addReaderBytes(-freed)
        }
    }

    /// Notes that the output has reached what the buffer held when the mux started, so a
    /// reader asking for the newest keyframe gets the newest one.
    func markCaughtUp() {
        let changed = state.withLock { state in
            defer { state.caughtUp = true }
            return !state.caughtUp
        }
        if changed { wakeReaders() }
    }

    /// Ends the output: readers take what is left, then end.
    func end() {
        state.withLock { $0.ended = true }
        appended.end()
        gathered.end()
    }

    /// Drops every chunk and takes its bytes off the stream's books.
    func release() {
        state.withLock { state in
            state.released = true
            state.ended = true
            tracker.addReaderBytes(-state.bytes)
            state.bytes = 0
            state.first = state.end
            state.chunks.removeAll()
            state.keyframes.removeAll()
        }
        appended.end()
        gathered.end()
    }

    /// Whether the output has reached what the buffer held when the mux started.
    var isCaughtUp: Bool { state.withLock { $0.caughtUp } }

    /// The bytes held.
    var bytes: Int { state.withLock { $0.bytes } }

    /// Where a new reader starts, once the log can tell (`nil` until the mux caught up with
    /// the buffer for the newest keyframe).
    func start(_ start: BufferCursor.Start) -> OutputPosition? {
        state.withLock { state in
            switch start {
            case .oldestKeyframe:
                return state.keyframes.first.map { OutputPosition(sequence: $0, awaitsKeyframe: false) }
                    ?? OutputPosition(sequence: state.end, awaitsKeyframe: true)
            case .newestKeyframe:
                guard state.caughtUp || state.ended else { return nil }
                return state.keyframes.last.map { OutputPosition(sequence: $0, awaitsKeyframe: false) }
                    ?? OutputPosition(sequence: state.end, awaitsKeyframe: true)
            case .nextKeyframe:
                guard state.caughtUp || state.ended else { return nil }
                return OutputPosition(sequence: state.end, awaitsKeyframe: true)
            }
        }
    }

    /// The newest keyframe: where a lagging reader goes.
    var newestKeyframe: OutputPosition {
        state.withLock { state in
            state.keyframes.last.map { OutputPosition(sequence: $0, awaitsKeyframe: false) }
                ?? OutputPosition(sequence: state.end, awaitsKeyframe: true)
        }
    }

    /// How far a reader at `position` is behind the live edge, if it has anything to read.
    func lag(at position: OutputPosition) -> ReaderLag? {
        state.withLock { state in
            guard !position.awaitsKeyframe, !state.chunks.isEmpty, position.sequence < state.end else {
                return nil
            }
            guard position.sequence >= state.first else {
                // Its chunks were dropped: it is at least as far behind as the oldest chunk held,
                // and always behind the newest keyframe.
                var lag = Self.lag(at: 0, in: state)
                lag.isBehindNewestKeyframe = true
                return lag
            }
            return Self.lag(at: Int(position.sequence - state.first), in: state)
        }
    }

    /// Whether the chunks at `position` were dropped: a reader there must move on.
    func hasDropped(_ position: OutputPosition) -> Bool {
        state.withLock { position.sequence < $0.first }
    }

    private static func lag(at index: Int, in state: State) -> ReaderLag {
        let from = state.chunks[index]
        let newest = state.chunks[state.chunks.count - 1]
        var gop = Duration.zero
        var gopBytes = 0
        let count = state.keyframes.count
        if count >= 2 {
            let newer = state.chunks[Int(state.keyframes[count - 1] - state.first)]
            let older = state.chunks[Int(state.keyframes[count - 2] - state.first)]
            gop = newer.arrival - older.arrival
            gopBytes = newer.offset - older.offset
        }
        return ReaderLag(
            media: newest.arrival - from.arrival, bytes: state.totalBytes - from.offset, gop: gop,
            gopBytes: gopBytes, isBehindNewestKeyframe: (state.keyframes.last ?? 0) > from.sequence)
    }

    /// Reads chunks from `position`, up to about `maxBytes` (at least one chunk).
    func read(from position: OutputPosition, maxBytes: Int) -> OutputRead {
        state.withLock { state in
            var index: Int
            if position.sequence < state.first {
                return .behind
            } else if position.awaitsKeyframe {
                guard let keyframe = state.keyframes.first(where: { $0 >= position.sequence }) else {
                    return state.ended ? .ended : .caughtUp
                }
                index = Int(keyframe - state.first)
            } else {
                index = Int(position.sequence - state.first)
            }
            guard index < state.chunks.count else {
                return state.ended ? .ended : .caughtUp
            }
            let lag = Self.lag(at: index, in: state)
            var chunks: [OutputChunk] = []
            var size = 0
            while index < state.chunks.count
                && (chunks.isEmpty || size + state.chunks[index].size <= maxBytes)
            {
                chunks.append(state.chunks[index])
                size += state.chunks[index].size
                index += 1
            }
            return .chunks(
                chunks, next: OutputPosition(sequence: state.first + UInt64(index), awaitsKeyframe: false),
                lag: lag)
        }
    }
}
