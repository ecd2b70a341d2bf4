import Prometheus

/// Prometheus text exposition written directly, for the families with a series per stream.
///
/// swift-prometheus's registry copies a family's whole dictionary of series each time it adds
/// one (`MetricFamily.adding`), so a scrape's cost grew with the square of the streams: at
/// 1,000 streams one scrape took 30 s and more than a core, and starved the receive threads.
/// Here each series is one line appended.
struct ExpositionText {
    /// The kind of a family, as its `# TYPE` line says.
    enum Kind: String {
        case counter, gauge
    }

    /// A family's series: each one's labels and value.
    typealias Series = [([(String, String)], Double)]

    private(set) var bytes: [UInt8] = []

    /// Writes a family: its `# HELP` and `# TYPE` lines, then one line per series. A family
    /// with no series is left out, as the registry leaves it out.
    /// - Parameters:
    ///   - descriptor: The family's name and help.
    ///   - kind: Counter or gauge.
    ///   - series: Each series' labels and value.
    mutating func family(
        _ descriptor: MetricNameDescriptor, _ kind: Kind, _ series: Series
    ) {
        guard !series.isEmpty else { return }
        let name = descriptor.name
        var text = "# HELP \(name) \(descriptor.helpText ?? "")\n# TYPE \(name) \(kind.rawValue)\n"
        for (labels, value) in series {
            text += name
            if !labels.isEmpty {
                text += "{"
                text += labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",")
                text += "}"
            }
            // Counters are whole numbers; writing them without a fraction keeps them exact.
            text += kind == .counter ? " \(Int64(value))\n" : " \(value)\n"
        }
        bytes.append(contentsOf: text.utf8)
    }

    /// A label value as the exposition format quotes it.
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
