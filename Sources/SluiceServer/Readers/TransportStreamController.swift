import Hummingbird
import NIOCore
import SluiceCore
import SluiceDelivery
import SluiceIngest

/// Live streams over HTTP as MPEG-TS, from the stream's shared mux:
/// - `GET /streams/{name}.ts` (names with `/` as they are): chunked `video/mp2t`, live, until
///   the stream ends or the client goes away; `?start=newest|oldest|next`; a stream another
///   node of the cluster publishes is redirected (302) to that node's `advertise_http`;
/// - `GET /api/buffer/{name}`: the buffered media from the oldest keyframe to the live edge,
///   then the end of the response.
///
/// Each response is a reader like an SRT one: its output is never copied per reader, and a
/// client slower than the stream lags, is moved to the newest keyframe, and is cut (the lag
/// policy), so it cannot grow memory.
struct TransportStreamController: Sendable {
    let ingest: IngestService
    let delivery: Delivery
    let authorization: ReadAuthorization

    /// About the most bytes handed to one write: large enough to keep syscalls few, small
    /// enough that a stalled client holds little.
    static let writeBytes = 64 << 10
    /// The kernel send buffer of a reader's connection. Left to autotuning, it grows to
    /// megabytes on a slow client and hides its lag from the lag policy; at this size a client
    /// that does not keep up shows as a lagging reader within a second of output.
    static let socketSendBuffer = 128 << 10

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/streams/**") { request, context in
            try authorization.check(request)
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard path.hasSuffix(".ts") else {
                throw HTTPError(.notFound, message: "stream URLs end in .ts: /streams/{name}.ts")
            }
            let start: BufferCursor.Start
            switch request.uri.queryParameters.get("start") ?? "newest" {
            case "newest": start = .newestKeyframe
            case "oldest": start = .oldestKeyframe
            case "next": start = .nextKeyframe
            case let other:
                throw HTTPError(.badRequest, message: "start must be newest, oldest or next, not '\(other)'")
            }
            let name = String(path.dropLast(3))
            // A stream another node publishes is read there: HTTP can say so, unlike SRT.
            if let http = ingest.remoteOwner(of: name)?.http {
                let query = request.uri.query.map { "?\($0)" } ?? ""
                return Response(
                    status: .found, headers: [.location: "http://\(http)/streams/\(path)\(query)"])
            }
            try await context.channel.setOption(
                ChannelOptions.socketOption(.so_sndbuf), value: SocketOptionValue(Self.socketSendBuffer)
            ).get()
            return try await stream(name, start: start, as: .http, context: context)
        }
        router.rejectOtherMethods("/streams/**", allowing: [.get])

        router.get("/api/buffer/**") { _, context in
            try await stream(
                context.parameters.getCatchAll().joined(separator: "/"), start: .oldestKeyframe,
                as: .snapshot,
                context: context)
        }
        router.rejectOtherMethods("/api/buffer/**", allowing: [.get])
    }

    private func stream(
        _ name: String, start: BufferCursor.Start, as protocolName: ReaderProtocol,
        context: SluiceRequestContext
    ) async throws -> Response {
        guard let session = ingest.session(named: name) else {
            delivery.statistics.refused("not_found")
            throw HTTPError(.notFound, message: "no live stream named '\(name)'")
        }
        let reader: Reader
        do {
            reader = try delivery.openReader(
                of: session.muxSource, protocolName: protocolName, peer: context.peer, start: start)
        } catch {
            delivery.statistics.refused(error.rawValue)
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "5"], message: error.explanation)
        }
        let channel = context.channel
        reader.onCut { channel.close(promise: nil) }
        // However the connection ends, a reader waiting for output learns it now.
        channel.closeFuture.whenComplete { _ in reader.leave() }
        try? await channel.pipeline.addHandler(ClientHangUpHandler(), position: .first).get()
        return Response(
            status: .ok, headers: [.contentType: "video/mp2t", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var end = ReaderEnd.left
                defer { reader.finish(end) }
                while true {
                    switch await reader.next(maxBytes: Self.writeBytes) {
                    case .end(let ended):
                        end = ended
                        // A cut reader's response is broken off, so the client sees it was not
                        // the stream's end; a departed client's has nowhere to go.
                        if case .cut = ended { throw ResponseBrokenOff() }
                        if ended == .left { throw ResponseBrokenOff() }
                        try await writer.finish(nil)
                        return
                    case .chunks(let chunks):
                        // What a full connection holds unsent may be chunks the log has since
                        // dropped, so it goes on the books, with this batch, before the write
                        // (which waits while the connection is full). A writable connection holds
                        // less than its high water mark of recent output, which the log still
                        // holds and counts; asking for the backlog (a hop to the connection's
                        // event loop) only when full keeps the ask off readers that keep up.
                        if channel.isWritable {
                            reader.holdInTransport(0)
                        } else {
                            let queued = try await channel.getOption(ChannelOptions.bufferedWritableBytes)
                                .get()
                            reader.holdInTransport(queued + chunks.reduce(0) { $0 + $1.size })
                        }
                        try await writer.write(contentsOf: chunks.lazy.map(\.bytes))
                    }
                }
            })
    }

    /// Breaks off a response that cannot end properly.
    private struct ResponseBrokenOff: Error {}
}
