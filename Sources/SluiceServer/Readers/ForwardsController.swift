import Hummingbird
import SluiceDelivery

/// The forward destinations: `GET /api/forwards`, every live stream's, with their state.
struct ForwardsController: Sendable {
    let forwarding: Forwarding

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/api/forwards") { _, _ in forwarding.statuses.map(ForwardDetail.init) }
        router.rejectOtherMethods("/api/forwards", allowing: [.get])
    }
}
