import Synchronization

/// The port the HTTP application bound, known once it runs (`http.listen` may ask for port 0).
final class HTTPPort: Sendable {
    private let value = Atomic<Int>(0)

    var port: Int? {
        let port = value.load(ordering: .acquiring)
        return port == 0 ? nil : port
    }

    func bound(_ port: Int) { value.store(port, ordering: .releasing) }
}
