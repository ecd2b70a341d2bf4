/// Parses the Prometheus text exposition into samples, so tests check values, not text order.
struct Exposition {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else {
                continue
            }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let brace = series.firstIndex(of: "{") {
                name = String(series[..<brace])
                let body = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                var rest = Substring(body)
                while let equals = rest.firstIndex(of: "=") {
                    let key = rest[..<equals].trimmingCharacters(in: [",", " "])
                    let afterQuote = rest.index(equals, offsetBy: 2)
                    var end = afterQuote
                    while rest[end] != "\"" || rest[rest.index(before: end)] == "\\" {
                        end = rest.index(after: end)
                    }
                    labels[key] = String(rest[afterQuote..<end])
                    rest = rest[rest.index(after: end)...]
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    var names: Set<String> { Set(samples.map(\.name)) }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }?.value
    }

    func series(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}
