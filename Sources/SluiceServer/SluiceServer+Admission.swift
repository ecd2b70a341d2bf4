import Foundation
import Logging
import SluiceCore
import SluiceDemux
import SluiceSRT

extension SluiceServer {
    /// Decides on a caller in the SRT handshake (on libsrt's receive thread: quick).
    func handshake(_ request: HandshakeRequest) -> HandshakeDecision {
        let config = self.config
        let verdict = HandshakePolicy(onDuplicate: config.srt.onDuplicate).decide(
            rawStreamID: request.streamID, shuttingDown: !admitting.load(ordering: .acquiring),
            isLive: registry.isLive,
            capacity: {
                memory.admission.refusal(
                    liveStreams: registry.count, maxStreams: config.srt.maxStreams, now: .now)
            })
        switch verdict {
        case .accept:
            return .accept
        case .reject(let reason, let label, let why):
            refusals.count(label)
            var metadata: Logger.Metadata = [
                "peer": "\(request.peer)", "stream_id": "\(request.streamID)",
                "code": "\(reason.code)", "reason": "\(why)",
            ]
            if label == AdmissionRefusal.projectedMemory.rawValue {
                metadata["footprint_estimate"] = "\(memory.admission.estimate(now: .now))"
            }
            logger.warning("refused", metadata: metadata)
            return .reject(reason)
        }
    }

    /// Registers a connection that passed the handshake and starts its ingest thread.
    func admit(_ connection: SRTConnection) {
        let config = self.config
        // The handshake already vetted the id; parse it again for the name.
        guard let id = try? StreamID(parsing: connection.streamID), admitting.load(ordering: .acquiring)
        else {
            connection.close()
            return
        }
        let stream = makeStream(id.name, connection: connection)
        switch registry.register(stream, replacing: config.srt.onDuplicate == .replace) {
        case .failure:
            // Two callers passed the handshake for one name before either was registered.
            refusals.count("conflict")
            logger.warning(
                "refused",
                metadata: [
                    "peer": "\(connection.peer)", "stream_id": "\(connection.streamID)",
                    "reason": "'\(id.name)' was registered by another publisher during the handshake",
                ])
            stream.noteEnd(.duplicate)
            connection.close()
            return
        case .success(let displaced):
            if let displaced {
                logger.info(
                    "replacing publisher",
                    metadata: [
                        "stream": "\(id.name)", "old_peer": "\(displaced.peer)",
                        "new_peer": "\(connection.peer)",
                    ])
                displaced.stop(.replaced)
            }
        }
        memory.register(stream.memory)
        logger.info(
            "connected",
            metadata: [
                "stream": "\(id.name)", "peer": "\(connection.peer)", "stream_id": "\(connection.streamID)",
                "quota_bytes": "\(stream.tracker.quota)", "priority": "\(stream.tracker.priority)",
                "footprint_estimate": "\(memory.admission.estimate(now: .now))",
            ])
        ingestThreads.enter()
        let idleTimeout = Duration.milliseconds(config.srt.idleTimeoutMilliseconds)
        let thread = Thread { [self] in
            stream.runPipeline(idleTimeout: idleTimeout, controller: memory, logger: logger)
            finish(stream)
            ingestThreads.leave()
        }
        thread.name = "ingest \(id.name)"
        thread.start()
    }

    private func makeStream(_ name: StreamName, connection: SRTConnection) -> IngestStream {
        let now = ContinuousClock.now
        let config = self.config
        let tracker = StreamTracker(
            name: name.value, settings: config.memorySettings(for: name.value), ledger: memory.ledger)
        // libsrt allocates the receive buffer and the demuxer its read buffer: count them by size.
        tracker.setFixed(.srtReceiveBuffer, bytes: connection.receiveBufferBytes)
        tracker.setFixed(.demux, bytes: Demuxer.ioBufferBytes + SRTConnection.maxMessageBytes)
        let buffer = GOPBuffer(limits: config.buffer.limits, tracker: tracker)
        let unit = StreamMemory(buffer: buffer, bucket: memory.gate.makeStreamBucket(now: now), now: now)
        return IngestStream(name: name, connection: connection, memory: unit)
    }

    /// Takes an ended stream out: off the registry and the controller, its buffer freed.
    private func finish(_ stream: IngestStream) {
        registry.remove(stream)
        memory.unregister(stream.memory)
        stream.connection.close()
        let counters = stream.buffer.counters
        let released = stream.buffer.removeAll()
        stream.tracker.setFixed(.srtReceiveBuffer, bytes: 0)
        stream.tracker.setFixed(.demux, bytes: 0)
        stream.markFinished()
        logger.info(
            "disconnected",
            metadata: [
                "stream": "\(stream.name)", "peer": "\(stream.peer)",
                "reason": "\(stream.endReason ?? .ended)",
                "duration_s": "\(String(format: "%.1f", stream.uptimeSeconds))",
                "bytes_received": "\(stream.bytesReceived)",
                "video_frames": "\(counters.framesReceived[.video, default: 0])",
                "audio_frames": "\(counters.framesReceived[.audio, default: 0])",
                "metadata_frames": "\(counters.framesReceived[.metadata, default: 0])",
                "gops": "\(counters.keyframesReceived)",
                "frames_dropped": "\(counters.framesDropped.values.reduce(0, +))",
                "evicted_bytes": "\(counters.evictedBytes)",
                "corrupt_packets": "\(stream.corruptPacketCount)",
                "released_bytes": "\(released)",
            ])
    }
}
