import Hummingbird
import Logging
import SluiceCore
import SluiceDelivery

/// The readers: `GET /api/readers`, and `DELETE /api/readers/{id}` (admin token) to disconnect
/// one.
struct ReadersController: Sendable {
    let delivery: Delivery
    let authorization: AdminAuthorization
    let logger: Logger

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/readers") { _, _ in delivery.readers.map(ReaderDetail.init) }
        router.rejectOtherMethods("/api/readers", allowing: [.get])
        router.delete("/api/readers/{id}") { request, context in
            try authorization.check(request)
            let id = try context.parameters.require("id", as: UInt64.self)
            guard delivery.cut(readerID: id, reason: .operatorRequest) else {
                throw HTTPError(.notFound, message: "no reader with id \(id)")
            }
            logger.info("disconnecting reader on request", metadata: ["reader": "\(id)"])
            return Acknowledgement(ok: true, message: "disconnected reader \(id)")
        }
        router.rejectOtherMethods("/api/readers/{id}", allowing: [.delete])
    }
}
