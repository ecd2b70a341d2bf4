import Synchronization
import Testing

@testable import SluiceCore

/// Receive threads whose CPU time the test sets.
final class FakeThreads: ThreadCPUProbe {
    let threads = Mutex<[ThreadCPUSample]>([])

    func set(_ nanoseconds: [UInt64]) {
        threads.withLock { threads in
            threads = nanoseconds.enumerated().map {
                ThreadCPUSample(
                    id: Int32($0.offset + 1), name: "SRT:RcvQ:w\($0.offset + 1)", cpuNanoseconds: $0.element)
            }
        }
    }

    func sample(namesStartingWith prefix: String) -> [ThreadCPUSample] {
        threads.withLock { $0.filter { $0.name.hasPrefix(prefix) } }
    }
}

@Suite struct ReceiveCapacityTests {
    let start = ContinuousClock.now

    @Test func theFirstPublisherIsAdmittedBeforeAnythingIsKnown() {
        let threads = FakeThreads()
        let capacity = ReceiveCapacity(probe: threads, now: start)
        #expect(!capacity.isFull(saturation: 0.01))
        threads.set([900_000_000])
        capacity.update(liveStreams: 0, now: start + .seconds(1))
        #expect(capacity.load.perStream == nil)
        #expect(!capacity.isFull(saturation: 0.01), "no live stream: nothing to calibrate from")
    }

    @Test func theBusiestThreadPlusOneStreamsShareDecides() {
        let threads = FakeThreads()
        let capacity = ReceiveCapacity(probe: threads, now: start)
        threads.set([0, 0])
        capacity.update(liveStreams: 4, now: start)
        // Over one second, thread 1 used 60% of a core and thread 2 20%, for four streams.
        threads.set([600_000_000, 200_000_000])
        capacity.update(liveStreams: 4, now: start + .seconds(1))
        let load = capacity.load
        #expect(abs(load.busiest - 0.6) < 1e-9)
        #expect(abs((load.perStream ?? 0) - 0.2) < 1e-9)
        #expect(!capacity.isFull(saturation: 0.85), "0.6 + 0.2 fits under 0.85")
        #expect(capacity.isFull(saturation: 0.75), "0.6 + 0.2 does not fit under 0.75")
        // The next second is quieter: only what it used counts.
        threads.set([700_000_000, 250_000_000])
        capacity.update(liveStreams: 4, now: start + .seconds(2))
        #expect(abs(capacity.load.busiest - 0.1) < 1e-9)
        #expect(!capacity.isFull(saturation: 0.2))
    }

    @Test func aThreadThatAppearsCountsFromItsFirstSample() {
        let threads = FakeThreads()
        let capacity = ReceiveCapacity(probe: threads, now: start)
        threads.set([5_000_000_000])
        capacity.update(liveStreams: 1, now: start + .seconds(1))
        #expect(capacity.load.busiest == 0, "CPU used before the thread was first seen is not this second's")
    }
}
