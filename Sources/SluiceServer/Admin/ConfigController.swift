import Hummingbird
import NIOCore
import SluiceCore

/// The configuration over HTTP: `GET /api/config` (secrets redacted) and
/// `POST /api/config/reload`.
struct ConfigController: Sendable {
    let config: ConfigStore
    let reloader: ConfigReloader
    let authorization: AdminAuthorization

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/config") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(string: config.current.rendered(redactingSecrets: true))))
        }
        router.rejectOtherMethods("/api/config", allowing: [.get])
        router.post("/api/config/reload") { request, _ in
            try authorization.check(request)
            let report = reloader.reload()
            return EditedResponse(status: report.accepted ? .ok : .unprocessableContent, response: report)
        }
        router.rejectOtherMethods("/api/config/reload", allowing: [.post])
    }
}
