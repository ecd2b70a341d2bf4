import Logging
import SluiceCore
import SluiceSRT

extension IngestService {
    /// Decides on a caller in the SRT handshake, on libsrt's receive thread: quick, no blocking.
    /// The decision is the core's ``HandshakePolicy``; this maps it to a reject code, and logs
    /// and counts every refusal.
    func handshake(_ request: HandshakeRequest) -> HandshakeDecision {
        let srt = config.current.srt
        let decision = HandshakePolicy(onDuplicate: srt.onDuplicate).decide(
            rawStreamID: request.streamID, shuttingDown: !admitting.load(ordering: .acquiring),
            isLive: registry.isLive, capacity: capacityRefusal,
            readerCapacity: { name in registry.session(named: name).flatMap(readers.refusal(forReaderOf:)) })
        switch decision {
        case .success(let id) where id.mode == .request:
            // Without a read passphrase, readers use the listener's, like publishers.
            return srt.readPassphrase.map { .acceptEncrypted(passphrase: $0) } ?? .accept
        case .success:
            return .accept
        case .failure(let refusal):
            refuse(peer: request.peer, streamID: request.streamID, refusal)
            return .reject(refusal.rejectReason)
        }
    }

    /// Logs and counts one refusal.
    func refuse(peer: String, streamID: String, _ refusal: HandshakeRefusal) {
        refusals.count(refusal.label)
        var metadata: Logger.Metadata = [
            "peer": "\(peer)", "stream_id": "\(streamID)", "code": "\(refusal.rejectReason.code)",
            "reason": "\(refusal)",
        ]
        if refusal == .capacity(.projectedMemory) {
            metadata["footprint_estimate"] = "\(memory.admission.estimate(now: .now))"
        }
        logger.warning("refused", metadata: metadata)
    }

    /// Whether one more stream fits: the stream count and the memory controller's admission.
    /// Only reads.
    func capacityRefusal() -> AdmissionRefusal? {
        memory.admission.refusal(
            liveStreams: registry.count, maxStreams: config.current.srt.maxStreams, now: .now)
    }
}
