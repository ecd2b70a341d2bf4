import Hummingbird
import Logging
import SluiceCore
import SluiceIngest

/// The memory controller over HTTP: `GET /api/memory`, `POST /api/memory/evict` and
/// `POST /api/memory/reset`.
struct MemoryAPIController: Sendable {
    let memory: MemoryController
    let ingest: IngestService
    let authorization: AdminAuthorization
    let logger: Logger

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/memory") { _, _ in report() }
        router.rejectOtherMethods("/api/memory", allowing: [.get])
        router.post("/api/memory/evict") { request, context in
            try authorization.check(request)
            let body = try await request.decode(as: EvictRequest.self, context: context)
            guard let level = PressureLevel(name: body.level) else {
                throw HTTPError(
                    .badRequest,
                    message:
                        "level must be \"none\", \"soft\", \"hard\" or \"critical\", got \"\(body.level)\"")
            }
            let freed = memory.evictor.evict(below: level)
            let status = memory.status
            logger.info(
                "evicted on request", metadata: ["below": "\(level)", "freed_bytes": "\(freed.bytes)"])
            return EvictReport(
                freedBytes: freed.bytes, freedFrames: freed.frames, pressure: status.pressure,
                level: status.level.description)
        }
        router.rejectOtherMethods("/api/memory/evict", allowing: [.post])
        router.post("/api/memory/reset") { request, _ in
            try authorization.check(request)
            memory.monitor.resetPeak()
            return Acknowledgement(
                ok: true, message: "peak and level-entry counts reset; counters stay monotonic")
        }
        router.rejectOtherMethods("/api/memory/reset", allowing: [.post])
    }

    /// The budget, the controller's state and every stream's usage. Only reads.
    func report() -> MemoryReport {
        let status = memory.status
        let stats = status.statistics
        var evictions: [String: Int] = [:]
        for (level, count) in stats.evictionPasses {
            evictions[level == .none ? "operator" : level.description] = count
        }
        var entries: [String: Int] = [:]
        for (level, count) in stats.levelEntries { entries[level.description] = count }
        let usage = ingest.sessions.map { session in
            MemoryReport.StreamUsage(
                name: session.name.value, totalBytes: session.tracker.total,
                quotaBytes: session.tracker.quota,
                priority: session.tracker.priority, components: session.tracker.bytesByComponent)
        }
        return MemoryReport(
            limitBytes: status.budget.bytes, limitSource: status.budget.source,
            accountedBytes: status.accountedBytes,
            baseBytes: status.baseBytes, residentBytes: status.sample.residentBytes,
            heapInUseBytes: status.sample.heapInUseBytes, heapFreeBytes: status.sample.heapFreeBytes,
            containerUsageBytes: status.sample.containerUsageBytes,
            systemAvailableBytes: status.sample.systemAvailableBytes, level: status.level.description,
            pressure: status.pressure, peakBytes: status.peakBytes, admittedBytes: status.admittedBytes,
            admittedBytesPerSecond: status.admittedBytesPerSecond,
            refusingNewStreams: status.refusingNewStreams, evictions: evictions,
            evictedBytes: stats.evictedBytes,
            evictedFrames: stats.evictedFrames, levelEntries: entries, refusals: ingest.refusals.snapshot,
            shedStreams: stats.shedStreams, streams: usage)
    }
}
