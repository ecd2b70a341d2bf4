import Hummingbird
import Logging
import SluiceCore
import SluiceDelivery
import SluiceIngest

/// The live streams: `GET /api/streams`, `GET` and `DELETE /api/streams/{name}`. Names contain
/// `/` and go into the path as they are.
struct StreamsController: Sendable {
    let ingest: IngestService
    let delivery: Delivery
    let forwarding: Forwarding
    let config: ConfigStore
    let authorization: AdminAuthorization
    let logger: Logger

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/streams") { _, _ in ingest.sessions.map(StreamSummary.init) }
        router.rejectOtherMethods("/api/streams", allowing: [.get])
        router.get("/api/streams/**") { _, context in
            let session = try liveSession(context)
            return StreamDetail(
                session, bytesPerSecond: config.current.memory.allocationRate.perStreamBytesPerSecond,
                readers: delivery.readers(of: session.name), forwards: forwarding.statuses(of: session.name))
        }
        router.group().add(middleware: RequestBodyLimit(maxBytes: 0)).delete("/api/streams/**") {
            request, context in
            try authorization.check(request)
            let session = try liveSession(context)
            logger.info("disconnecting stream on request", metadata: ["stream": "\(session.name)"])
            session.stop(.disconnectedByOperator)
            return Acknowledgement(ok: true, message: "disconnected \(session.name)")
        }
        router.rejectOtherMethods("/api/streams/**", allowing: [.get, .delete])
    }

    private func liveSession(_ context: SluiceRequestContext) throws -> IngestSession {
        let name = context.parameters.getCatchAll().joined(separator: "/")
        guard let session = ingest.session(named: name) else {
            throw HTTPError(.notFound, message: "no live stream named '\(name)'")
        }
        return session
    }
}
