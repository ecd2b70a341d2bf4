extension Config {
    /// The configuration as a JSON document with every key written out and secrets redacted,
    /// in the layout of `config/sluice.json`.
    public func rendered(redactingSecrets: Bool = true) -> String {
        func string(_ value: String?) -> String {
            guard let value else { return "null" }
            var escaped = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case _ where scalar.value < 0x20:
                    escaped +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\"\(escaped)\""
        }
        let passphrase = srt.passphrase.map { redactingSecrets ? "<redacted>" : $0 }
        let token = http.adminToken.map { redactingSecrets ? "<redacted>" : $0 }
        let streamRules =
            streams.map { rule in
                var fields = ["\"match\": \(string(rule.pattern))", "\"priority\": \(rule.priority)"]
                if let limit = rule.perStreamLimit {
                    fields.append("\"per_stream_limit\": \(string(limit.description))")
                }
                return "\n    {" + fields.joined(separator: ", ") + "}"
            }.joined(separator: ",") + (streams.isEmpty ? "" : "\n  ")
        return """
            {
              "srt": {
                "listen": \(string(srt.listen.description)),
                "latency_ms": \(srt.latencyMilliseconds),
                "passphrase": \(string(passphrase)),
                "pbkeylen": \(srt.keyLength),
                "on_duplicate": \(string(srt.onDuplicate.rawValue)),
                "idle_timeout_ms": \(srt.idleTimeoutMilliseconds),
                "max_streams": \(srt.maxStreams),
                "receive_buffer": \(string(srt.receiveBuffer.description)),
                "udp_receive_buffer": \(string(srt.udpReceiveBuffer.description))
              },
              "buffer": {
                "max_duration_ms": \(buffer.maxDurationMilliseconds)
              },
              "http": {
                "listen": \(string(http.listen.description)),
                "admin_token": \(string(token))
              },
              "memory": {
                "global_limit": \(string(memory.globalLimit.description)),
                "auto_fraction": \(memory.autoFraction),
                "per_stream_limit": \(string(memory.perStreamLimit.description)),
                "soft": \(memory.soft),
                "hard": \(memory.hard),
                "critical": \(memory.critical),
                "hysteresis": \(memory.hysteresis),
                "monitor_interval_ms": \(memory.monitorIntervalMilliseconds),
                "shed_after_ms": \(memory.shedAfterMilliseconds),
                "eviction_policy": \(string(memory.evictionPolicy.rawValue)),
                "refuse_new_streams_at": \(string(memory.refuseNewStreamsAt.description)),
                "stream_estimate": \(string(memory.streamEstimate.description)),
                "malloc_arena_max": \(memory.mallocArenaMax),
                "allocation_rate": {
                  "per_stream_bytes_per_second": \(memory.allocationRate.perStreamBytesPerSecond),
                  "global_bytes_per_second": \(memory.allocationRate.globalBytesPerSecond),
                  "burst_bytes": \(string(memory.allocationRate.burstBytes.description))
                }
              },
              "streams": [\(streamRules)]
            }
            """
    }
}
