import Foundation

/// An etcd transaction: when every comparison holds, the success operations run, otherwise
/// the failure ones, all at one revision. Sluice writes nothing unconditionally: every claim,
/// update and release is one of these.
public struct EtcdTransaction: Sendable, Encodable {
    /// What must hold.
    public var compare: [Comparison]
    /// What runs when it holds.
    public var success: [Operation]
    /// What runs when it does not.
    public var failure: [Operation]

    /// Creates a transaction.
    /// - Parameters:
    ///   - compare: What must hold.
    ///   - success: What runs when it holds.
    ///   - failure: What runs when it does not.
    public init(compare: [Comparison], success: [Operation], failure: [Operation] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }

    /// A condition on one key.
    public enum Comparison: Sendable, Encodable {
        /// The key was created at `revision`; 0 means the key does not exist.
        case createRevision(key: String, equals: Int64)
        /// The key was last changed at `revision`: nobody wrote it since.
        case modRevision(key: String, equals: Int64)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode("EQUAL", forKey: AnyKey("result"))
            switch self {
            case .createRevision(let key, let revision):
                try container.encode(key.base64, forKey: AnyKey("key"))
                try container.encode("CREATE", forKey: AnyKey("target"))
                try container.encode(String(revision), forKey: AnyKey("create_revision"))
            case .modRevision(let key, let revision):
                try container.encode(key.base64, forKey: AnyKey("key"))
                try container.encode("MOD", forKey: AnyKey("target"))
                try container.encode(String(revision), forKey: AnyKey("mod_revision"))
            }
        }
    }

    /// One operation of a branch.
    public enum Operation: Sendable, Encodable {
        /// Writes a key, under a lease (0 for none).
        case put(key: String, value: Data, lease: Int64)
        /// Deletes a key.
        case delete(key: String)
        /// Reads a key, so a failed claim learns who holds it.
        case get(key: String)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            switch self {
            case .put(let key, let value, let lease):
                try container.encode(
                    ["key": key.base64, "value": value.base64EncodedString(), "lease": String(lease)],
                    forKey: AnyKey("request_put"))
            case .delete(let key):
                try container.encode(["key": key.base64], forKey: AnyKey("request_delete_range"))
            case .get(let key):
                try container.encode(["key": key.base64], forKey: AnyKey("request_range"))
            }
        }
    }
}

/// What a transaction did: which branch ran, at what revision, and what its reads found.
public struct EtcdTransactionResult: Sendable, Decodable {
    /// Whether the comparisons held and the success branch ran.
    public var succeeded: Bool
    /// The store's revision after the transaction: a put in it was written at this revision.
    public var revision: Int64
    /// The keys the branch's reads found.
    public var found: [EtcdKeyValue]

    enum CodingKeys: String, CodingKey { case header, succeeded, responses }

    private struct Response: Decodable {
        var response_range: Range?
        struct Range: Decodable { var kvs: [EtcdKeyValue]? }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        succeeded = try container.decodeIfPresent(Bool.self, forKey: .succeeded) ?? false
        revision = try container.decode(EtcdHeader.self, forKey: .header).revision
        let responses = try container.decodeIfPresent([Response].self, forKey: .responses) ?? []
        found = responses.flatMap { $0.response_range?.kvs ?? [] }
    }
}
