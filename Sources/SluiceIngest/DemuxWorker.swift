import Foundation
import Logging
import SluiceCore
import SluiceDemux
import SluiceSRT
import Synchronization

/// One thread that receives and demuxes many streams, woken by data.
///
/// Each stream runs on a ``Fiber`` of its own: its session's whole life, from probing to the
/// last frame. The worker waits on libsrt's epoll for every connection it owns and, for each
/// one that has messages, resumes its fiber, which reads what is queued, demuxes it into the
/// stream's buffer and suspends when nothing more is queued. So one wakeup serves every
/// stream that had data, a stream that sends nothing costs nothing, and a frame is in its
/// buffer as soon as the worker reaches its stream.
///
/// A few times a second the worker also resumes the streams that are due without data: a
/// connection closed from this side (a stop, a replace, shedding: libsrt's epoll reports no
/// local close), or a probe or idle deadline that passed.
///
/// When a session's fiber returns, the worker takes the connection out of its epoll and runs
/// the session's `afterward` work (unregistering and releasing it) on its own thread.
final class DemuxWorker: Sendable {
    /// How often streams that had no data are checked for deadlines and closes.
    static let dueCheckInterval = Duration.milliseconds(100)

    /// What a new stream needs to run.
    struct Arrival: Sendable {
        let session: IngestSession
        let idleTimeout: Duration
        let probeTimeout: Duration
        /// Runs on the worker's thread once the session's fiber has returned.
        let afterward: @Sendable () -> Void
    }

    private let epoll: SRTEpoll
    private let arrivals = Mutex<[Arrival]>([])
    private let stopping = Atomic<Bool>(false)
    private let kernelThread = Atomic<Int32>(0)
    private let done = DispatchSemaphore(value: 0)
    private let controller: MemoryController
    private let visible: LatencyHistogram
    private let logger: Logger

    /// Starts the worker's thread.
    /// - Parameters:
    ///   - name: The thread's name.
    ///   - controller: Admits each frame into its buffer.
    ///   - visible: Records how soon each frame is in its buffer.
    ///   - logger: Where sessions log.
    init(name: String, controller: MemoryController, visible: LatencyHistogram, logger: Logger) throws {
        epoll = try SRTEpoll()
        self.controller = controller
        self.visible = visible
        self.logger = logger
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            nameCurrentThread(name)
            kernelThread.store(currentKernelThreadID(), ordering: .releasing)
            started.signal()
            run()
            done.signal()
        }
        thread.start()
        started.wait()
    }

    /// The kernel id of the worker's thread (as `top -H` and `/proc/<pid>/task` show it).
    var threadID: Int32 { kernelThread.load(ordering: .acquiring) }

    /// Hands a new stream to the worker, which starts it on its next turn.
    /// - Parameter arrival: The stream.
    func start(_ arrival: Arrival) {
        arrivals.withLock { $0.append(arrival) }
        // A connection with data wakes the wait at once; one without is started within a
        // due check.
        try? arrival.session.connection.setNonBlocking()
        try? epoll.add(arrival.session.connection)
    }

    /// Stops the worker and waits for its thread to return.
    func stop() {
        stopping.store(true, ordering: .releasing)
        done.wait()
    }

    private final class Running {
        let source: SRTByteSource
        let fiber: Fiber
        let arrival: Arrival

        init(source: SRTByteSource, fiber: Fiber, arrival: Arrival) {
            self.source = source
            self.fiber = fiber
            self.arrival = arrival
        }
    }

    private func run() {
        var running: [Int32: Running] = [:]
        var nextDueCheck = ContinuousClock.now + Self.dueCheckInterval
        while true {
            let arrived = arrivals.withLock { arrivals in
                defer { arrivals.removeAll(keepingCapacity: true) }
                return arrivals
            }
            for arrival in arrived { begin(arrival, in: &running) }
            // Shutdown stops every stream and waits for them before it stops the workers; a
            // stream still running then is abandoned with the process.
            if stopping.load(ordering: .acquiring) {
                for stream in running.values { stream.fiber.abandon() }
                return
            }
            let ready =
                (try? epoll.wait(timeoutMilliseconds: Int(Self.dueCheckInterval.wholeMilliseconds))) ?? []
            for readiness in ready {
                guard let stream = running[readiness.connection.id] else { continue }
                stream.source.noteReadable()
                turn(stream, in: &running)
            }
            let now = ContinuousClock.now
            if now >= nextDueCheck {
                for stream in running.values where stream.source.isDue(at: now) { turn(stream, in: &running) }
                nextDueCheck = now + Self.dueCheckInterval
            }
        }
    }

    private func begin(_ arrival: Arrival, in running: inout [Int32: Running]) {
        let session = arrival.session
        // libavformat reads up to its probe size twice over while it opens the input and looks
        // for the streams' parameters.
        let source = SRTByteSource(
            session: session, probeTimeout: arrival.probeTimeout, probeBytes: 2 * Int(Demuxer.probeBytes))
        let fiber = Fiber { [controller, visible, logger] _ in
            session.run(
                source: source, idleTimeout: arrival.idleTimeout, controller: controller, visible: visible,
                logger: logger)
        }
        guard let fiber else {
            session.noteEnd(.demuxFailed("no memory for the stream's stack"))
            finish(arrival)
            return
        }
        source.suspend = { [unowned fiber] in fiber.suspend() }
        let stream = Running(source: source, fiber: fiber, arrival: arrival)
        running[session.connection.id] = stream
        turn(stream, in: &running)
    }

    private func turn(_ stream: Running, in running: inout [Int32: Running]) {
        guard stream.fiber.resume() else { return }
        running.removeValue(forKey: stream.arrival.session.connection.id)
        stream.source.suspend = {}
        finish(stream.arrival)
    }

    private func finish(_ arrival: Arrival) {
        epoll.remove(arrival.session.connection)
        arrival.afterward()
    }
}
