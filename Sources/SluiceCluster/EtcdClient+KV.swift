import Foundation

extension EtcdClient {
    /// Every key under `prefix`, and the revision they were read at.
    /// - Parameters:
    ///   - prefix: The key prefix.
    ///   - timeout: How long the read may take.
    /// - Returns: The keys, and the store's revision: a watch from the next one misses nothing.
    public func range(prefix: String, timeout: Duration) async throws(EtcdError) -> (
        keys: [EtcdKeyValue], revision: Int64
    ) {
        struct Answer: Decodable, Sendable {
            var header: EtcdHeader
            var kvs: [EtcdKeyValue]?
        }
        let answer: Answer = try await call(
            "/v3/kv/range",
            ["key": prefix.base64, "range_end": Self.rangeEnd(of: prefix).base64EncodedString()],
            timeout: timeout)
        return (answer.kvs ?? [], answer.header.revision)
    }

    /// Runs a transaction.
    /// - Parameters:
    ///   - transaction: The comparisons and both branches.
    ///   - timeout: How long it may take; past it, whether it ran is unknown.
    /// - Returns: Which branch ran, and its revision.
    public func transaction(_ transaction: EtcdTransaction, timeout: Duration) async throws(EtcdError)
        -> EtcdTransactionResult
    {
        try await call("/v3/kv/txn", transaction, timeout: timeout)
    }

    /// The end of the key range of a prefix: the prefix with its last byte raised by one, as
    /// etcd's clients compute it.
    static func rangeEnd(of prefix: String) -> Data {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return Data(bytes)
            }
            bytes.removeLast()
        }
        return Data([0])
    }
}
