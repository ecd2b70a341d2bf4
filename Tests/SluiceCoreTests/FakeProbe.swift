import Synchronization

@testable import SluiceCore

/// A process whose resident size the test sets.
final class FakeProbe: MemoryProbe {
    private let resident: Mutex<Int>
    private let trims = Atomic<Int>(0)

    init(resident: Int) { self.resident = Mutex(resident) }

    func set(_ bytes: Int) { resident.withLock { $0 = bytes } }

    var trimCount: Int { trims.load(ordering: .relaxed) }

    func sample() -> ProcessMemorySample { ProcessMemorySample(residentBytes: resident.withLock { $0 }) }

    func releaseFreeHeap() { trims.add(1, ordering: .relaxed) }
}
