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
            readerCapacity: { name in registry.session(named: name).flatMap(readers.refusal(forReaderOf:)) },
            directory: directory
        ).flatMap { id -> Result<StreamID, HandshakeRefusal> in
            // A publisher's limit and duplicates again, checked and taken in one step.
            guard id.mode == .publish else { return .success(id) }
            let refusal = registry.reserve(
                socket: request.socketID, name: id.name, maxStreams: srt.maxStreams,
                replacing: srt.onDuplicate == .replace, now: .now)
            return refusal.map { .failure($0) } ?? .success(id)
        }
        // libsrt checks the passphrase after this, and refuses on its own: a publisher's held
        // place is given back, and the refusal logged and counted like any other.
        let ifRefused: @Sendable (RejectReason) -> Void = { [weak self] reason in
            guard let self else { return }
            registry.cancel(socket: request.socketID)
            guard let refusal = EncryptionRefusal(reason) else { return }
            refuse(peer: request.peer, streamID: request.streamIDText, .encryption(refusal))
        }
        switch decision {
        case .success(let id) where id.mode == .request:
            // Without a read passphrase, readers use the listener's, like publishers.
            return srt.readPassphrase.map { .acceptEncrypted(passphrase: $0, ifRefused: ifRefused) }
                ?? .accept(ifRefused: ifRefused)
        case .success:
            return .accept(ifRefused: ifRefused)
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
