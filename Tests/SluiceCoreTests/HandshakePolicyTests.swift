import Testing

@testable import SluiceCore

@Suite struct HandshakePolicyTests {
    /// One row of the decision table: the inputs and the refusal label expected (`nil`: admit).
    struct Row: Sendable, CustomTestStringConvertible {
        var streamID: String
        var onDuplicate = DuplicatePolicy.reject
        var shuttingDown = false
        var live: [String] = []
        var capacity: AdmissionRefusal? = nil
        var readerCapacity: ReaderRefusal? = nil
        /// Names another node of the cluster holds.
        var elsewhere: [String] = []
        var directory: DirectoryUnavailability? = nil
        var expected: String?

        var testDescription: String { "\(streamID) -> \(expected ?? "admit")" }
    }

    static let table: [Row] = [
        Row(streamID: "live/cam1", expected: nil),
        Row(streamID: "#!::r=live/cam1,m=publish", expected: nil),
        Row(streamID: "#!::r=live/cam1,m=publish,u=alice,t=stream", expected: nil),
        Row(streamID: "live/cam1", shuttingDown: true, expected: "shutting_down"),
        Row(streamID: "garbage!", shuttingDown: true, expected: "shutting_down"),
        Row(streamID: "", expected: "bad_request"),
        Row(streamID: "live/../etc", expected: "bad_request"),
        Row(streamID: "#!::m=publish", expected: "bad_request"),
        // Readers: `m=request`, or no `m` (the specification's default).
        Row(streamID: "#!::r=live/cam1", live: ["live/cam1"], expected: nil),
        Row(streamID: "#!::r=live/cam1,m=request", live: ["live/cam1"], expected: nil),
        Row(streamID: "#!::r=live/cam1,m=request,u=bob", live: ["live/cam1"], expected: nil),
        Row(streamID: "#!::r=live/cam1", expected: "not_found"),
        Row(streamID: "#!::r=live/cam1,m=request", live: ["live/cam2"], expected: "not_found"),
        Row(streamID: "#!::r=live/cam1,m=request", shuttingDown: true, expected: "shutting_down"),
        Row(streamID: "#!::r=live/cam1,m=request,t=file", live: ["live/cam1"], expected: "unsupported_media"),
        Row(
            streamID: "#!::r=live/cam1,m=request", live: ["live/cam1"], readerCapacity: .maxPerStream,
            expected: "max_readers_per_stream"),
        Row(
            streamID: "#!::r=live/cam1,m=request", live: ["live/cam1"], readerCapacity: .maxTotal,
            expected: "max_readers"),
        Row(
            streamID: "#!::r=live/cam1,m=request", live: ["live/cam1"], readerCapacity: .memoryPressure,
            expected: "reader_memory_pressure"),
        // A reader adds no stream: the publishers' capacity does not refuse it.
        Row(streamID: "#!::r=live/cam1", live: ["live/cam1"], capacity: .maxStreams, expected: nil),
        // A reader of a stream that is not live is refused before reader capacity is asked.
        Row(streamID: "#!::r=live/cam1", readerCapacity: .maxTotal, expected: "not_found"),
        // Publishers are not subject to reader limits.
        Row(streamID: "live/cam1", readerCapacity: .maxTotal, expected: nil),
        Row(streamID: "#!::r=live/cam1,m=bidirectional", expected: "bad_mode"),
        Row(streamID: "#!::r=live/cam1,m=publish,t=file", expected: "unsupported_media"),
        Row(streamID: "live/cam1", live: ["live/cam1"], expected: "conflict"),
        Row(streamID: "live/cam1", onDuplicate: .replace, live: ["live/cam1"], expected: nil),
        Row(streamID: "live/cam2", live: ["live/cam1"], capacity: .maxStreams, expected: "max_streams"),
        Row(streamID: "live/cam1", capacity: .memoryPressure, expected: "memory_pressure"),
        Row(streamID: "live/cam1", capacity: .projectedMemory, expected: "projected_memory"),
        // Replacing a live publisher adds no stream, so capacity is not asked.
        Row(
            streamID: "live/cam1", onDuplicate: .replace, live: ["live/cam1"], capacity: .maxStreams,
            expected: nil),
        // A duplicate is refused as a conflict before capacity is considered.
        Row(streamID: "live/cam1", live: ["live/cam1"], capacity: .maxStreams, expected: "conflict"),
        // The cluster: a name another node holds is a conflict too, known even while the
        // directory cannot take claims; a free name waits for the directory.
        Row(streamID: "live/cam1", elsewhere: ["live/cam1"], expected: "held_elsewhere"),
        Row(
            streamID: "live/cam1", onDuplicate: .replace, elsewhere: ["live/cam1"], expected: "held_elsewhere"
        ),
        Row(streamID: "live/cam1", elsewhere: ["live/cam1"], directory: .fenced, expected: "held_elsewhere"),
        Row(streamID: "live/cam2", elsewhere: ["live/cam1"], expected: nil),
        Row(streamID: "live/cam1", directory: .unreachable, expected: "cluster_unavailable"),
        Row(streamID: "live/cam1", directory: .joining, expected: "cluster_unavailable"),
        Row(
            streamID: "live/cam1", capacity: .maxStreams, directory: .fenced, expected: "cluster_unavailable"),
        // A reader of a stream another node publishes is admitted: it is served by relaying,
        // whether or not the directory can claim now.
        Row(streamID: "#!::r=live/cam1", elsewhere: ["live/cam1"], expected: nil),
        Row(streamID: "#!::r=live/cam1", elsewhere: ["live/cam1"], directory: .fenced, expected: nil),
        Row(streamID: "#!::r=live/cam2", elsewhere: ["live/cam1"], expected: "not_found"),
        // Readers of a live stream and a live publisher's duplicate do not ask the directory.
        Row(streamID: "#!::r=live/cam1", live: ["live/cam1"], directory: .fenced, expected: nil),
        Row(streamID: "live/cam1", live: ["live/cam1"], directory: .unreachable, expected: "conflict"),
    ]

