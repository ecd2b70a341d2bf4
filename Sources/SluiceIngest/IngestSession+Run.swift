import Foundation
import Logging
import SluiceCore
import SluiceDemux

extension IngestSession {
    /// The session's life on its own thread: joins the controller's books, then receives,
    /// demuxes, classifies and admits every frame until the input ends. Every step blocks, so
    /// it never runs on Swift's cooperative pool. ``release(controller:logger:)`` follows.
    /// - Parameters:
    ///   - idleTimeout: How long the publisher may send nothing.
    ///   - probeTimeout: How long the demuxer may take to find a video stream, not counting
    ///     the time it waits for a slot in `probes`.
    ///   - probes: Limits how many streams probe at once.
    ///   - controller: Admits each frame into the buffer, within the memory budget.
    ///   - visible: Records how long after libsrt made its last message available each frame
    ///     is in the buffer.
    ///   - logger: Where the stream's going live is logged.
    func run(
        idleTimeout: Duration, probeTimeout: Duration, probes: ProbeGate, controller: MemoryController,
        visible: LatencyHistogram, logger: Logger
    ) {
        thread.store(currentKernelThreadID(), ordering: .relaxed)
        controller.register(memory)
        applyIdleTimeout(idleTimeout)
        // libavformat reads up to its probe size twice over while it opens the input and looks
        // for the streams' parameters.
        let source = SRTByteSource(
            session: self, probeTimeout: probeTimeout, probeBytes: 2 * Int(Demuxer.probeBytes), gate: probes)
        let demuxer: Demuxer
        do {
            defer { source.endProbe() }
            demuxer = try Demuxer(source: source)
        } catch {
            noteEnd(
                source.probeExpired
                    ? .notAStream
                    : source.wentIdle ? .idleTimeout : connection.closed ? .ended : .demuxFailed("\(error)"))
            return
        }
        guard !source.probeExpired, demuxer.streams.contains(where: { $0.kind == .video }) else {
            noteEnd(connection.closed ? .ended : .notAStream)
            return
        }
        noteFrame(at: .now)
        markLive(demuxer.streams, parameters: demuxer.parameters)
        logger.info(
            "stream live",
            metadata: [
                "stream": "\(name)", "peer": "\(peer)",
                "codecs": "\(demuxer.streams.map(\.description).joined(separator: ", "))",
            ])
        while true {
            switch demuxer.next() {
            case .frame(let frame):
                noteFrame(at: frame.arrival)
                controller.gate.admit(frame, to: memory, now: frame.arrival)
                visible.record(source.sinceLastMessageReady)
            case .corrupt(let frame):
                corruptPackets.add(1, ordering: .relaxed)
                if let frame { buffer.discard(frame, reason: .corrupt) }
            case .end:
                noteEnd(source.wentIdle ? .idleTimeout : .ended)
                return
            }
        }
    }

    /// Takes the ended stream off the controller's books and frees its buffer: the payloads go
    /// back to the allocator and every component returns to zero.
    func release(controller: MemoryController, logger: Logger) {
        controller.unregister(memory)
        connection.close()
        buffer.end()
        let counters = buffer.counters
        let released = buffer.removeAll()
        tracker.setFixed(.srtReceiveBuffer, bytes: 0)
        tracker.setFixed(.demux, bytes: 0)
        markFinished()
        logger.info(
            "disconnected",
            metadata: [
                "stream": "\(name)", "peer": "\(peer)", "reason": "\(endReason ?? .ended)",
                "duration_s": "\(String(format: "%.1f", uptimeSeconds))",
                "bytes_received": "\(bytesReceived)",
                "video_frames": "\(counters.framesReceived[.video, default: 0])",
                "audio_frames": "\(counters.framesReceived[.audio, default: 0])",
                "metadata_frames": "\(counters.framesReceived[.metadata, default: 0])",
                "gops": "\(counters.keyframesReceived)",
                "frames_dropped": "\(counters.framesDropped.values.reduce(0, +))",
                "evicted_bytes": "\(counters.evictedBytes)",
                "corrupt_packets": "\(corruptPacketCount)",
                "released_bytes": "\(released)",
            ])
    }
}
