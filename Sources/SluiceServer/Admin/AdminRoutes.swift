import Foundation
import HTTPTypes
import Hummingbird
import SluiceCore

extension SluiceServer {
    /// Adds the health probes and the JSON admin API to a router.
    func addAdminRoutes(to router: Router<SluiceRequestContext>) {
        router.get("/healthz") { _, _ in Readiness(ready: true, reason: nil) }
        router.rejectOtherMethods("/healthz", allowing: [.get])
        router.get("/readyz") { [self] _, _ in
            let readiness = readiness()
            return EditedResponse(status: readiness.ready ? .ok : .serviceUnavailable, response: readiness)
        }
        router.rejectOtherMethods("/readyz", allowing: [.get])

        router.get("/api/streams") { [self] _, _ in streams.map(StreamSummary.init) }
        router.rejectOtherMethods("/api/streams", allowing: [.get])
        router.get("/api/streams/**") { [self] _, context in
            let stream = try liveStream(context)
            return StreamDetail(stream, bytesPerSecond: config.memory.allocationRate.perStreamBytesPerSecond)
        }
        router.delete("/api/streams/**") { [self] request, context in
            try authorization.check(request)
            let stream = try liveStream(context)
            logger.info("disconnecting stream on request", metadata: ["stream": "\(stream.name)"])
            stream.stop(.disconnectedByOperator)
            return Acknowledgement(ok: true, message: "disconnected \(stream.name)")
        }
        router.rejectOtherMethods("/api/streams/**", allowing: [.get, .delete])

        router.get("/api/buffer/**") { [self] _, context in
            let stream = try liveStream(context)
            // A reader starts at a keyframe: the buffer's first GOP starts with one.
            let bytes = try stream.transportStream()
            return Response(
                status: .ok, headers: [.contentType: "video/mp2t"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.rejectOtherMethods("/api/buffer/**", allowing: [.get])

        router.get("/api/memory") { [self] _, _ in memoryReport() }
        router.rejectOtherMethods("/api/memory", allowing: [.get])
        router.post("/api/memory/evict") { [self] request, context in
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
        router.post("/api/memory/reset") { [self] request, _ in
            try authorization.check(request)
            memory.monitor.resetPeak()
            return Acknowledgement(
                ok: true, message: "peak and level-entry counts reset; counters stay monotonic")
        }
        router.rejectOtherMethods("/api/memory/reset", allowing: [.post])

        router.get("/api/config") { [self] _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: config.rendered(redactingSecrets: true))))
        }
        router.rejectOtherMethods("/api/config", allowing: [.get])
        router.post("/api/config/reload") { [self] request, _ in
            try authorization.check(request)
            let report = reload()
            return EditedResponse(status: report.accepted ? .ok : .unprocessableContent, response: report)
        }
        router.rejectOtherMethods("/api/config/reload", allowing: [.post])
    }

    private var authorization: AdminAuthorization { AdminAuthorization(token: config.http.adminToken) }

    private func liveStream(_ context: SluiceRequestContext) throws -> IngestStream {
        let name = context.parameters.getCatchAll().joined(separator: "/")
        guard let stream = stream(named: name) else {
            throw HTTPError(.notFound, message: "no live stream named '\(name)'")
        }
        return stream
    }

    /// Whether a new publisher would be admitted now. Asking changes nothing.
    func readiness() -> Readiness {
        guard admitting.load(ordering: .acquiring) else {
            return Readiness(ready: false, reason: "shutting down: new publishers get 1503")
        }
        let config = self.config
        if let refusal = memory.admission.refusal(
            liveStreams: registry.count, maxStreams: config.srt.maxStreams, now: .now)
        {
            return Readiness(ready: false, reason: HandshakePolicy.explain(refusal))
        }
        return Readiness(ready: true, reason: nil)
    }

    func memoryReport() -> MemoryReport {
        let status = memory.status
        let stats = status.statistics
        var evictions: [String: Int] = [:]
        for (level, count) in stats.evictionPasses {
            evictions[level == .none ? "operator" : level.description] = count
        }
        var entries: [String: Int] = [:]
        for (level, count) in stats.levelEntries { entries[level.description] = count }
        let usage = streams.map { stream in
            return MemoryReport.StreamUsage(
                name: stream.name.value, totalBytes: stream.tracker.total, quotaBytes: stream.tracker.quota,
                priority: stream.tracker.priority, components: stream.tracker.bytesByComponent)
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
            evictedFrames: stats.evictedFrames, levelEntries: entries, refusals: refusals.snapshot,
            shedStreams: stats.shedStreams, streams: usage)
    }
}
