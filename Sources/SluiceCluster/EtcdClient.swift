import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import SluiceCore
import Synchronization

/// A thin client of etcd v3's JSON gateway (`POST /v3/...`, keys and values in base64,
/// 64-bit integers as strings), over AsyncHTTPClient.
///
/// The gateway serves the same API as etcd's gRPC port without generated code. Each call
/// goes to the member that answered last; when it fails (refused, timed out, no leader) the
/// next member is tried, within the call's deadline.
public final class EtcdClient: Sendable {
    /// The members' client URLs.
    public let endpoints: [HTTPEndpoint]
    let http: HTTPClient
    private let preferred = Atomic<Int>(0)

    /// Creates a client; nothing is sent until a call.
    /// - Parameters:
    ///   - endpoints: The members' client URLs; at least one.
    ///   - http: The HTTP client to send with; it should not retry a refused connection
    ///     (``defaultHTTP`` does not), or a stopped member holds every call up.
    public init(endpoints: [HTTPEndpoint], http: HTTPClient = EtcdClient.defaultHTTP) {
        precondition(!endpoints.isEmpty, "an etcd client needs an endpoint")
        self.endpoints = endpoints
        self.http = http
    }

    /// The HTTP client etcd calls go through unless told otherwise: a request whose connection
    /// is refused fails at once rather than being retried until its deadline, so a call moves
    /// on to the next member and a stopped member is seen as one. It lives as long as the process.
    public static let defaultHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(1)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Sends one unary call and decodes its answer, trying each member in turn until one
    /// answers or `timeout` has passed.
    /// - Parameters:
    ///   - path: The gateway path, such as `/v3/kv/range`.
    ///   - request: The request body.
    ///   - timeout: How long the call may take in all.
    /// - Returns: The decoded response.
    /// - Throws: ``EtcdError``.
    func call<Response: Decodable & Sendable>(
        _ path: String, _ request: some Encodable, timeout: Duration
    ) async throws(EtcdError) -> Response {
        let body = try Self.encode(request)
        let deadline = ContinuousClock.now + timeout
        var lastError = EtcdError.timedOut
        for attempt in 0..<endpoints.count {
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            let index = (preferred.load(ordering: .relaxed) + attempt) % endpoints.count
            let data: Data
            do {
                data = try await post(path, body: body, to: endpoints[index], timeout: remaining)
            } catch {
                // A refusal that is about the request, not the member, is the answer.
                if case .status(_, let code, _) = error, !Self.retriesElsewhere(code) { throw error }
                lastError = error
                continue
            }
            preferred.store(index, ordering: .relaxed)
            return try Self.decode(Response.self, from: data, path: path)
        }
        throw lastError
    }

    /// Sends one unary call to one member only, and decodes its answer.
    /// - Parameters:
    ///   - path: The gateway path.
    ///   - request: The request body.
    ///   - endpoint: The member's client URL.
    ///   - timeout: How long the call may take.
    /// - Returns: The decoded response.
    /// - Throws: ``EtcdError``; ``EtcdError/refused(_:)`` when nothing listens there.
    func call<Response: Decodable & Sendable>(
        _ path: String, _ request: some Encodable, at endpoint: HTTPEndpoint, timeout: Duration
    ) async throws(EtcdError) -> Response {
        let data = try await post(path, body: try Self.encode(request), to: endpoint, timeout: timeout)
        return try Self.decode(Response.self, from: data, path: path)
    }

    private static func encode(_ request: some Encodable) throws(EtcdError) -> Data {
        do { return try JSONEncoder().encode(request) } catch { throw .malformed("\(error)") }
    }

    private static func decode<Response: Decodable>(_ type: Response.Type, from data: Data, path: String)
        throws(EtcdError) -> Response
    {
        do { return try JSONDecoder().decode(Response.self, from: data) } catch {
            throw .malformed("\(path): \(error)")
        }
    }

    /// Whether a gRPC status code means another member may answer: unavailable (no leader,
    /// stopping), deadline exceeded, or an unknown failure.
    private static func retriesElsewhere(_ code: Int) -> Bool { [2, 4, 14].contains(code) }

    /// Posts a body and collects the whole answer, or fails after `timeout`.
    private func post(_ path: String, body: Data, to endpoint: HTTPEndpoint, timeout: Duration)
        async throws(EtcdError) -> Data
    {
        do {
            return try await withThrowingTaskGroup(of: Data?.self) { group in
                group.addTask {
                    let response = try await self.http.execute(
                        self.request(path, body: body, to: endpoint),
                        timeout: .nanoseconds(Int64(timeout.wholeNanoseconds)))
                    let bytes = try await response.body.collect(upTo: 16 << 20)
                    let data = Data(bytes.readableBytesView)
                    guard response.status == .ok else {
                        throw EtcdError(status: Int(response.status.code), body: data)
                    }
                    return data
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard case .some(.some(let data)) = try await group.next() else { throw EtcdError.timedOut }
                return data
            }
        } catch let error as EtcdError {
            throw error
        } catch {
            throw Self.isRefusal(error) ? .refused("\(endpoint)") : .transport("\(error)")
        }
    }

    /// Whether a connection failed because every address tried refused it (`ECONNREFUSED`):
    /// the host answered and nothing listens on the port. A timeout, an unreachable host or a
    /// failed name lookup is not a refusal.
    static func isRefusal(_ error: any Error) -> Bool {
        switch error {
        case let error as IOError:
            error.errnoCode == ECONNREFUSED
        case let error as NIOConnectionError:
            error.dnsAError == nil && error.dnsAAAAError == nil && !error.connectionErrors.isEmpty
                && error.connectionErrors.allSatisfy { isRefusal($0.error) }
        default:
            false
        }
    }

    /// A gateway request with a JSON body.
    func request(_ path: String, body: Data, to endpoint: HTTPEndpoint) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "\(endpoint)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Moves the next call to the member after `endpoint`: it stopped answering a stream.
    func avoid(_ endpoint: HTTPEndpoint) {
        guard let index = endpoints.firstIndex(of: endpoint), preferred.load(ordering: .relaxed) == index
        else { return }
        preferred.store((index + 1) % endpoints.count, ordering: .relaxed)
    }

    /// The member calls go to first.
    var preferredEndpoint: HTTPEndpoint { endpoints[preferred.load(ordering: .relaxed) % endpoints.count] }
}
