import Foundation

/// Why an etcd call failed.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No member answered within the call's deadline.
    case timedOut
    /// The member could not be reached, or the connection broke.
    case transport(String)
    /// The member's host refused the connection: it answered, and nothing listens on the
    /// member's port (no etcd runs there).
    case refused(String)
    /// The gateway answered with an error: its HTTP status, gRPC code and message
    /// (`etcdserver: no leader`, `etcdserver: requested lease not found`).
    case status(http: Int, code: Int, message: String)
    /// The answer was not what the API describes.
    case malformed(String)

    /// The error the gateway's JSON body describes.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - body: `{"error": ..., "code": ...}`.
    init(status: Int, body: Data) {
        struct Body: Decodable {
            var error: String?
            var message: String?
            var code: Int?
        }
        let decoded = try? JSONDecoder().decode(Body.self, from: body)
        self = .status(
            http: status, code: decoded?.code ?? 2,
            message: decoded?.message ?? decoded?.error ?? String(decoding: body.prefix(200), as: UTF8.self))
    }

    public var description: String {
        switch self {
        case .timedOut: "etcd did not answer in time"
        case .transport(let why): "etcd unreachable: \(why)"
        case .refused(let endpoint): "etcd member \(endpoint) refused the connection"
        case .status(let http, let code, let message): "etcd error \(code) (HTTP \(http)): \(message)"
        case .malformed(let why): "unexpected answer from etcd: \(why)"
        }
    }
}
