import Dispatch
import Foundation
import ServiceLifecycle

extension SluiceServer: Service {
    /// Runs the server until a graceful shutdown is requested (SIGTERM or SIGINT when run in a
    /// `ServiceGroup`), then shuts it down. SIGHUP reloads the configuration meanwhile.
    public func run() async throws {
        try start()
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler { [self] in
            logger.info("SIGHUP: reloading the configuration")
            reload()
        }
        hangup.resume()
        try? await gracefulShutdown()
        hangup.cancel()
        // Shutdown blocks while the ingest threads finish: keep it off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread { [self] in
                shutdown()
                continuation.resume()
            }.start()
        }
    }
}
