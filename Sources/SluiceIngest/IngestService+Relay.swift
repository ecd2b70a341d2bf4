import Foundation
import Logging
import SluiceCore
import SluiceSRT
import SluiceSystem

extension IngestService {
    /// How long a relay stays up after its last reader left, so a reader that reconnects
    /// finds the stream buffered.
    static let relayLinger = Duration.seconds(5)

    /// The listener index of a relay's session: it came through no listener of this node.
    public static let relayListener = -1

    /// Serves a reader of a stream another node publishes: the node connects to the owner as
    /// an SRT reader, once per stream, publishes what it receives into a buffer of its own,
    /// and serves its readers from there. A reader that arrives while the relay connects waits
    /// for it; one that arrives later reads the relay's session like any live stream.
    /// - Parameters:
    ///   - reader: The reader's accepted connection.
    ///   - name: The stream it reads.
    func relay(_ reader: SRTConnection, reading name: StreamName) {
        guard relays.join(name, reader: reader) else { return }
        let thread = Thread(kernelName: "relay \(name)") { [self] in startRelay(name) }
        thread.start()
    }

    /// The streams relayed from other nodes now, with the node each comes from.
    public var relayedStreams: [(name: StreamName, node: String)] { relays.relayed }

    /// The node that publishes a stream which is not live here, as the directory last heard.
    /// - Parameter name: A stream name.
    public func remoteOwner(of name: String) -> DirectoryNode? {
        guard let name = try? StreamName(name), registry.session(named: name) == nil,
            let owner = directory.remoteOwner(of: name)
        else { return nil }
        return directory.node(owner) ?? DirectoryNode(id: owner, srt: nil, http: nil)
    }

    /// Connects to the owner, registers the relay's session and runs it until its stream ends
    /// or it has had no reader for ``relayLinger``.
    private func startRelay(_ name: StreamName) {
        let config = config.current
        // A reader that looked for the stream just before a relay registered it, and joined
        // just after that relay took its waiting readers, reads the running relay.
        if let running = registry.session(named: name) {
            for reader in relays.take(name, servingFrom: nil) { readers.serve(reader, reading: running) }
            return
        }
        let owner = directory.remoteOwner(of: name)
        guard let owner, let address = directory.node(owner)?.srt else {
            logger.warning("no relay source", metadata: ["stream": "\(name)", "owner": "\(owner ?? "none")"])
            relays.take(name, servingFrom: nil).forEach { $0.close() }
            return
        }
        let upstream: SRTConnection
        do {
            upstream = try SRTCaller.connect(
                host: address.host, port: UInt16(address.port), streamID: "#!::r=\(name),m=request",
                latencyMilliseconds: config.srt.latencyMilliseconds, passphrase: config.srt.readerPassphrase,
                keyLength: config.srt.keyLength)
        } catch {
            logger.warning(
                "relay failed", metadata: ["stream": "\(name)", "owner": "\(owner)", "error": "\(error)"])
            relays.take(name, servingFrom: nil).forEach { $0.close() }
            return
        }
        let session = IngestSession(
            name: name, connection: upstream, listener: Self.relayListener, config: config, controller: memory
        )
        let refusal = registry.reserve(
            socket: upstream.id, name: name, maxStreams: config.srt.maxStreams, replacing: false, now: .now)
        guard refusal == nil, case .success = registry.claim(session) else {
            upstream.close()
            if let running = registry.session(named: name) {
                for reader in relays.take(name, servingFrom: nil) { readers.serve(reader, reading: running) }
                return
            }
            logger.warning(
                "relay refused", metadata: ["stream": "\(name)", "reason": "\(refusal?.label ?? "conflict")"])
            relays.take(name, servingFrom: nil).forEach { $0.close() }
            return
        }
        logger.info("relaying", metadata: ["stream": "\(name)", "owner": "\(owner)", "source": "\(address)"])
        sessionThreads.enter()
        let thread = Thread(kernelName: "ingest \(name)") { [self] in
            session.run(
                idleTimeout: .milliseconds(config.srt.idleTimeoutMilliseconds),
                probeTimeout: .milliseconds(config.srt.probeTimeoutMilliseconds), probes: probes,
                controller: memory,
                visible: frameVisibility, logger: logger)
            registry.remove(session)
            relays.end(name)
            endings.count((session.endReason ?? .ended).label)
            session.release(controller: memory, logger: logger)
            sessionThreads.leave()
        }
        thread.start()
        for reader in relays.take(name, servingFrom: owner) { readers.serve(reader, reading: session) }
        lingerWhileRead(session)
    }

    /// Stops a relay once it has had no reader for ``relayLinger``.
    private func lingerWhileRead(_ session: IngestSession) {
        var unreadSince: ContinuousClock.Instant?
        while !session.isFinished {
            Thread.sleep(forTimeInterval: 0.25)
            guard readers.readerCount(of: session) == 0 else {
                unreadSince = nil
                continue
            }
            let since = unreadSince ?? .now
            unreadSince = since
            if ContinuousClock.now - since >= Self.relayLinger {
                session.stop(.relayIdle)
                return
            }
        }
    }
}
