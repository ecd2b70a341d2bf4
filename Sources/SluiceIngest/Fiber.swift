import CFiber

/// A body of work with a stack of its own, which a thread runs until the work suspends and
/// resumes later where it left off.
///
/// It turns libavformat's pull model into work driven by data: the demuxer reads through its
/// AVIO callback, and when nothing is queued the callback suspends the fiber instead of
/// blocking a thread. One ``DemuxWorker`` thread then demuxes every stream it owns, each
/// on its own fiber, and wakes once for whatever data arrived instead of once per stream.
///
/// A fiber runs only on the thread that created it, and never while holding a lock: it
/// suspends only from ``suspend()``, called by the byte source between messages.
final class Fiber {
    /// The stack each fiber reserves. Only the pages used become resident; libavformat's
    /// probing (which decodes a few frames) is the deepest user.
    static let stackBytes = 1 << 20

    private var fiber: UnsafeMutablePointer<sluice_fiber>!
    private let body: (Fiber) -> Void

    /// Makes a fiber that runs `body` when first resumed, or `nil` if no stack can be mapped.
    /// - Parameter body: The work, given its fiber; it may call ``suspend()``.
    init?(_ body: @escaping (Fiber) -> Void) {
        self.body = body
        fiber = nil
        guard
            let made = sluice_fiber_create(
                Self.stackBytes,
                { argument in
                    let fiber = Unmanaged<Fiber>.fromOpaque(argument!).takeUnretainedValue()
                    fiber.body(fiber)
                },
                Unmanaged.passUnretained(self).toOpaque())
        else { return nil }
        fiber = made
    }

    deinit {
        if let fiber, !isAbandoned { sluice_fiber_destroy(fiber) }
    }

    private var isAbandoned = false

    /// Gives up a fiber that will not be resumed again, without unmapping its stack: the
    /// runtime may still hold pointers into it (Swift's exclusivity checks keep the accesses
    /// in progress on the thread, and a suspended body is in the middle of some).
    func abandon() {
        isAbandoned = true
    }

    /// Runs the fiber until it suspends or its body returns.
    /// - Returns: Whether the body has returned.
    func resume() -> Bool {
        sluice_fiber_resume(fiber) != 0
    }

    /// From inside the body: hands the thread back to whoever resumed the fiber.
    func suspend() {
        sluice_fiber_suspend(fiber)
    }
}
