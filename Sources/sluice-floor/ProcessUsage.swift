import Foundation

/// This process's CPU time, peak resident memory and threads, from the kernel.
struct ProcessUsage {
    /// User and system CPU time.
    var cpuSeconds: Double
    /// Peak resident memory.
    var peakResidentBytes: Int

    /// The readings now.
    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        // Linux reports ru_maxrss in KiB.
        return ProcessUsage(cpuSeconds: cpu, peakResidentBytes: usage.ru_maxrss * 1024)
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    /// The process's threads now.
    static func threadCount() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
        return line.flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    }
}
