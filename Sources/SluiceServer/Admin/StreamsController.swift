import Hummingbird
import Logging
import NIOCore
import SluiceCore
import SluiceIngest

/// The live streams: `GET /api/streams`, `GET` and `DELETE /api/streams/{name}`, and the
/// buffer as MPEG-TS, `GET /api/buffer/{name}`. Names contain `/` and go into the path as
/// they are.
struct StreamsController: Sendable {
    let ingest: IngestService
    let config: ConfigStore
    let authorization: AdminAuthorization
    let logger: Logger

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/streams") { _, _ in ingest.sessions.map(StreamSummary.init) }
        router.rejectOtherMethods("/api/streams", allowing: [.get])
        router.get("/api/streams/**") { _, context in
            StreamDetail(
                try liveSession(context),
                bytesPerSecond: config.current.memory.allocationRate.perStreamBytesPerSecond)
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

        router.get("/api/buffer/**") { _, context in
            // A reader starts at a keyframe: the buffer's first GOP starts with one.
            let bytes = try liveSession(context).transportStream()
            return Response(
                status: .ok, headers: [.contentType: "video/mp2t"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.rejectOtherMethods("/api/buffer/**", allowing: [.get])
    }

    private func liveSession(_ context: SluiceRequestContext) throws -> IngestSession {
        let name = context.parameters.getCatchAll().joined(separator: "/")
        guard let session = ingest.session(named: name) else {
            throw HTTPError(.notFound, message: "no live stream named '\(name)'")
        }
        return session
    }
}
