/// How many threads of a kind to run, or to let work at once: a fixed number, or one chosen
/// from the machine.
public enum ThreadCount: Sendable, Equatable, CustomStringConvertible {
    /// Half the cores, at least one: leaves the other half to the work these threads compete
    /// with (demuxing, libsrt's other threads).
    case auto
    /// Exactly this many.
    case count(Int)

    /// The number of threads on a machine with `cores` cores.
    /// - Parameter cores: The cores the process may use.
    public func resolved(cores: Int) -> Int {
        switch self {
        case .auto: max(1, cores / 2)
        case .count(let count): count
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .count(let count): "\(count)"
        }
    }
}
