import Synchronization

@testable import SluiceCore

/// A process whose resident size the test sets.
final class FakeProbe: MemoryProbe {
    private let resident: Mutex<Int>
    private let heap = Mutex<(used: Int?, free: Int?)>((nil, nil))
    private let trims = Atomic<Int>(0)

    init(resident: Int) { self.resident = Mutex(resident) }

    func set(_ bytes: Int) { resident.withLock { $0 = bytes } }

    func setHeap(used: Int, free: Int) { heap.withLock { $0 = (used, free) } }

    var trimCount: Int { trims.load(ordering: .relaxed) }

    func sample() -> ProcessMemorySample {
        let heap = heap.withLock { $0 }
        return ProcessMemorySample(
            residentBytes: resident.withLock { $0 }, heapInUseBytes: heap.used, heapFreeBytes: heap.free)
    }

    /// Whether a trim hands the free heap back to the system (resident size falls by it).
    let trimReturnsFreeHeap = Atomic<Bool>(false)

    func releaseFreeHeap() {
        trims.add(1, ordering: .relaxed)
        guard trimReturnsFreeHeap.load(ordering: .relaxed) else { return }
        let free = heap.withLock { heap in
            defer { heap.free = 0 }
            return heap.free ?? 0
        }
        resident.withLock { $0 -= free }
    }
}
