import SluiceCluster
import Testing

/// When a round of asking etcd's voting members proves that no leader stands, or that etcd has
/// no quorum, and when it does not (a partition, a leader).
@Suite struct QuorumEvidenceTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var answers: [QuorumEvidence.Answer]
        var noLeader: Bool
        var noQuorum: Bool
        var testDescription: String { "\(answers) -> no leader \(noLeader), no quorum \(noQuorum)" }
    }

    static let rows: [Row] = [
        // Two of three members down, the third answering without leading: no quorum.
        Row(answers: [.refused, .refused, .follower], noLeader: true, noQuorum: true),
        Row(answers: [.refused, .refused, .refused], noLeader: true, noQuorum: true),
        Row(answers: [.refused, .refused, .refused, .follower, .follower], noLeader: true, noQuorum: true),
        // The third member leads (it has not yet stepped down): it may still expire leases.
        Row(answers: [.refused, .refused, .leader], noLeader: false, noQuorum: false),
        // The third member is silent: it may be part of a working majority beyond a partition.
        Row(answers: [.refused, .refused, .silent], noLeader: false, noQuorum: false),
        // Four members need three for a quorum: two down leave too few.
        Row(answers: [.refused, .refused, .follower, .follower], noLeader: true, noQuorum: true),
        // The leader stopped and the others are electing one: a quorum, but no leader yet.
        Row(answers: [.refused, .follower, .follower, .follower], noLeader: true, noQuorum: false),
        Row(answers: [.refused, .follower, .follower], noLeader: true, noQuorum: false),
        Row(answers: [.follower, .follower, .follower], noLeader: true, noQuorum: false),
        // Once one is elected, it answers that it leads.
        Row(answers: [.refused, .leader, .follower], noLeader: false, noQuorum: false),
        // A silent member may be a leader beyond a partition.
        Row(answers: [.silent, .follower, .follower], noLeader: false, noQuorum: false),
        // Timeouts are what a partition looks like.
        Row(answers: [.silent, .silent, .silent], noLeader: false, noQuorum: false),
        // No member known: nothing proven.
        Row(answers: [], noLeader: false, noQuorum: false),
    ]

    @Test(arguments: rows) func decision(_ row: Row) {
        let evidence = QuorumEvidence(started: .now, answers: row.answers)
        #expect(evidence.provesNoStandingLeader == row.noLeader)
        #expect(evidence.provesNoQuorum == row.noQuorum)
    }
}
