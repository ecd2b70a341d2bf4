import Foundation
import SluiceCore

/// The process's threads and their CPU time, from `/proc/self/task`.
///
/// CPU time comes from each task's `schedstat` (nanoseconds on a CPU), which tells a thread's
/// share of a core apart over a second where `stat`'s 10 ms ticks cannot; `stat` is the
/// fallback on kernels without it.
public struct ProcessThreads: ThreadCPUProbe {
    /// Reads this process's threads.
    public init() {}

    public func sample(namesStartingWith prefix: String) -> [ThreadCPUSample] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task -> ThreadCPUSample? in
            guard let id = Int32(task),
                let name = Self.read("/proc/self/task/\(task)/comm")?.trimmingCharacters(in: .newlines),
                name.hasPrefix(prefix), let nanoseconds = Self.cpuNanoseconds(task)
            else { return nil }
            return ThreadCPUSample(id: id, name: name, cpuNanoseconds: nanoseconds)
        }
    }

    private static func cpuNanoseconds(_ task: String) -> UInt64? {
        if let schedstat = read("/proc/self/task/\(task)/schedstat"),
            let running = schedstat.split(separator: " ").first.flatMap({ UInt64($0) })
        {
            return running
        }
        // utime and stime, fields 14 and 15, after the parenthesised name (which may hold spaces).
        guard let stat = read("/proc/self/task/\(task)/stat"), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else {
            return nil
        }
        let ticks = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return (user + system) * 1_000_000_000 / ticks
    }

    private static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }
}
