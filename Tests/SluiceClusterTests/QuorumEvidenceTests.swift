import SluiceCluster
import Testing

/// When a round of asking etcd's voting members proves that etcd has no quorum, and when it
/// does not (a partition, a leader, too few refusals).
@Suite struct QuorumEvidenceTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var answers: [QuorumEvidence.Answer]
        var proves: Bool
        var testDescription: String { "\(answers) -> \(proves)" }
    }

    static let rows: [Row] = [
        // Two of three members down, the third answering without leading: no quorum.
        Row(answers: [.refused, .refused, .follower], proves: true),
        Row(answers: [.refused, .refused, .refused], proves: true),
        Row(answers: [.refused, .refused, .refused, .follower, .follower], proves: true),
        // The third member leads (it has not yet stepped down): it may still expire leases.
        Row(answers: [.refused, .refused, .leader], proves: false),
        // The third member is silent: it may be part of a working majority beyond a partition.
        Row(answers: [.refused, .refused, .silent], proves: false),
        // Four members need three for a quorum: two down leave too few.
        Row(answers: [.refused, .refused, .follower, .follower], proves: true),
        Row(answers: [.refused, .follower, .follower, .follower], proves: false),
        // One member down: the other two form a quorum.
        Row(answers: [.refused, .follower, .follower], proves: false),
        // Timeouts are what a partition looks like.
        Row(answers: [.silent, .silent, .silent], proves: false),
        Row(answers: [.follower, .follower, .follower], proves: false),
        // No member known: nothing proven.
        Row(answers: [], proves: false),
    ]

    @Test(arguments: rows) func decision(_ row: Row) {
        #expect(QuorumEvidence(started: .now, answers: row.answers).provesNoQuorum == row.proves)
    }
}
