/// The order in which the controller takes data from streams when the whole process must
/// shed memory.
///
/// Streams are grouped into tiers that are emptied one after another; inside a tier, every
/// stream gives up a cheaper stage (metadata, then disposable frames, then GOP tails, then
/// whole older GOPs) before any gives up a dearer one.
/// - `priority`: one tier per configured priority, lowest first; inside a tier, the stream
///   furthest over its fair share (the mean) first, then the one holding the oldest data.
/// - `size`: one tier, the largest stream first.
/// - `lru`: one tier, the stream holding the oldest data first.
public struct EvictionPolicy: Sendable {
    /// A stream's standing when the order is made.
    public struct Candidate: Sendable {
        /// The stream.
        public var stream: StreamMemory
        /// Its accounted bytes.
        public var bytes: Int
        /// Its priority.
        public var priority: Int
        /// When its oldest buffered frame arrived.
        public var oldest: ContinuousClock.Instant?
        /// Bytes admitted per second over the stream's life: how fast it costs memory, which
        /// still tells streams apart once eviction has emptied their buffers.
        public var admissionRate: Double

        /// Takes a stream's standing now.
        /// - Parameters:
        ///   - stream: The stream.
        ///   - now: The current time.
        public init(_ stream: StreamMemory, now: ContinuousClock.Instant = .now) {
            self.stream = stream
            bytes = stream.tracker.total
            priority = stream.tracker.priority
            oldest = stream.buffer.oldestArrival
            let age = max(now - stream.createdAt, .seconds(1))
            admissionRate = Double(stream.tracker.admittedBytes) / age.inSeconds
        }
    }

    /// Which ordering.
    public var kind: EvictionPolicyKind

    /// Creates a policy.
    /// - Parameter kind: Which ordering.
    public init(kind: EvictionPolicyKind) { self.kind = kind }

    /// The tiers of streams, in the order they give up data.
    /// - Parameter candidates: The streams.
    public func tiers(_ candidates: [Candidate]) -> [[Candidate]] {
        func olderFirst(_ a: Candidate, _ b: Candidate) -> Bool {
            switch (a.oldest, b.oldest) {
            case let (x?, y?): x < y
            case (_?, nil): true
            default: false
            }
        }
        switch kind {
        case .size:
            return [candidates.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : olderFirst($0, $1) }]
        case .lru:
            return [candidates.sorted(by: olderFirst)]
        case .priority:
            let fairShare = candidates.isEmpty ? 0 : candidates.reduce(0) { $0 + $1.bytes } / candidates.count
            return Dictionary(grouping: candidates, by: \.priority).sorted { $0.key < $1.key }.map {
                _, tier in
                tier.sorted { a, b in
                    let overA = a.bytes - fairShare
                    let overB = b.bytes - fairShare
                    return overA != overB ? overA > overB : olderFirst(a, b)
                }
            }
        }
    }

    /// The stream to disconnect when critical pressure lasts: the lowest priority, and among
    /// those the largest: the most bytes held, then the highest admission rate.
    /// - Parameter candidates: The streams.
    public func sheddingVictim(_ candidates: [Candidate]) -> Candidate? {
        candidates.min { a, b in
            if a.priority != b.priority { return a.priority < b.priority }
            if a.bytes != b.bytes { return a.bytes > b.bytes }
            return a.admissionRate > b.admissionRate
        }
    }
}
