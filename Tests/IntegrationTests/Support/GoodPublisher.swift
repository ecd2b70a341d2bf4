import Foundation
import SluiceCore
import SluiceIngest
import Testing

/// A publisher streaming a fixture in real time beside hostile input, and the check that it
/// lost nothing to it.
struct GoodPublisher {
    let publisher: Publisher
    let stream: IngestSession
    let fixture: String

    init(on server: TestServer, name: String = "live/good", fixture: String = "h264_aac.ts") async throws {
        publisher = try Publisher(fixture: fixture, url: server.url(streamID: name))
        stream = try await server.waitForLiveStream(name)
        self.fixture = fixture
    }

    /// Waits for the publisher to finish, then checks that it lost nothing.
    func expectWhole(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await publisher.exitStatus() == 0, sourceLocation: sourceLocation)
        try await waitUntil("the good stream to end") { stream.isFinished }
        try Self.expectWhole(stream, fixture: fixture, sourceLocation: sourceLocation)
    }

    /// Checks that every GOP and picture of `fixture` reached `stream`, none damaged or dropped
    /// after its first keyframe.
    static func expectWhole(
        _ stream: IngestSession, fixture: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let truth = try ProbedVideo(fixture: fixture)
        let counters = stream.buffer.counters
        let pictures = counters.picturesReceived.values.reduce(0, +)
        #expect(abs(counters.keyframesReceived - truth.keyframes) <= 1, sourceLocation: sourceLocation)
        #expect(
            abs(pictures - truth.frames) <= truth.frames / max(truth.keyframes, 1),
            "\(pictures) pictures of \(truth.frames)", sourceLocation: sourceLocation)
        #expect(stream.corruptPacketCount == 0, sourceLocation: sourceLocation)
        #expect(
            counters.framesDropped.keys.allSatisfy { $0 == .beforeKeyframe }, "\(counters.framesDropped)",
            sourceLocation: sourceLocation)
    }
}
