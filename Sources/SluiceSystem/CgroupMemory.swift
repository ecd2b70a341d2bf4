import Foundation

/// The memory limit and usage of the cgroup this process runs in, for cgroup v2
/// (`memory.max`, `memory.current`) and v1 (`memory.limit_in_bytes`, `memory.usage_in_bytes`).
///
/// The limit is the smallest one set on the process's cgroup or any ancestor. Inside a
/// container the path `/proc/self/cgroup` names may not exist in the container's view of the
/// hierarchy; then the hierarchy's root, which is the container's own cgroup, is read.
public struct CgroupMemory: Sendable {
    /// The file system root to read from (`/`; a directory of fake files in tests).
    public let root: String

    /// v1 limits at or above this mean "no limit" (the kernel reports about 2^63 rounded to a
    /// page).
    static let unlimitedV1 = Int(1) << 62

    /// Creates a reader.
    /// - Parameter root: The file system root.
    public init(root: String = "/") {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    private func read(_ path: String) -> String? {
        (try? String(contentsOfFile: root + path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root + path)
    }

    private enum Hierarchy {
        case v2(directory: String)
        case v1(directory: String)
    }

    private var hierarchy: Hierarchy? {
        guard let membership = read("/proc/self/cgroup") else { return nil }
        let lines = membership.split(separator: "\n").map {
            $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        }
        if exists("/sys/fs/cgroup/cgroup.controllers"),
            read("/sys/fs/cgroup/cgroup.controllers")?.split(separator: " ").contains("memory") == true,
            let line = lines.first(where: { $0.count == 3 && $0[0] == "0" && $0[1].isEmpty })
        {
            return .v2(directory: resolve(base: "/sys/fs/cgroup", path: line[2]))
        }
        if let line = lines.first(where: { $0.count == 3 && $0[1].split(separator: ",").contains("memory") })
        {
            return .v1(directory: resolve(base: "/sys/fs/cgroup/memory", path: line[2]))
        }
        return nil
    }

    private func resolve(base: String, path: String) -> String {
        let full = path == "/" ? base : base + path
        return exists(full) ? full : base
    }

    /// The directories from `directory` up to the hierarchy's root.
    private func lineage(_ directory: String, base: String) -> [String] {
        var chain = [directory]
        var current = directory
        while current.count > base.count, let slash = current.lastIndex(of: "/") {
            current = String(current[..<slash])
            chain.append(current)
        }
        return chain
    }

    /// The memory limit and the file it came from, or `nil` if no cgroup limit applies.
    public func limit() -> (bytes: Int, source: String)? {
        var best: (bytes: Int, source: String)?
        func consider(_ value: Int?, _ file: String) {
            guard let value, best.map({ value < $0.bytes }) ?? true else { return }
            best = (value, file)
        }
        switch hierarchy {
        case .v2(let directory)?:
            for dir in lineage(directory, base: "/sys/fs/cgroup") {
                let file = dir + "/memory.max"
                guard let text = read(file), text != "max" else { continue }
                consider(Int(text), "cgroup v2 " + file)
            }
        case .v1(let directory)?:
            for dir in lineage(directory, base: "/sys/fs/cgroup/memory") {
                let file = dir + "/memory.limit_in_bytes"
                guard let value = read(file).flatMap({ Int($0) }), value < Self.unlimitedV1 else { continue }
                consider(value, "cgroup v1 " + file)
            }
        case nil:
            return nil
        }
        return best
    }

    /// The cgroup's current memory usage, if known.
    public func usage() -> Int? {
        switch hierarchy {
        case .v2(let directory)?: read(directory + "/memory.current").flatMap { Int($0) }
        case .v1(let directory)?: read(directory + "/memory.usage_in_bytes").flatMap { Int($0) }
        case nil: nil
        }
    }
}
