import ServiceLifecycle

extension MemoryMonitorService: Service {
    /// Ticks the controller until a graceful shutdown is requested.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await runOffPool { self.stop() }
    }
}
