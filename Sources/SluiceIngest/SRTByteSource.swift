import Foundation
import SluiceCore
import SluiceDemux
import SluiceSRT

/// Feeds the demuxer from a live SRT connection, woken by data.
///
/// The session's thread sleeps in a blocking receive until libsrt has a message for it (at the
/// message's play time), so a stream that sends nothing costs no CPU. A stream whose messages
/// have come more often than one per ``ReceivePacing/interval`` for a second is drained in
/// batches instead, one wakeup for several messages (see ``ReceivePacing``). The idle timeout
/// is the receive's own timeout, not a poll; closing the connection wakes the receive at once.
///
/// Bytes are not activity unless they demux to something: until the demuxer has found a video
/// stream, reading stops at the probe's deadline or byte bound (`not_a_stream`), and once the
/// stream is live, reading stops when no frame has come out for the idle timeout, however many
/// bytes of garbage arrive.
///
/// The socket's receive mode and timeout are set here, on the session's own thread, just before
/// each wait: a reload changes only the session's idle timeout, which the next wait applies.
///
/// The probe runs inside the ``ProbeGate``. The source takes a slot when a message arrives and
/// leaves it before each wait on the publisher, so only streams with bytes to work on count
/// against the gate; a stream that has held its slot for a ``probeTurn`` while others wait goes
/// to the back of the begun probes' queue. Time spent waiting for a slot moves the probe's
/// deadline back, since the deadline is the publisher's to meet, not the server's; but by no
/// more than two probe timeouts, and a probe keeps its place ahead of new ones for one probe
/// timeout only, so callers that dribble garbage can neither linger nor keep new streams out.
/// What libavformat does once reading stopped (it finishes its probe on what it has) is short,
/// and runs with whatever the source held.
final class SRTByteSource: ByteSource {
    private let session: IngestSession
    private let connection: SRTConnection
    private let gate: ProbeGate
    /// When the slot in ``gate`` was taken; `nil` while the source holds none.
    private var heldSince: ContinuousClock.Instant?
    /// Whether the probe has had a turn: its next goes ahead of the probes that have not, for
    /// one probe timeout.
    private var probeBegun = false
    private let staging: UnsafeMutableRawBufferPointer
    private var staged: Range<Int> = 0..<0
    private var probe: (deadline: ContinuousClock.Instant, bytesLeft: Int)?
    /// When the probe began, and how long it may take, not counting the waits for a slot.
    private let probeStart = ContinuousClock.now
    private let probeTimeout: Duration
    private var pacing = ReceivePacing()
    /// The receive timeout in force on the socket; `nil` until the first wait sets it.
    private var blockingTimeout: Duration?

    /// Whether the source ended because the publisher went idle, or sent only garbage.
    private(set) var wentIdle = false
    /// Whether the source ended because the probe found no stream in time.
    private(set) var probeExpired = false
    /// When libsrt made the last message handed out available (its play time): the frame the
    /// demuxer returns next was completed by it, so batching and a thread that falls behind
    /// both show in how long ago this was.
    private var lastReady = SRTInstant.now

    /// How long ago libsrt made the last message handed out available.
    var sinceLastMessageReady: Duration { lastReady.elapsed }

    /// - Parameters:
    ///   - session: The session whose connection to read; its received-byte count is kept here.
    ///   - probeTimeout: How long the demuxer may take to find the streams.
    ///   - probeBytes: How many bytes it may read to find them.
    ///   - gate: Limits how many streams probe at once.
    init(session: IngestSession, probeTimeout: Duration, probeBytes: Int, gate: ProbeGate) {
        self.session = session
        self.connection = session.connection
        self.gate = gate
        self.probeTimeout = probeTimeout
        staging = .allocate(byteCount: SRTConnection.maxMessageBytes, alignment: 16)
        probe = (probeStart + probeTimeout, probeBytes)
    }

    deinit {
        leaveGate()
        staging.deallocate()
    }

    /// The longest a probe keeps its slot while other streams wait for one.
    static let probeTurn = Duration.milliseconds(50)

    /// The probe is over, found or failed: from now on, frames are what count as activity.
    func endProbe() {
        probe = nil
        leaveGate()
    }

