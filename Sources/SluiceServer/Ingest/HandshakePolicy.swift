import SluiceCore
import SluiceSRT

/// Decides, in the SRT handshake, whether a caller may publish: the rules of the access-control
/// specification applied to Sluice's configuration and to the streams that are live.
struct HandshakePolicy: Sendable {
    /// The outcome with the text that goes into the refusal log line.
    enum Verdict: Equatable {
        case accept(StreamID)
        /// Refused: the code, the reason label (for metrics) and the explanation (for the log).
        case reject(RejectReason, label: String, why: String)
    }

    var onDuplicate: DuplicatePolicy

    /// - Parameters:
    ///   - rawStreamID: The stream id as the caller sent it.
    ///   - shuttingDown: Whether the server is stopping.
    ///   - isLive: Whether a name is being published now.
    ///   - capacity: Whether one more stream fits (stream count and memory); asked only when
    ///     the caller would add a stream, not replace one.
    func decide(
        rawStreamID: String, shuttingDown: Bool, isLive: (StreamName) -> Bool,
        capacity: () -> AdmissionRefusal?
    ) -> Verdict {
        if shuttingDown { return .reject(.down, label: "shutting_down", why: "the server is shutting down") }
        let id: StreamID
        do {
            id = try StreamID(parsing: rawStreamID)
        } catch {
            return .reject(.badRequest, label: "bad_request", why: error.description)
        }
        guard id.mode == .publish else {
            return .reject(
                .badMode, label: "bad_mode",
                why: "mode '\(id.mode.rawValue)' is not supported; only publish is")
        }
        guard id.type == "stream" else {
            return .reject(
                .unsupportedMedia, label: "unsupported_media",
                why: "type '\(id.type)' is not supported; only stream is")
        }
        let live = isLive(id.name)
        if live && onDuplicate == .reject {
            return .reject(.conflict, label: "conflict", why: "'\(id.name)' is already being published")
        }
        if !live, let refusal = capacity() {
            return .reject(.overload, label: refusal.rawValue, why: Self.explain(refusal))
        }
        return .accept(id)
    }

    static func explain(_ refusal: AdmissionRefusal) -> String {
        switch refusal {
        case .maxStreams: "max_streams: srt.max_streams streams are live"
        case .memoryPressure:
            "memory_pressure: memory is at or above memory.refuse_new_streams_at, or not yet back below soft"
        case .projectedMemory: "projected_memory: one more stream would take memory past soft"
        }
    }
}
