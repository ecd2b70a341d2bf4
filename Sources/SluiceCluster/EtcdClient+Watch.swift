import AsyncHTTPClient
import Foundation
import NIOCore

extension EtcdClient {
    /// Watches every key under `prefix` from `revision` on, handing each message to `handle`
    /// as it arrives, until the stream breaks or `handle` throws. The watch is one streaming
    /// request to one member: when it breaks, calls move to another member, and the caller
    /// starts again from the revision it last saw.
    /// - Parameters:
    ///   - prefix: The key prefix.
    ///   - revision: The first revision to report.
    ///   - connectTimeout: How long the member may take to start answering.
    ///   - handle: Called with each message, in order.
    /// - Throws: ``EtcdError`` when the stream cannot start or breaks (it never ends otherwise),
    ///   or what `handle` throws.
    public func watch(
        prefix: String, from revision: Int64, connectTimeout: Duration,
        _ handle: (EtcdWatchBatch) throws -> Void
    ) async throws {
        struct Create: Encodable {
            var create_request: [String: String]
        }
        let body = try JSONEncoder().encode(
            Create(create_request: [
                "key": prefix.base64, "range_end": Self.rangeEnd(of: prefix).base64EncodedString(),
                "start_revision": String(revision),
            ]))
        let endpoint = preferredEndpoint
        do {
            let response = try await http.execute(
                request("/v3/watch", body: body, to: endpoint),
                timeout: .nanoseconds(Int64(connectTimeout.wholeNanoseconds)))
            guard response.status == .ok else {
                let bytes = try await response.body.collect(upTo: 1 << 20)
                throw EtcdError(status: Int(response.status.code), body: Data(bytes.readableBytesView))
            }
            var pending = Data()
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<newline]
                    pending.removeSubrange(pending.startIndex...newline)
                    guard !line.isEmpty else { continue }
                    try handle(try Self.decodeWatchLine(Data(line)))
                }
            }
            throw EtcdError.transport("the watch stream from \(endpoint) ended")
        } catch {
            avoid(endpoint)
            throw error
        }
    }

    private static func decodeWatchLine(_ line: Data) throws -> EtcdWatchBatch {
        struct Line: Decodable {
            var result: EtcdWatchBatch?
            var error: Failure?
            struct Failure: Decodable {
                var message: String?
                var code: Int?
            }
        }
        let decoded: Line
        do { decoded = try JSONDecoder().decode(Line.self, from: line) } catch {
            throw EtcdError.malformed("watch: \(error)")
        }
        if let result = decoded.result { return result }
        throw EtcdError.status(
            http: 200, code: decoded.error?.code ?? 2, message: decoded.error?.message ?? "watch failed")
    }
}
