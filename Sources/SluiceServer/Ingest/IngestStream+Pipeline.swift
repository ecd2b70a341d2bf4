import Logging
import SluiceCore
import SluiceDemux

extension IngestStream {
    /// The stream's ingest loop: SRT receive, demux, buffer, until the input ends. Runs on the
    /// stream's own thread, since every step blocks.
    /// - Parameters:
    ///   - idleTimeout: How long the publisher may send nothing.
    ///   - controller: Admits each frame into the buffer, within the memory budget.
    ///   - logger: Where to log that the stream went live.
    func runPipeline(idleTimeout: Duration, controller: MemoryController, logger: Logger) {
        let source: SRTByteSource
        do {
            source = try SRTByteSource(stream: self, idleTimeout: idleTimeout)
        } catch {
            noteEnd(.demuxFailed("\(error)"))
            return
        }
        let demuxer: Demuxer
        do {
            demuxer = try Demuxer(source: source)
        } catch {
            noteEnd(source.wentIdle ? .idleTimeout : connection.closed ? .ended : .demuxFailed("\(error)"))
            return
        }
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
                controller.gate.admit(frame, to: memory, now: frame.arrival)
            case .corrupt(let frame):
                corruptPackets.add(1, ordering: .relaxed)
                if let frame { buffer.discard(frame, reason: .corrupt) }
            case .end:
                noteEnd(source.wentIdle ? .idleTimeout : .ended)
                return
            }
        }
    }
}
