import Hummingbird
import Logging

extension SluiceServer {
    /// The router: `/metrics`, the health probes, the admin API and the HTTP-TS readers, each
    /// from a controller that takes only the parts it needs.
    public func buildRouter() -> Router<SluiceRequestContext> {
        let router = Router(context: SluiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        let authorization = AdminAuthorization(config: configuration)
        MetricsController(exporter: MetricsExporter(memory: memory, ingest: ingest, delivery: delivery))
            .addRoutes(to: router)
        HealthController(ingest: ingest).addRoutes(to: router)
        StreamsController(
            ingest: ingest, delivery: delivery, config: configuration, authorization: authorization,
            logger: logger
        )
        .addRoutes(to: router)
        TransportStreamController(
            ingest: ingest, delivery: delivery, authorization: ReadAuthorization(config: configuration)
        )
        .addRoutes(to: router)
        ReadersController(delivery: delivery, authorization: authorization, logger: logger).addRoutes(
            to: router)
        MemoryAPIController(memory: memory, ingest: ingest, authorization: authorization, logger: logger)
            .addRoutes(to: router)
        ConfigController(config: configuration, reloader: reloader, authorization: authorization)
            .addRoutes(to: router)
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
                http.bound(port)
                logger.info("http listening", metadata: ["http": "\(listen.host):\(port)"])
            },
            logger: logger)
    }

    /// The port the HTTP application is bound to, once it runs.
    public var httpPort: Int? { http.port }
}
