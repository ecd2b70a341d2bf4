import Synchronization

/// Whether libsrt's receive threads can take one more publisher.
///
/// Every SRT listener has one receive thread (`SRT:RcvQ`) that serves all its connections; a
/// saturated one does not refuse anyone, it drops packets of every stream at once. So each
/// ``update(liveStreams:now:)`` measures how busy every receive thread was since the last one,
/// and a new publisher is refused when the busiest thread plus one more stream's share would
/// pass `srt.receive_saturation`. A stream's share is calibrated from the streams live now:
/// the receive threads' CPU over the streams they serve. With no stream live nothing is known,
/// and the first publisher is admitted.
public final class ReceiveCapacity: Sendable {
    /// The receive threads' load at the last update.
    public struct Load: Sendable, Equatable {
        /// Each receive thread's share of a core since the update before, by thread name.
        public var utilization: [String: Double] = [:]
        /// The busiest thread's share of a core.
        public var busiest: Double { utilization.values.max() ?? 0 }
        /// One stream's estimated share of a core, or `nil` while no stream was live.
        public var perStream: Double?

        /// The busiest thread's load with one more stream on it, if a stream's cost is known.
        public var projected: Double? { perStream.map { busiest + $0 } }
    }

    /// The thread-name prefix libsrt gives its receive threads.
    public static let threadPrefix = "SRT:RcvQ"

    private let probe: any ThreadCPUProbe
    // A leaf lock: nothing is taken under it.
    private let state: Mutex<State>

    private struct State {
        var last: [Int32: UInt64] = [:]
        var lastTime: ContinuousClock.Instant
        var load = Load()
    }

    /// Creates an estimate with nothing measured yet.
    /// - Parameters:
    ///   - probe: Measures the receive threads.
    ///   - now: The current time.
    public init(probe: any ThreadCPUProbe, now: ContinuousClock.Instant) {
        self.probe = probe
        state = Mutex(State(lastTime: now))
    }

    /// Measures the receive threads and recalibrates a stream's share.
    /// - Parameters:
    ///   - liveStreams: How many publishers the receive threads serve now.
    ///   - now: The current time.
    public func update(liveStreams: Int, now: ContinuousClock.Instant) {
        let samples = probe.sample(namesStartingWith: Self.threadPrefix)
        state.withLock { state in
            defer {
                state.last = Dictionary(samples.map { ($0.id, $0.cpuNanoseconds) }, uniquingKeysWith: { $1 })
                state.lastTime = now
            }
            let elapsed = (now - state.lastTime).inSeconds * 1e9
            guard elapsed > 0 else { return }
            var load = Load()
            for sample in samples {
                // A thread first seen now has no share of this interval yet.
                let used = sample.cpuNanoseconds &- (state.last[sample.id] ?? sample.cpuNanoseconds)
                load.utilization[sample.name, default: 0] += Double(used) / elapsed
            }
            let total = load.utilization.values.reduce(0, +)
            load.perStream = liveStreams > 0 ? total / Double(liveStreams) : nil
            state.load = load
        }
    }

    /// The load at the last update.
    public var load: Load { state.withLock { $0.load } }

    /// Whether one more publisher would push the busiest receive thread past `saturation`.
    /// Only reads.
    /// - Parameter saturation: `srt.receive_saturation`.
    public func isFull(saturation: Double) -> Bool {
        guard let projected = load.projected else { return false }
        return projected > saturation
    }
}
