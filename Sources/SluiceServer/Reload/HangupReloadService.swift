import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on every SIGHUP until a graceful shutdown is requested.
struct HangupReloadService: Service {
    let reloader: ConfigReloader
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading the configuration")
            reloader.reload()
        }
    }
}
