import Hummingbird
import Logging
import NIOCore

extension SluiceServer {
    /// The router: `/metrics`, the health probes, the admin API and the HTTP-TS readers, each
    /// from a controller that takes only the parts it needs.
    public func buildRouter() -> Router<SluiceRequestContext> {
        let router = Router(context: SluiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: logger))
        let authorization = AdminAuthorization(config: configuration)
        MetricsController(
            exporter: MetricsExporter(
                memory: memory, ingest: ingest, receiveCapacity: receiveCapacity, delivery: delivery,
                forwarding: forwarding, cluster: cluster)
        ).addRoutes(to: router)
        HealthController(ingest: ingest).addRoutes(to: router)
        StreamsController(
            ingest: ingest, delivery: delivery, forwarding: forwarding, config: configuration,
            authorization: authorization, logger: logger
        )
        .addRoutes(to: router)
        TransportStreamController(
            ingest: ingest, delivery: delivery,
            authorization: ReadAuthorization(config: configuration)
        )
        .addRoutes(to: router)
        ReadersController(delivery: delivery, authorization: authorization, logger: logger).addRoutes(
            to: router)
        ForwardsController(forwarding: forwarding).addRoutes(to: router)
        MemoryAPIController(memory: memory, ingest: ingest, authorization: authorization, logger: logger)
            .addRoutes(to: router)
        ConfigController(config: configuration, reloader: reloader, authorization: authorization)
            .addRoutes(to: router)
        ClusterController(cluster: cluster, ingest: ingest).addRoutes(to: router)
        return router
    }

    /// How long a connection has to deliver one whole request, from opening or from the
    /// previous response; also how long an idle connection stays open.
    static let requestTimeout = TimeAmount.seconds(10)

    /// The HTTP application on `http.listen`: a `Service` to run beside the server. HTTP runs on
    /// SwiftNIO's event loops, apart from the ingest threads, and a client that does not send a
    /// whole request within ``requestTimeout`` is cut off, so a slow client stalls neither
    /// ingest nor other clients.
    public func buildHTTPApplication() -> some ApplicationProtocol {
        let listen = config.http.listen
        return Application(
            router: buildRouter(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        RequestTimeoutHandler(timeout: Self.requestTimeout, logger: self.logger)
                    ])),
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
