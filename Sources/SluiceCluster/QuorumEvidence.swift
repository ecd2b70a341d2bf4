/// What one round of asking every voting etcd member found, and whether it proves that etcd
/// has no quorum anywhere: so many voting members refused the connection (their hosts answered
/// and no etcd listens there) that the rest are fewer than a quorum, and every one of the rest
/// answered that it does not lead.
///
/// A node whose lease renewals fail cannot otherwise tell "etcd has lost its quorum" from "I am
/// cut off from a majority that still works"; in the second case another node may claim its
/// names once the lease expires there, so the node fences itself. A proof of no quorum lets it
/// keep its live publishers instead, because without a quorum no leader can expire the lease
/// or commit another node's claim, and the leader elected when the quorum returns first
/// refreshes every lease to its full time to live. A silent member (a timeout, any other error)
/// proves nothing: that is what a partition looks like. A member that leads proves a leader.
public struct QuorumEvidence: Sendable, Hashable {
    /// What asking one voting member found.
    public enum Answer: Sendable, Hashable {
        /// Every client URL it advertises refused the connection: no etcd runs there.
        case refused
        /// It answered, and it is not the leader (it knows of none, or of another).
        case follower
        /// It answered that it is the leader.
        case leader
        /// It did not answer in time, failed otherwise, or advertises no URL this node can ask.
        case silent
    }

    /// When the round began. A leader elected after then refreshes the lease to its full time to
    /// live, so the lease lives at least until this instant plus the TTL.
    public var started: ContinuousClock.Instant
    /// The answers of the voting members (learners do not vote and are not asked).
    public var answers: [Answer]

    /// Records a round.
    /// - Parameters:
    ///   - started: When the round began.
    ///   - answers: One answer per voting member.
    public init(started: ContinuousClock.Instant, answers: [Answer]) {
        self.started = started
        self.answers = answers
    }

    /// Whether the round proves that no quorum existed when it was taken: the members that did
    /// not refuse are fewer than a quorum (a majority of the voting members), and each of them
    /// answered and does not lead.
    public var provesNoQuorum: Bool {
        let running = answers.count { $0 != .refused }
        let quorum = answers.count / 2 + 1
        return !answers.isEmpty && running < quorum
            && answers.allSatisfy { $0 == .refused || $0 == .follower }
    }
}
