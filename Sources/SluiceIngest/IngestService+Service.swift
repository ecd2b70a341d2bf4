import ServiceLifecycle

extension IngestService: Service {
    /// Accepts publishers until a graceful shutdown is requested, then refuses new callers with
    /// 1503, closes every session and frees its buffer.
    public func run() async throws {
        try start()
        try? await gracefulShutdown()
        await runOffPool { self.shutdown() }
    }
}
