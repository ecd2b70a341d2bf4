import Foundation

/// One key as etcd reports it: its bytes, value and revisions.
public struct EtcdKeyValue: Sendable, Hashable, Decodable {
    /// The key.
    public var key: String
    /// The value's bytes.
    public var value: Data
    /// The revision that created the key; 0 for a key that does not exist.
    public var createRevision: Int64
    /// The revision of the key's last change: a fencing token for its writer.
    public var modRevision: Int64
    /// The lease the key lives under; 0 for none.
    public var lease: Int64

    enum CodingKeys: String, CodingKey {
        case key, value, lease
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = String(decoding: try container.base64(.key), as: UTF8.self)
        value = try container.base64(.value)
        createRevision = try container.int64(.createRevision)
        modRevision = try container.int64(.modRevision)
        lease = try container.int64(.lease)
    }
}

/// The header every answer carries: the store's revision when it was answered.
struct EtcdHeader: Sendable, Decodable {
    var revision: Int64

    init(from decoder: any Decoder) throws {
        revision = try decoder.container(keyedBy: AnyKey.self).int64(AnyKey("revision"))
    }
}

/// A coding key by name.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// A 64-bit integer the gateway writes as a string; absent means 0, as in protobuf.
    func int64(_ key: Key) throws -> Int64 {
        if let text = try decodeIfPresent(String.self, forKey: key) {
            guard let value = Int64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: self, debugDescription: "not an integer")
            }
            return value
        }
        return 0
    }

    /// Bytes the gateway writes in base64; absent means empty.
    func base64(_ key: Key) throws -> Data {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return Data() }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64")
        }
        return data
    }
}

extension String {
    /// The text's UTF-8 bytes in base64, as the gateway takes keys and values.
    var base64: String { Data(utf8).base64EncodedString() }
}
