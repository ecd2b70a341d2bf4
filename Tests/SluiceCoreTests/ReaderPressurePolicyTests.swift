import Testing

@testable import SluiceCore

@Suite struct ReaderPressurePolicyTests {
    let lags: [(id: Int, lag: ReaderLag)] = [
        (1, ReaderLag(media: .seconds(1), bytes: 500_000)),
        (2, ReaderLag(media: .seconds(3), bytes: 2_000_000)),
        (3, ReaderLag(media: .milliseconds(200), bytes: 90_000, isBehindNewestKeyframe: false)),
        (4, ReaderLag(media: .zero, bytes: 0)),
    ]

    @Test func softMovesOnlyTheReaderFurthestBehind() {
        #expect(ReaderPressurePolicy.readersToSkip(at: .soft, lags: lags) == [2])
    }

    @Test func hardMovesEveryReaderBehindTheNewestKeyframeMostLaggingFirst() {
        #expect(ReaderPressurePolicy.readersToSkip(at: .hard, lags: lags) == [2, 1])
    }

    @Test func noPressureMovesNobodyAndCriticalLeavesReadersToBeCut() {
        #expect(ReaderPressurePolicy.readersToSkip(at: .none, lags: lags).isEmpty)
        #expect(ReaderPressurePolicy.readersToSkip(at: .critical, lags: lags).isEmpty)
    }
}
