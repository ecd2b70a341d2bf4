import Foundation
import ServiceLifecycle

extension SluiceServer: Service {
    /// Runs the server until a graceful shutdown is requested (SIGTERM or SIGINT when run in a
    /// `ServiceGroup`), then shuts it down.
    public func run() async throws {
        try start()
        try? await gracefulShutdown()
        // Shutdown blocks while the ingest threads finish: keep it off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread { [self] in
                shutdown()
                continuation.resume()
            }.start()
        }
    }
}
