import Foundation
import SluiceCore
import Testing

@testable import SluiceSystem

/// Builds a fake file system root with the files a cgroup reader looks at.
struct FakeRoot {
    let path: String

    init(_ files: [String: String]) throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)").path
        for (file, contents) in files {
            let url = URL(fileURLWithPath: path + file)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
        }
    }
}

@Suite struct CgroupMemoryTests {
    @Test func v2LimitIsTheSmallestOnThePathAndUsageIsTheLeaf() throws {
        let root = try FakeRoot([
            "/proc/self/cgroup": "0::/kubepods/pod1/app\n",
            "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
            "/sys/fs/cgroup/kubepods/memory.max": "4294967296\n",
            "/sys/fs/cgroup/kubepods/pod1/memory.max": "1073741824\n",
            "/sys/fs/cgroup/kubepods/pod1/app/memory.max": "max\n",
            "/sys/fs/cgroup/kubepods/pod1/app/memory.current": "52428800\n",
        ])
        let cgroup = CgroupMemory(root: root.path)
        let limit = try #require(cgroup.limit())
        #expect(limit.bytes == 1 << 30)
        #expect(limit.source == "cgroup v2 /sys/fs/cgroup/kubepods/pod1/memory.max")
        #expect(cgroup.usage() == 50 << 20)
    }

    @Test func v2WithoutALimitHasNone() throws {
        let root = try FakeRoot([
            "/proc/self/cgroup": "0::/user.slice\n",
            "/sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
            "/sys/fs/cgroup/user.slice/memory.max": "max\n",
            "/sys/fs/cgroup/user.slice/memory.current": "1000\n",
        ])
        #expect(CgroupMemory(root: root.path).limit() == nil)
        #expect(CgroupMemory(root: root.path).usage() == 1000)
    }

    @Test func v1LimitIsRead() throws {
        let root = try FakeRoot([
            "/proc/self/cgroup": "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n",
            "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "536870912\n",
            "/sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes": "1048576\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        ])
        let cgroup = CgroupMemory(root: root.path)
        #expect(cgroup.limit()?.bytes == 512 << 20)
        #expect(cgroup.usage() == 1 << 20)
    }

    @Test func v1UnlimitedIsNone() throws {
        let root = try FakeRoot([
            "/proc/self/cgroup": "4:memory:/\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        ])
        #expect(CgroupMemory(root: root.path).limit() == nil)
    }

    @Test func v1InsideAContainerReadsTheHierarchyRoot() throws {
        // The path the kernel names does not exist in the container's view of the hierarchy.
        let root = try FakeRoot([
            "/proc/self/cgroup": "4:memory:/process_api/25394e97\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "2147483648\n",
        ])
        #expect(CgroupMemory(root: root.path).limit()?.bytes == 2 << 30)
    }

    @Test func hybridHierarchiesUseV1WhenV2HasNoMemoryController() throws {
        let root = try FakeRoot([
            "/proc/self/cgroup": "4:memory:/\n0::/\n",
            "/sys/fs/cgroup/cgroup.controllers": "\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824\n",
        ])
        #expect(CgroupMemory(root: root.path).limit()?.source.hasPrefix("cgroup v1") == true)
    }

    @Test func noCgroupFilesMeansNoLimit() throws {
        let root = try FakeRoot(["/etc/hostname": "x\n"])
        #expect(CgroupMemory(root: root.path).limit() == nil)
        #expect(CgroupMemory(root: root.path).usage() == nil)
    }
}

@Suite struct MemoryBudgetTests {
    @Test func autoTakesTheSmallerOfContainerAndMachine() {
        let contained = MemoryBudget.resolve(
            .auto, fraction: 0.5, containerLimit: (1 << 30, "cgroup v2 x"), physicalMemory: 8 << 30)
        #expect(contained.bytes == 512 << 20)
        #expect(contained.source.contains("cgroup v2 x"))
        let bare = MemoryBudget.resolve(.auto, fraction: 0.7, containerLimit: nil, physicalMemory: 10 << 30)
        #expect(bare.bytes == Int(Double(10 << 30) * 0.7))
        #expect(bare.source.contains("physical memory"))
        let loose = MemoryBudget.resolve(
            .auto, fraction: 1, containerLimit: (64 << 30, "cgroup"), physicalMemory: 8 << 30)
        #expect(loose.bytes == 8 << 30)
        let fixed = MemoryBudget.resolve(
            .bytes(ByteSize(bytes: 300 << 20)), fraction: 0.7, containerLimit: (1 << 30, "c"),
            physicalMemory: 1)
        #expect(fixed == MemoryBudget(bytes: 300 << 20, source: "configured"))
    }
}

@Suite(.serialized) struct ProcessMemoryTests {
    @Test func residentSizeFollowsTouchedMemory() {
        let probe = ProcessMemory()
        let before = probe.sample()
        #expect(before.residentBytes > 0)
        #expect((before.heapInUseBytes ?? 0) > 0)
        #expect((before.systemAvailableBytes ?? 0) > 0)
        let size = 96 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        memset(block, 1, size)
        let during = probe.residentBytes()
        block.deallocate()
        let after = probe.residentBytes()
        #expect(during - before.residentBytes >= 90 << 20, "\(during - before.residentBytes)")
        #expect(during - after >= 90 << 20, "a large block goes back to the system when freed")
        probe.releaseFreeHeap()
    }

    /// With the mmap threshold fixed, a freed keyframe-sized block goes back to the system every
    /// time. glibc's sliding threshold would rise to its size at the first free and serve the
    /// second from the arenas, where it stays resident after it is freed.
    @Test func blocksPastTheMmapThresholdGoBackEveryTime() {
        #expect(ProcessMemory.setMallocMmapThreshold(128 << 10))
        let probe = ProcessMemory()
        let size = 24 << 20
        for round in 1...2 {
            let block = malloc(size)!
            memset(block, 1, size)
            let during = probe.residentBytes()
            free(block)
            let after = probe.residentBytes()
            // Other suites allocate in parallel: half the block is the bar, where the sliding
            // threshold gives back nothing in the second round.
            #expect(during - after >= 12 << 20, "round \(round): \(during - after) bytes went back")
        }
    }

    @Test func arenaLimitIsAccepted() {
        #expect(ProcessMemory.setMallocArenaMax(2))
        #expect(ProcessMemory.physicalMemory > 1 << 30)
    }
}
