import Foundation
import SluiceCore

/// One member of the etcd cluster, as the member list reports it.
public struct EtcdMember: Sendable, Hashable, Decodable {
    /// The member's id.
    public var id: UInt64
    /// Its name; empty for a member added but not yet started.
    public var name: String
    /// The client URLs it advertises; empty until it has started.
    public var clientURLs: [String]
    /// Whether it is a learner: it copies the log but does not vote, so it counts for no quorum.
    public var isLearner: Bool

    /// Creates a member.
    /// - Parameters:
    ///   - id: The member's id.
    ///   - name: Its name.
    ///   - clientURLs: The client URLs it advertises.
    ///   - isLearner: Whether it is a learner.
    public init(id: UInt64, name: String, clientURLs: [String], isLearner: Bool = false) {
        self.id = id
        self.name = name
        self.clientURLs = clientURLs
        self.isLearner = isLearner
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        id = try container.uint64(AnyKey("ID"))
        name = try container.decodeIfPresent(String.self, forKey: AnyKey("name")) ?? ""
        clientURLs = try container.decodeIfPresent([String].self, forKey: AnyKey("clientURLs")) ?? []
        isLearner = try container.decodeIfPresent(Bool.self, forKey: AnyKey("isLearner")) ?? false
    }

    /// The client URLs this client can speak to (plain HTTP); a member advertising only
    /// `https://` or `unix://` URLs has none.
    public var endpoints: [HTTPEndpoint] { clientURLs.compactMap(HTTPEndpoint.init(parsing:)) }
}

/// What one member says of itself: its id and the leader it follows.
public struct EtcdMemberStatus: Sendable, Hashable, Decodable {
    /// The answering member's id.
    public var memberID: UInt64
    /// The leader it knows of; 0 for none.
    public var leader: UInt64

    /// Whether the answering member is the leader.
    public var isLeader: Bool { leader != 0 && leader == memberID }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        memberID = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("header"))
            .uint64(AnyKey("member_id"))
        leader = try container.uint64(AnyKey("leader"))
    }
}

extension KeyedDecodingContainer {
    /// An unsigned 64-bit integer the gateway writes as a string; absent means 0.
    func uint64(_ key: Key) throws -> UInt64 {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return 0 }
        guard let value = UInt64(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an integer")
        }
        return value
    }
}
