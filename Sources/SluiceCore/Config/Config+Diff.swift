import Foundation

extension Config {
    /// Keys that only take effect at start: they are bound into listening sockets or into the
    /// process. A reload reports a change to them and leaves them as they were.
    public static let restartOnlyKeys: Set<String> = [
        "srt.listen", "srt.latency_ms", "srt.passphrase", "srt.pbkeylen", "srt.receive_buffer",
        "srt.udp_receive_buffer", "http.listen",
        "memory.malloc_arena_max",
    ]

    /// The full key paths whose values differ between two configurations (`streams` counts as
    /// one key).
    /// - Parameter other: The configuration to compare with.
    public func changedKeys(from other: Config) -> [String] {
        let mine = flattened()
        let theirs = other.flattened()
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }

    /// This configuration with the restart-only keys taken from `running`.
    /// - Parameter running: The configuration in force.
    public func keepingRestartOnlyKeys(of running: Config) -> Config {
        var merged = self
        merged.srt.listen = running.srt.listen
        merged.srt.latencyMilliseconds = running.srt.latencyMilliseconds
        merged.srt.passphrase = running.srt.passphrase
        merged.srt.keyLength = running.srt.keyLength
        merged.srt.receiveBuffer = running.srt.receiveBuffer
        merged.srt.udpReceiveBuffer = running.srt.udpReceiveBuffer
        merged.http.listen = running.http.listen
        merged.memory.mallocArenaMax = running.memory.mallocArenaMax
        return merged
    }

    private func flattened() -> [String: JSONValue] {
        guard
            let document = try? JSONDecoder().decode(
                JSONValue.self, from: Data(rendered(redactingSecrets: false).utf8))
        else { return [:] }
        var result: [String: JSONValue] = [:]
        func walk(_ value: JSONValue, _ path: String) {
            if case .object(let fields) = value {
                for (key, field) in fields { walk(field, path.isEmpty ? key : "\(path).\(key)") }
            } else {
                result[path] = value
            }
        }
        walk(document, "")
        return result
    }
}
