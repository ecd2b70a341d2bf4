import Hummingbird
import Logging
import NIOCore

extension SluiceServer {
    /// The router: `/metrics`, the health probes and the admin API.
    public func buildRouter() -> Router<SluiceRequestContext> {
        let router = Router(context: SluiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.get("/metrics") { [self] _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: MetricsExporter(server: self).render())))
        }
        router.rejectOtherMethods("/metrics", allowing: [.get])
        addAdminRoutes(to: router)
        return router
    }

    /// The HTTP application on `http.listen`: a `Service` to run beside the server. Idle
    /// connections close after 30 seconds; HTTP runs on SwiftNIO's event loops, apart from the
    /// ingest threads, so a slow client stalls neither ingest nor other clients.
    public func buildHTTPApplication() -> some ApplicationProtocol {
        let listen = config.http.listen
        return Application(
            router: buildRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(
                address: .hostname(listen.host, port: Int(listen.port)), serverName: "sluice"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                httpPortValue.store(port, ordering: .releasing)
                logger.info("http listening", metadata: ["http": "\(listen.host):\(port)"])
            },
            logger: logger)
    }

    /// The port the HTTP application is bound to, once it runs.
    public var httpPort: Int? {
        let port = httpPortValue.load(ordering: .acquiring)
        return port == 0 ? nil : port
    }
}