    /// A directory that answers from a row.
    struct TableDirectory: StreamDirectory {
        var elsewhere: [String]
        var state: DirectoryUnavailability?

        func unavailability() -> DirectoryUnavailability? { state }
        func remoteOwner(of name: StreamName) -> String? { elsewhere.contains(name.value) ? "node-b" : nil }
        func node(_ id: String) -> DirectoryNode? { nil }
        func claim(_ name: StreamName, timeout: Duration, onLoss: @escaping @Sendable () -> Void) async
            -> ClaimOutcome
        { .unavailable("a table is not claimed from") }
        func release(_ name: StreamName) async {}
    }

    @Test(arguments: table) func decisionTable(_ row: Row) {
        var askedCapacity = false
        var askedReaderCapacity = false
        let result = HandshakePolicy(onDuplicate: row.onDuplicate).decide(
            rawStreamID: row.streamID.utf8, shuttingDown: row.shuttingDown,
            isLive: { row.live.contains($0.value) },
            capacity: {
                askedCapacity = true
                return row.capacity
            },
            readerCapacity: { _ in
                askedReaderCapacity = true
                return row.readerCapacity
            },
            directory: TableDirectory(elsewhere: row.elsewhere, state: row.directory))
        let reads = row.streamID.hasPrefix("#!::") && !row.streamID.contains("m=publish")
        switch result {
        case .success(let id):
            #expect(row.expected == nil, "admitted \(id.name)")
            #expect(id.mode == (reads ? .request : .publish))
        case .failure(let refusal):
            #expect(refusal.label == row.expected)
            #expect(!refusal.description.isEmpty)
        }
        if row.live.contains(where: { row.streamID.contains($0) }) || row.shuttingDown || reads {
            #expect(!askedCapacity, "capacity is asked only for a caller that adds a stream")
        }
        if !reads || row.shuttingDown {
            #expect(!askedReaderCapacity, "reader capacity is asked only for a reader")
        }
    }

    @Test func everyRefusalHasItsOwnLabel() {
        let refusals: [HandshakeRefusal] =
            [
                .shuttingDown, .badRequest(.empty), .badMode(.request), .unsupportedMedia("file"),
                .conflict(try! StreamName("a")),
                .notFound(try! StreamName("a")), .heldElsewhere(try! StreamName("a"), node: "b"),
                .clusterUnavailable(.fenced),
            ] + AdmissionRefusal.allCases.map { .capacity($0) }
            + ReaderRefusal.allCases.map { .readerCapacity($0) }
        #expect(Set(refusals.map(\.label)).count == refusals.count)
    }
}
