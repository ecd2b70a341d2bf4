import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition.
struct MetricsController: Sendable {
    let exporter: MetricsExporter

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: exporter.render())))
        }
        router.rejectOtherMethods("/metrics", allowing: [.get])
    }
}
