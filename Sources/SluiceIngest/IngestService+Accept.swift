import Foundation
import Logging
import SluiceCore
import SluiceSRT
import SluiceSystem

extension IngestService {
    /// Accepts the callers of one listener until the group closes. The wait is libsrt's
    /// blocking accept, which sleeps until a caller or the close: no timeout, no polling, and
    /// no place among the sleepers on libsrt's global epoll event, which every message of
    /// every connection signals.
    func acceptLoop(_ listeners: SRTListenerGroup, listener: Int) {
        while true {
            do {
                if let connection = try listeners.accept(on: listener) {
                    open(connection, listener: listener)
                }
            } catch {
                if stopping.load(ordering: .acquiring) { break }
                logger.error("accept failed", metadata: ["error": "\(error)", "listener": "\(listener)"])
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    /// Registers a connection that passed the handshake and starts its session's thread.
    private func open(_ connection: SRTConnection, listener: Int) {
        let config = config.current
        // The handshake already vetted the id; parse it again for the name.
        guard let id = try? StreamID(parsing: connection.streamID), admitting.load(ordering: .acquiring)
        else {
            registry.cancel(socket: connection.id)
            connection.close()
            return
        }
        if id.mode == .request {
            guard let session = registry.session(named: id.name) else {
                // Another node publishes it; or it ended between the handshake and here.
                if directory.remoteOwner(of: id.name) != nil {
                    relay(connection, reading: id.name)
                } else {
                    connection.close()
                }
                return
            }
            readers.serve(connection, reading: session)
            return
        }
        let session = IngestSession(
            name: id.name, connection: connection, listener: listener, config: config, controller: memory)
        switch registry.claim(session) {
        case .failure:
            // Its place was given up: the caller took longer to connect than a place is held.
            refuse(peer: connection.peer, streamID: connection.streamID, .conflict(id.name))
            session.noteEnd(.duplicate)
            connection.close()
            return
        case .success(let displaced?):
            logger.info(
                "replacing publisher",
                metadata: [
                    "stream": "\(id.name)", "old_peer": "\(displaced.peer)", "new_peer": "\(connection.peer)",
                ])
            displaced.stop(.replaced)
        case .success(nil):
            break
        }
        logger.info(
            "connected",
            metadata: [
                "stream": "\(id.name)", "peer": "\(connection.peer)", "stream_id": "\(connection.streamID)",
                "quota_bytes": "\(session.tracker.quota)", "priority": "\(session.tracker.priority)",
                "footprint_estimate": "\(memory.admission.estimate(now: .now))",
            ])
        claimName(of: session)
        observer.started(session)
        sessionThreads.enter()
        let idleTimeout = Duration.milliseconds(config.srt.idleTimeoutMilliseconds)
        let probeTimeout = Duration.milliseconds(config.srt.probeTimeoutMilliseconds)
        let thread = Thread(kernelName: "ingest \(id.name)") { [self] in
            session.run(
                idleTimeout: idleTimeout, probeTimeout: probeTimeout, probes: probes, controller: memory,
                visible: frameVisibility, logger: logger)
            // The name is free for a new publisher before the old buffer is released.
            registry.remove(session)
            releaseName(of: session)
            // Counted before the release marks the session finished, so whoever sees it finished
            // sees it counted.
            endings.count((session.endReason ?? .ended).label)
            session.release(controller: memory, logger: logger)
            sessionThreads.leave()
        }
        thread.start()
    }
}

extension IngestService {
    /// How long the cluster may take to grant a publisher's name after accept.
    static let claimTimeout = Duration.milliseconds(500)

    /// Claims the session's name in the directory, off the accept thread; a refused claim, or
    /// a claim lost later, disconnects the publisher.
    private func claimName(of session: IngestSession) {
        let name = session.name
        Task { [directory, logger] in
            let outcome = await directory.claim(name, timeout: Self.claimTimeout) { [weak session] in
                guard let session else { return }
                logger.error(
                    "name lost to the cluster", metadata: ["stream": "\(name)", "peer": "\(session.peer)"])
                session.stop(.claimLost)
            }
            guard outcome != .claimed else { return }
            logger.warning(
                "publisher refused by the cluster",
                metadata: ["stream": "\(name)", "peer": "\(session.peer)", "reason": "\(outcome)"])
            session.stop(.claimRefused)
        }
    }

    /// Gives the session's name back to the directory once its stream has ended, unless a
    /// newer publisher of the name (`srt.on_duplicate: "replace"`) holds it now.
    private func releaseName(of session: IngestSession) {
        guard registry.session(named: session.name) == nil else { return }
        let name = session.name
        Task { [directory] in await directory.release(name) }
    }
}
