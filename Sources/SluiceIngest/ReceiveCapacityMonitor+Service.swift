import ServiceLifecycle

extension ReceiveCapacityMonitor: Service {
    /// Measures until a graceful shutdown is requested.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }
}
