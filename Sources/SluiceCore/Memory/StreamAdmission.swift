/// Decides, in the SRT handshake, whether a new stream may come in.
///
/// It only reads: asking (the handshake does, and so does the readiness probe) changes no
/// state and counts nothing. The refusal latch it reads is the ``PressureMonitor``'s; the
/// handshake counts the refusals it sends in a ``ReasonCounter``.
public struct StreamAdmission: Sendable {
    let books: MemoryBooks
    let monitor: PressureMonitor

    /// How long a stream must have been up before its admission rate says what it will cost.
    static let calibrationAge = Duration.seconds(1)

    /// Whether a new stream may come in.
    ///
    /// Refused when `maxStreams` are live; when new streams are refused for memory pressure
    /// (see ``PressureMonitor``); or when one more stream of the ``estimate(now:)`` would take
    /// pressure past soft beside the streams already live, counted at their own projected
    /// footprints. With no stream live and pressure below soft, a stream is always admitted:
    /// the estimate calibrates from it.
    /// - Parameters:
    ///   - liveStreams: How many streams are live.
    ///   - maxStreams: `srt.max_streams`.
    ///   - now: The current time.
    /// - Returns: `nil` to admit, or why not.
    public func refusal(liveStreams: Int, maxStreams: Int, now: ContinuousClock.Instant) -> AdmissionRefusal?
    {
        if liveStreams >= maxStreams { return .maxStreams }
        if monitor.refusesNewStreams { return .memoryPressure }
        let usage = books.usage
        let soft = books.soft
        if liveStreams == 0 && usage < soft { return nil }
        let streams = books.streams
        let footprints = streams.map { Self.footprint(of: $0, now: now) }
        let estimate = estimate(from: footprints)
        // A live stream that has not yet filled its buffer will still grow to its footprint.
        let growth = zip(streams, footprints).reduce(0) { total, pair in
            total + max(0, (pair.1 ?? estimate.bytes) - pair.0.tracker.total)
        }
        return usage + growth + estimate.bytes > soft ? .projectedMemory : nil
    }

    /// The footprint one more stream is expected to take: the mean of the projected footprints
    /// of live streams that have been up for a second and admitted data, or
    /// `memory.stream_estimate` until there are such streams.
    /// - Parameter now: The current time.
    public func estimate(now: ContinuousClock.Instant) -> FootprintEstimate {
        estimate(from: books.streams.map { Self.footprint(of: $0, now: now) })
    }

    private func estimate(from footprints: [Int?]) -> FootprintEstimate {
        let measured = footprints.compactMap { $0 }
        guard !measured.isEmpty else {
            return FootprintEstimate(
                bytes: books.current.config.streamEstimate.bytes, source: .configured, streams: 0)
        }
        return FootprintEstimate(
            bytes: measured.reduce(0, +) / measured.count, source: .observed, streams: measured.count)
    }

    /// What a stream will hold once its buffer spans `buffer.max_duration_ms`: its fixed parts
    /// plus its admission rate so far over that duration, at least what it holds now and at most
    /// its quota; `nil` while it is too young to tell.
    static func footprint(of stream: StreamMemory, now: ContinuousClock.Instant) -> Int? {
        let tracker = stream.tracker
        let age = now - stream.createdAt
        let admitted = tracker.admittedBytes
        guard age >= calibrationAge, admitted > 0 else { return nil }
        let media = Double(admitted) / age.inSeconds * Double(stream.buffer.limits.maxDuration) / 1_000_000
        let projected = max(Double(tracker.total), Double(tracker.fixedBytes) + media)
        return Int(min(Double(tracker.quota), projected))
    }
}
