import Synchronization

/// One stream as the memory controller sees it: its buffer (with its tracker) and its
/// allocation-rate bucket.
public final class StreamMemory: Sendable {
    /// The stream's frames.
    public let buffer: GOPBuffer
    /// When the stream started.
    public let createdAt: ContinuousClock.Instant
    let bucket: TokenBucket
    private let rateLimited = Atomic<Bool>(false)

    /// Creates a stream's memory unit.
    /// - Parameters:
    ///   - buffer: The stream's buffer.
    ///   - bucket: Its allocation-rate bucket.
    ///   - now: When the stream started.
    public init(buffer: GOPBuffer, bucket: TokenBucket, now: ContinuousClock.Instant) {
        self.buffer = buffer
        self.bucket = bucket
        createdAt = now
    }

    /// The stream's accounting.
    public var tracker: StreamTracker { buffer.tracker }

    /// Whether the stream's last frame was refused by a rate limit.
    public var isRateLimited: Bool { rateLimited.load(ordering: .relaxed) }

    func noteRateLimited(_ limited: Bool) { rateLimited.store(limited, ordering: .relaxed) }

    /// The bytes left in the stream's rate bucket.
    public var rateTokens: Double { bucket.tokens(at: .now) }
}
