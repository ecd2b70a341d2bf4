extension MemoryController {
    /// Whether a new stream may come in, decided in the SRT handshake.
    ///
    /// Refused when `maxStreams` are live; when the level is at or above
    /// `memory.refuse_new_streams_at` (and from then until pressure falls back below soft); or
    /// when one more stream of the observed average footprint would take pressure past soft.
    /// The footprint is the mean of streams that have been up for `calibrationAge` (their
    /// buffers have filled), or `memory.stream_estimate` until there are such streams.
    /// - Parameters:
    ///   - liveStreams: How many streams are live.
    ///   - maxStreams: `srt.max_streams`.
    ///   - calibrationAge: How long a stream must have been up to count in the average.
    ///   - now: The current time.
    ///   - counting: Whether to count a refusal in the statistics (a readiness probe only asks).
    /// - Returns: `nil` to admit, or why not.
    public func admissionRefusal(
        liveStreams: Int, maxStreams: Int, calibrationAge: Duration, now: ContinuousClock.Instant,
        counting: Bool = true
    ) -> AdmissionRefusal? {
        let usage = self.usage
        return state.withLock { state -> AdmissionRefusal? in
            let refusal = Self.refusal(
                state: &state, usage: usage, liveStreams: liveStreams, maxStreams: maxStreams,
                calibrationAge: calibrationAge, now: now)
            if let refusal, counting { state.stats.refusals[refusal, default: 0] += 1 }
            return refusal
        }
    }

    private static func refusal(
        state: inout State, usage: Int, liveStreams: Int, maxStreams: Int, calibrationAge: Duration,
        now: ContinuousClock.Instant
    ) -> AdmissionRefusal? {
        if liveStreams >= maxStreams { return .maxStreams }
        let limit = Double(state.budget.bytes)
        if Double(usage) / limit < state.config.soft { state.refusing = false }
        if state.refusing || state.level >= state.config.refuseNewStreamsAt {
            state.refusing = true
            return .memoryPressure
        }
        let settled = state.streams.values.filter { now - $0.createdAt >= calibrationAge }
        let footprint =
            settled.isEmpty
            ? state.config.streamEstimate.bytes
            : settled.reduce(0) { $0 + $1.tracker.total } / settled.count
        if Double(usage + footprint) / limit > state.config.soft { return .projectedMemory }
        return nil
    }
}