    /// Takes a slot for the message just received, unless the connection closed meanwhile.
    /// - Returns: Whether the source holds a slot.
    private func enterGate() -> Bool {
        let resuming = probeBegun && probeStart.duration(to: .now) < probeTimeout
        guard let waited = gate.enter(resuming: resuming, unless: { connection.closed }) else {
            return false
        }
        heldSince = .now
        probeBegun = true
        if let deadline = probe?.deadline {
            probe?.deadline = min(deadline + waited, probeStart + probeTimeout * 3)
        }
        return true
    }

    private func leaveGate() {
        guard heldSince != nil else { return }
        heldSince = nil
        gate.leave()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        if let probe {
            guard ContinuousClock.now < probe.deadline, probe.bytesLeft > 0 else {
                probeExpired = true
                return .end
            }
        } else if session.sinceLastFrame >= session.idleTimeout {
            wentIdle = true
            return .end
        }
        let read = receive(into: buffer)
        if case .bytes(let count) = read, let left = probe?.bytesLeft { probe?.bytesLeft = left - count }
        return read
    }

    private func receive(into buffer: UnsafeMutableRawBufferPointer) -> ByteSourceRead {
        let handed = takeStaged(into: buffer)
        // A message at hand goes to the demuxer now: waiting for the next would hold back the
        // frame it completes.
        if handed > 0 { return .bytes(handed) }
        // Whole messages go straight into libavformat's buffer when they fit; one that might
        // not goes to the staging buffer and is handed out in pieces.
        let direct = buffer.count >= SRTConnection.maxMessageBytes
        let result =
            probe == nil && pacing.mode == .batched
            ? drain(into: direct ? buffer : staging) : wait(into: direct ? buffer : staging)
        switch result {
        case .received(let count, let readyAt):
            if probe == nil { pacing.messageArrived(at: .now) }
            lastReady = readyAt
            session.receivedBytes.add(count, ordering: .relaxed)
            if direct { return .bytes(count) }
            staged = 0..<count
            return .bytes(takeStaged(into: buffer))
        case .nothingQueued:
            // The receive waited its whole timeout for a message: the probe's, or the idle one.
            if let probe, ContinuousClock.now >= probe.deadline {
                probeExpired = true
            } else {
                wentIdle = true
            }
            return .end
        case .closed:
            return .end
        }
    }

    /// Sleeps in libsrt until a message is ready, the timeout passes or the connection closes.
    private func wait(into target: UnsafeMutableRawBufferPointer) -> SRTReceiveResult {
        // A sender that goes quiet while it is being probed is waited for no longer than the
        // probe.
        var timeout = session.idleTimeout
        if let probe { timeout = min(timeout, max(probe.deadline - .now, .milliseconds(1))) }
        if blockingTimeout != timeout {
            guard (try? connection.setBlocking(timeoutMilliseconds: timeout.wholeMilliseconds)) != nil else {
                return .closed
            }
            blockingTimeout = timeout
        }
        guard probe != nil else { return connection.receive(into: target) }
        if let heldSince, heldSince.duration(to: .now) < Self.probeTurn || gate.waiting == 0,
            connection.isReadable
        {
            return connection.receive(into: target)
        }
        // A probe about to wait on its publisher, or whose turn is over while others wait,
        // leaves its slot to one that has bytes.
        leaveGate()
        let result = connection.receive(into: target)
        guard case .received = result else { return result }
        return enterGate() ? result : .closed
    }

    /// Takes what is ready without waiting; when nothing is, sleeps one interval and looks
    /// again, until ``ReceivePacing`` says the stream has gone quiet and hands it back to
    /// ``wait(into:)``. The socket stays blocking: it is only read when libsrt says a message
    /// is ready (or the connection broke, which the read then reports).
    private func drain(into target: UnsafeMutableRawBufferPointer) -> SRTReceiveResult {
        if connection.isReadable { return connection.receive(into: target) }
        while pacing.mode == .batched {
            Thread.sleep(forTimeInterval: pacing.interval.inSeconds)
            let found = connection.isReadable
            pacing.drained(found: found)
            if found { return connection.receive(into: target) }
        }
        return wait(into: target)
    }

    private func takeStaged(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, staged.count)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: staging.baseAddress! + staged.lowerBound, byteCount: count)
        staged = (staged.lowerBound + count)..<staged.upperBound
        return count
    }
}
