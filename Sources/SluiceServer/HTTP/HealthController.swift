import Hummingbird
import SluiceIngest

/// `GET /healthz` (the process is up) and `GET /readyz` (new publishers are admitted now).
/// Both only read: asking changes no admission state and counts no refusal.
struct HealthController: Sendable {
    let ingest: IngestService

    func addRoutes(to router: some RouterMethods<SluiceRequestContext>) {
        router.get("/healthz") { _, _ in Readiness(ready: true, reason: nil) }
        router.rejectOtherMethods("/healthz", allowing: [.get])
        router.get("/readyz") { _, _ in
            let refusal = ingest.readiness()
            let readiness = Readiness(ready: refusal == nil, reason: refusal?.description)
            return EditedResponse(status: readiness.ready ? .ok : .serviceUnavailable, response: readiness)
        }
        router.rejectOtherMethods("/readyz", allowing: [.get])
    }
}
