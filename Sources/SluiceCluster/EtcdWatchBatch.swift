/// One message of a watch stream: the changes of one or more revisions, in order.
public struct EtcdWatchBatch: Sendable, Decodable {
    /// A change to one key.
    public struct Event: Sendable {
        /// Whether the key was written or deleted.
        public var isDelete: Bool
        /// The key after a write; after a delete, its key and the deleting revision.
        public var keyValue: EtcdKeyValue
    }

    /// The store's revision when the message was sent.
    public var revision: Int64
    /// Whether etcd ended the watch (a compacted start revision, among others).
    public var canceled: Bool
    /// When the start revision was compacted away: the oldest revision still kept.
    public var compactRevision: Int64
    /// The changes, oldest first.
    public var events: [Event]

    private struct RawEvent: Decodable {
        var type: String?
        var kv: EtcdKeyValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        revision = try container.decode(EtcdHeader.self, forKey: AnyKey("header")).revision
        canceled = try container.decodeIfPresent(Bool.self, forKey: AnyKey("canceled")) ?? false
        compactRevision = try container.int64(AnyKey("compact_revision"))
        // The gateway leaves out an enum's zero value: an event without a type is a put.
        events = (try container.decodeIfPresent([RawEvent].self, forKey: AnyKey("events")) ?? []).map {
            Event(isDelete: $0.type == "DELETE", keyValue: $0.kv)
        }
    }
}
