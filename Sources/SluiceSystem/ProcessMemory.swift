import CMalloc
import Foundation
import Glibc
import SluiceCore

/// Measures this process as Linux sees it, and gives free heap back to it.
///
/// - Resident size from `/proc/self/statm` (cheap: read on every monitor tick).
/// - Heap in use and free inside malloc's arenas from `mallinfo2` (free heap is fragmentation
///   until `malloc_trim` returns it). `mallinfo2` walks every free chunk of every arena while
///   holding each arena's lock, which stalls the ingest threads' allocations: with hundreds of
///   streams it cost 5% of the process's CPU at four readings a second. It is read at most every two
///   seconds, and afresh after a release.
/// - The container's usage from its cgroup, and the system's MemAvailable.
public struct ProcessMemory: MemoryProbe {
    private let cgroup: CgroupMemory
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private let heap = HeapReading()

    /// Creates a probe.
    /// - Parameter cgroup: Where to read the container's usage.
    public init(cgroup: CgroupMemory = CgroupMemory()) {
        self.cgroup = cgroup
    }

    public func sample() -> ProcessMemorySample {
        let heap = heap.current()
        return ProcessMemorySample(
            residentBytes: residentBytes(), heapInUseBytes: heap.inUse, heapFreeBytes: heap.free,
            containerUsageBytes: cgroup.usage(),
            systemAvailableBytes: Self.meminfo("MemAvailable"))
    }

    /// The resident set size.
    public func residentBytes() -> Int {
        // statm: size resident shared text lib data dt, in pages.
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * pageSize
    }

    public func releaseFreeHeap() {
        malloc_trim(0)
        heap.invalidate()
    }

    /// Limits the number of glibc malloc arenas. With one thread per stream, glibc would
    /// otherwise create up to eight arenas per core, each holding its own free memory.
    /// - Parameter count: The most arenas; 0 leaves glibc's default.
    /// - Returns: Whether glibc accepted it.
    @discardableResult
    public static func setMallocArenaMax(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        return cmalloc_set_arena_max(Int32(count)) == 1
    }

    /// Fixes the size from which glibc gives each allocation its own mapping, returned to the
    /// system as soon as it is freed. glibc otherwise raises that size every time it frees such
    /// a mapping, up to 32 MiB: after the first large keyframe is released, every keyframe
    /// comes from the arenas, where the holes that a sliding window of frames of every size
    /// leaves keep resident memory creeping up while the buffers stay the same size.
    /// - Parameter bytes: The threshold; 0 leaves glibc's sliding default.
    /// - Returns: Whether glibc accepted it.
    @discardableResult
    public static func setMallocMmapThreshold(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        return cmalloc_set_mmap_threshold(Int32(clamping: bytes)) == 1
    }

    /// The machine's physical memory.
    public static var physicalMemory: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func meminfo(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let number = line.dropFirst(key.count + 1).split(separator: " ").first.flatMap { Int($0) }
            return number.map { $0 * 1024 }
        }
        return nil
    }
}
