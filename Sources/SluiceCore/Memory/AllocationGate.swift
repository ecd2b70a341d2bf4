/// The data path's side of the budget: every frame a stream's ingest thread demuxes passes here
/// on its way into the stream's buffer.
///
/// In order: the stream's and the global allocation-rate buckets; then, when the insert would
/// take pressure past soft, eviction across streams right there, before the frame goes in, so
/// the bound holds between monitor ticks; then the buffer, which enforces the stream's quota
/// inside the stream.
public final class AllocationGate: Sendable {
    let books: MemoryBooks
    let evictor: Evictor
    let monitor: PressureMonitor
    private let globalBucket: TokenBucket

    init(books: MemoryBooks, evictor: Evictor, monitor: PressureMonitor, now: ContinuousClock.Instant) {
        self.books = books
        self.evictor = evictor
        self.monitor = monitor
        let rate = books.current.config.allocationRate
        globalBucket = TokenBucket(rate: rate.globalBytesPerSecond, burst: rate.burstBytes.bytes, now: now)
    }

    /// Admits a frame into a stream's buffer, or refuses it. A refused reference frame cuts its
    /// GOP: nothing more of the stream is kept until its next keyframe.
    /// - Parameters:
    ///   - frame: The frame.
    ///   - stream: The stream it belongs to.
    ///   - now: The current time.
    /// - Returns: Whether the frame was buffered, or why not.
    @discardableResult
    public func admit(_ frame: Frame, to stream: StreamMemory, now: ContinuousClock.Instant) -> InsertOutcome
    {
        let size = frame.heldSize
        let streamAllowed = stream.bucket.take(size, now: now)
        let allowed = streamAllowed && globalBucket.take(size, now: now)
        guard allowed else {
            if streamAllowed { stream.bucket.refund(size) }
            stream.noteRateLimited(true)
            stream.buffer.discard(frame, reason: .rateLimited)
            return .dropped(.rateLimited)
        }
        stream.noteRateLimited(false)
        if books.usage + size > books.soft {
            let thresholds = books.current.config.thresholds
            let reached = thresholds.level(at: Double(books.usage + size) / Double(max(books.limit, 1)))
            evictor.makeRoom(for: size, level: monitor.raise(to: reached))
            if books.usage + size > books.critical {
                stream.buffer.discard(frame, reason: .memoryCritical)
                return .dropped(.memoryCritical)
            }
        }
        return stream.buffer.insert(frame)
    }

    /// A new stream's rate bucket, full.
    /// - Parameter now: The current time.
    public func makeStreamBucket(now: ContinuousClock.Instant) -> TokenBucket {
        let rate = books.current.config.allocationRate
        return TokenBucket(rate: rate.perStreamBytesPerSecond, burst: rate.burstBytes.bytes, now: now)
    }

    /// Applies the current rate settings to a stream's bucket (on reload).
    /// - Parameter stream: The stream.
    public func reconfigureBucket(of stream: StreamMemory) {
        let rate = books.current.config.allocationRate
        stream.bucket.reconfigure(rate: rate.perStreamBytesPerSecond, burst: rate.burstBytes.bytes, now: .now)
    }

    /// Applies the current rate settings to the global bucket (on reload).
    func reconfigure() {
        let rate = books.current.config.allocationRate
        globalBucket.reconfigure(rate: rate.globalBytesPerSecond, burst: rate.burstBytes.bytes, now: .now)
    }
}
