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
            isLive: registry.isLive, capacity: capacityRefusal
        ).flatMap { id -> Result<StreamID, HandshakeRefusal> in
            // The limit and duplicates again, checked and taken in one step.
            let refusal = registry.reserve(
                socket: request.socketID, name: id.name, maxStreams: srt.maxStreams,
                replacing: srt.onDuplicate == .replace, now: .now)
            return refusal.map { .failure($0) } ?? .success(id)
        }
        switch decision {
        case .success:
            // libsrt checks the passphrase after this, and refuses on its own.
            return .accept { [weak self] reason in
                guard let self else { return }
                registry.cancel(socket: request.socketID)
                guard let refusal = EncryptionRefusal(reason) else { return }
                refuse(peer: request.peer, streamID: request.streamIDText, .encryption(refusal))
            }
        case .failure(let refusal):
            refuse(peer: request.peer, streamID: request.streamIDText, refusal)
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

    /// Whether one more stream fits: the stream count, the memory controller's admission and
    /// the receive threads' load. Only reads.
    func capacityRefusal() -> AdmissionRefusal? {
        let srt = config.current.srt
        if let refusal = memory.admission.refusal(
            liveStreams: registry.count, maxStreams: srt.maxStreams, now: .now)
        {
            return refusal
        }
        return receiveCapacity.isFull(saturation: srt.receiveSaturation) ? .receiveCapacity : nil
    }
}
