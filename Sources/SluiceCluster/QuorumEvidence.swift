/// What one round of asking every voting etcd member found, and what it proves: that no leader
/// standing when the round began still stands, because every voting member either refused the
/// connection (its host answered and no etcd listens there) or answered that it does not lead;
/// and, when the members that did not refuse are also fewer than a quorum, that etcd has no
/// quorum anywhere.
///
/// A node whose lease renewals fail cannot otherwise tell "etcd is electing a leader" or "etcd
/// has lost its quorum" from "I am cut off from a majority that still works"; in the last case
/// another node may claim its names once the lease expires there, so the node fences itself.
/// Only a leader expires leases, and a leader elected after the round began first refreshes
/// every lease to its full time to live (etcd's lessor `Promote`); a leader that stood when it
/// began could not have found the lease expired yet (the node holds only while its own count
/// says the lease lives). So a proof lets the node keep its live publishers through an
/// election or an outage of the quorum. A silent member (a timeout, any other error) proves
/// nothing: that is what a partition looks like. A member that leads proves a leader.
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

    /// Whether the round proves that no leader standing when it began still stands: every
    /// voting member refused or answered that it does not lead. Any later leader is elected
    /// after the round began, and refreshes the lease when it is.
    public var provesNoStandingLeader: Bool {
        !answers.isEmpty && answers.allSatisfy { $0 == .refused || $0 == .follower }
    }

    /// Whether the round proves that no quorum existed when it was taken: no leader stands, and
    /// the members that did not refuse are fewer than a quorum (a majority of the voting
    /// members), so none can be elected until members return.
    public var provesNoQuorum: Bool {
        let running = answers.count { $0 != .refused }
        return provesNoStandingLeader && running < answers.count / 2 + 1
    }
}
