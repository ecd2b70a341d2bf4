/// A rule that publishes every live stream whose name matches a pattern to one or more SRT
/// listeners (`forward[]`).
public struct ForwardRule: Sendable, Hashable {
    /// `match`: the streams it forwards.
    public var pattern: NamePattern
    /// `to`: where it forwards them.
    public var destinations: [ForwardDestination]

    /// Creates a rule.
    /// - Parameters:
    ///   - pattern: The streams it forwards.
    ///   - destinations: Where to.
    public init(pattern: NamePattern, destinations: [ForwardDestination]) {
        self.pattern = pattern
        self.destinations = destinations
    }
}

extension Config {
    /// Where a stream is forwarded: the destinations of every `forward` rule its name matches,
    /// each once, in the order the rules name them.
    /// - Parameter name: The stream's name.
    public func forwardDestinations(for name: StreamName) -> [ForwardDestination] {
        var destinations: [ForwardDestination] = []
        for rule in forward where rule.pattern.matches(name.value) {
            for destination in rule.destinations where !destinations.contains(destination) {
                destinations.append(destination)
            }
        }
        return destinations
    }
}
