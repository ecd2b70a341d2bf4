import Foundation
import SluiceCore
import SluiceIngest
import SluiceSRT
import SluiceServer
import Testing

extension Integration {
    /// Metrics, the admin API and reload, over real HTTP.
    @Suite struct Operators {
        /// The lint notices promtool 2.42 gives for the two unit names the metrics contract fixes.
        static let contractLint: Set<String> = [
            #"sluice_srt_receive_buffer_milliseconds use base unit "seconds" instead of "milliseconds""#,
            #"sluice_srt_receive_rate_bits_per_second use base unit "bytes" instead of "bits""#,
        ]

        static let contract = [
            "sluice_memory_limit_bytes", "sluice_memory_accounted_bytes", "sluice_process_resident_bytes",
            "sluice_memory_peak_bytes", "sluice_memory_pressure_ratio", "sluice_memory_pressure_level",
            "sluice_heap_in_use_bytes", "sluice_heap_free_bytes", "sluice_admitted_bytes_total",
            "sluice_evictions_total", "sluice_evicted_bytes_total", "sluice_streams_active",
            "sluice_streams_rejected_total", "sluice_stream_memory_bytes", "sluice_stream_limit_bytes",
            "sluice_stream_gops", "sluice_stream_frames_buffered", "sluice_stream_received_bytes_total",
            "sluice_frames_dropped_total", "sluice_srt_rtt_seconds", "sluice_srt_packets_received_total",
            "sluice_srt_packets_lost_total", "sluice_srt_packets_retransmitted_total",
            "sluice_srt_packets_dropped_total", "sluice_srt_receive_rate_bits_per_second",
            "sluice_srt_receive_buffer_milliseconds", "sluice_build_info", "sluice_readers_active",
            "sluice_readers_started_total", "sluice_reader_sent_bytes_total", "sluice_reader_skips_total",
            "sluice_reader_disconnects_total", "sluice_readers_refused_total",
            "sluice_reader_first_keyframe_seconds_count", "sluice_reader_first_keyframe_seconds_bucket",
            "sluice_forward_destinations",
        ]

        private func promtool(_ text: String) throws -> (status: Int32, problems: Set<String>) {
            let (status, output) = try run("/usr/bin/promtool", ["check", "metrics"], input: Data(text.utf8))
            return (status, Set(output.split(separator: "\n").map(String.init)))
        }

        @Test func metricsPassPromtoolWhileStreamingAndStreamSeriesGoAfter() async throws {
            let server = try TestServer(http: true)
            let base = try await server.httpBase()
            #expect(
                server.rejection(streamID: "bad name") == .badRequest, "a refusal to show in the metrics")
            let publishers = try ["live/m1", "live/m2"].map {
                try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: $0))
            }
            for name in ["live/m1", "live/m2"] { _ = try await server.waitForLiveStream(name) }
            try await Task.sleep(for: .seconds(2))
            let during = try await http("GET", base + "/metrics")
            #expect(during.status == 200)
            #expect(during.headers["content-type"]?.hasPrefix("text/plain") == true)
            let check = try promtool(during.text)
            // Parsed without error (status 1 would be a parse failure); the only lint notices are
            // the two unit names the contract fixes.
            #expect(check.status == 0 || check.status == 3)
            #expect(check.problems.subtracting(Self.contractLint).isEmpty, "\(check.problems)")
            let metrics = Exposition(during.text)
            for name in Self.contract { #expect(metrics.names.contains(name), "\(name) missing") }
            #expect(metrics.value("sluice_streams_active") == 2)
            #expect(metrics.value("sluice_streams_rejected_total", ["reason": "bad_request"]) == 1)
            #expect(
                (metrics.value("sluice_stream_memory_bytes", ["stream": "live/m1", "component": "frames"])
                    ?? 0) > 0)
            #expect((metrics.value("sluice_stream_gops", ["stream": "live/m2"]) ?? 0) >= 1)
            #expect((metrics.value("sluice_srt_packets_received_total", ["stream": "live/m1"]) ?? 0) > 100)
            #expect(metrics.value("sluice_build_info", ["version": SluiceVersion.current]) == 1)
            #expect(
                Set(metrics.series("sluice_stream_limit_bytes").compactMap { $0.labels["stream"] }) == [
                    "live/m1", "live/m2",
                ])

            for publisher in publishers { #expect(try await publisher.exitStatus() == 0) }
            try await waitUntil("the streams to end") { server.server.streams.isEmpty }
            let after = Exposition(try await http("GET", base + "/metrics").text)
            #expect(after.value("sluice_streams_active") == 0)
            #expect(after.samples.allSatisfy { $0.labels["stream"] == nil }, "no stale per-stream series")
            #expect((after.value("sluice_admitted_bytes_total") ?? 0) > 100_000)
        }

        @Test func aRealPrometheusScrapesSluice() async throws {
            let server = try TestServer(http: true)
            let base = try await server.httpBase()
            let publishers = try ["p/1", "p/2", "p/3"].map {
                try Publisher(
                    fixture: "h264_video_only.ts", url: server.url(streamID: $0),
                    extraInput: ["-stream_loop", "2"])
            }
            for name in ["p/1", "p/2", "p/3"] { _ = try await server.waitForLiveStream(name) }
            let promPort = SluiceProcess.freeTCPPort()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "prom-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let target = base.replacingOccurrences(of: "http://", with: "")
            let configFile = directory.appendingPathComponent("prometheus.yml").path
            try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: sluice
                static_configs:
                  - targets: ["\(target)"]
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
            let prometheus = Process()
            prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
            prometheus.arguments = [
                "--config.file=\(configFile)", "--storage.tsdb.path=\(directory.path)/data",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ]
            prometheus.standardOutput = FileHandle.nullDevice
            prometheus.standardError = FileHandle.nullDevice
            try prometheus.run()
            defer {
                prometheus.terminate()
                prometheus.waitUntilExit()
                for publisher in publishers { publisher.process.terminate() }
            }
            let query = "http://127.0.0.1:\(promPort)/api/v1/query?query=sluice_streams_active"
            var answer = ""
            try await waitUntil("Prometheus to scrape sluice_streams_active = 3", timeout: 30) {
                guard prometheus.isRunning else { throw TimedOut(what: "prometheus exited") }
                answer = (try? syncGet(query)) ?? ""
                return answer.contains(#""value":["#) && answer.contains(#","3"]"#)
            }
            #expect(answer.contains(#""job":"sluice""#))
        }

        @Test func theAdminAPI() async throws {
            let token = "s3cret-token-for-tests"
            let server = try TestServer(http: true) { $0.http.adminToken = token }
            let base = try await server.httpBase()
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/deep/name.main"),
                extraInput: ["-stream_loop", "1"])
            let stream = try await server.waitForLiveStream("live/deep/name.main")
            try await Task.sleep(for: .seconds(1))

            #expect(try await http("GET", base + "/healthz").status == 200)
            let ready = try await http("GET", base + "/readyz")
            #expect(ready.status == 200)
            let list =
                try JSONSerialization.jsonObject(with: try await http("GET", base + "/api/streams").body)
                as? [[String: Any]]
            #expect(list?.first?["name"] as? String == "live/deep/name.main")
            #expect((list?.first?["codecs"] as? [String])?.first?.hasPrefix("h264") == true)

            let detail = try await http("GET", base + "/api/streams/live/deep/name.main")
            #expect(detail.status == 200)
            let body = try detail.json()
            #expect(body["peer"] as? String == stream.peer)
            #expect(
                (body["elementary_streams"] as? [[String: Any]])?.map { $0["codec"] as? String } == [
                    "h264", "aac",
                ])
            #expect(
                ((body["memory"] as? [String: Any])?["components"] as? [String: Int])?["srt_receive_buffer"]
                    ?? 0 > 0)
            #expect((body["gops"] as? [String: Any])?["count"] as? Int ?? 0 >= 1)
            #expect((body["srt"] as? [String: Any])?["packets_received"] as? Int ?? 0 > 0)
            #expect((body["rate_limit"] as? [String: Any])?["limited"] as? Bool == false)
            #expect((body["uptime_seconds"] as? Double ?? 0) > 0.5)

            let missing = try await http("GET", base + "/api/streams/live/nobody")
            #expect(missing.status == 404)
            #expect(try missing.json()["error"] != nil)
            let unknown = try await http("GET", base + "/api/nothing/here")
            #expect(unknown.status == 404)
            #expect(
                ((try unknown.json()["error"] as? [String: Any])?["message"] as? String)?.contains("no route")
                    == true)
            let wrongMethod = try await http("POST", base + "/api/streams")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"] == "GET")
            #expect(try await http("GET", base + "/api/memory/evict").status == 405)

            let memory = try await http("GET", base + "/api/memory").json()
            #expect(memory["limit_bytes"] as? Int ?? 0 > 0)
            #expect((memory["limit_source"] as? String)?.isEmpty == false)
            #expect((memory["streams"] as? [[String: Any]])?.count == 1)
            #expect(memory["level"] as? String == "none")

            // A reader gets the buffer back as MPEG-TS, from a keyframe, and it decodes.
            let ts = try await http("GET", base + "/api/buffer/live/deep/name.main")
            #expect(ts.status == 200)
            #expect(ts.headers["content-type"] == "video/mp2t")
            #expect(ts.body.count > 10_000 && ts.body.first == 0x47)
            let dump = try Paths.temporaryFile("buffer.ts", contents: "")
            try ts.body.write(to: URL(fileURLWithPath: dump))
            let (decoded, errors) = try run(
                "/usr/bin/ffmpeg", ["-v", "error", "-i", dump, "-f", "null", "-"])
            #expect(decoded == 0)
            #expect(errors.isEmpty, "decode errors: \(errors)")
            let (_, probe) = try run(
                "/usr/bin/ffprobe",
                ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", dump])
            #expect(probe.contains("h264") && probe.contains("aac"), "\(probe)")
            let (_, firstFrame) = try run(
                "/usr/bin/ffprobe",
                [
                    "-v", "error", "-select_streams", "v", "-read_intervals", "%+#1", "-show_entries",
                    "frame=key_frame,pict_type", "-of", "csv=p=0", dump,
                ])
            #expect(firstFrame.hasPrefix("1,I"), "the buffer starts at a keyframe: \(firstFrame)")

            // Mutating endpoints need the token.
            #expect(try await http("POST", base + "/api/memory/reset").status == 401)
            #expect(
                try await http("POST", base + "/api/memory/reset", token: "wrong-token-wrong-token").status
                    == 401)
            #expect(try await http("POST", base + "/api/memory/reset", token: token).status == 200)
            let badLevel = try await http(
                "POST", base + "/api/memory/evict", token: token, json: #"{"level": "max"}"#)
            #expect(badLevel.status == 400)
            let evicted = try await http(
                "POST", base + "/api/memory/evict", token: token, json: #"{"level": "none"}"#)
            #expect(evicted.status == 200)
            #expect(try evicted.json()["freed_bytes"] as? Int ?? 0 > 0)
            #expect(stream.buffer.summary.gops <= 1)

            let config = try await http("GET", base + "/api/config")
            #expect(config.status == 200)
            #expect(config.text.contains("<redacted>") && !config.text.contains(token))

            #expect(try await http("DELETE", base + "/api/streams/live/deep/name.main").status == 401)
            let deleted = try await http("DELETE", base + "/api/streams/live/deep/name.main", token: token)
            #expect(deleted.status == 200)
            try await waitUntil("the stream to be disconnected") { stream.isFinished }
            #expect(stream.endReason == .disconnectedByOperator)
            #expect(try await publisher.exitStatus() != 0, "the ffmpeg publisher was cut off")

            server.server.ingest.stopAdmitting()
            let draining = try await http("GET", base + "/readyz")
            #expect(draining.status == 503)
            #expect((try draining.json()["reason"] as? String)?.contains("shutting down") == true)
        }

        @Test func reloadAppliesLimitsWithoutDroppingStreamsAndRefusesBadFiles() async throws {
            let token = "reload-token-for-tests"
            func file(_ quota: String, latency: Int = 120, extra: String = "") -> String {
                """
                {"srt": {"listen": "127.0.0.1:0", "latency_ms": \(latency)},
                 "http": {"listen": "127.0.0.1:0", "admin_token": "\(token)"},
                 "memory": {"per_stream_limit": "\(quota)"}\(extra)}
                """
            }
            let path = try Paths.temporaryFile("reload.json", contents: file("400MiB"))
            let server = try TestServer(http: true, configPath: path) {
                $0 = try! Config.load(path: path, environment: ProcessInfo.processInfo.environment)
            }
            let base = try await server.httpBase()
            let publisher = try Publisher(
                fixture: "h264_aac.ts", url: server.url(streamID: "live/reload"),
                extraInput: ["-stream_loop", "1"])
            let stream = try await server.waitForLiveStream("live/reload")
            try await waitUntil("a few GOPs") { stream.buffer.summary.gops >= 3 }
            let fixed = stream.tracker.fixedBytes
            let before = stream.tracker.total

            // Lower the quota to leave room for only about 60 KB of frames, and change a
            // restart-only key.
            let quota = fixed + 60_000
            try file("\(quota)", latency: 300).write(toFile: path, atomically: true, encoding: .utf8)
            let reply = try await http("POST", base + "/api/config/reload", token: token)
            #expect(reply.status == 200, "\(reply.text)")
            let report = try reply.json()
            #expect((report["applied"] as? [String]) == ["memory.per_stream_limit"])
            #expect((report["restart_required"] as? [String]) == ["srt.latency_ms"])
            #expect(server.server.config.srt.latencyMilliseconds == 120, "restart-only keys keep their value")
            #expect(stream.tracker.quota == quota)
            #expect(stream.tracker.total <= quota, "evicted at once, down to the new quota")
            #expect(before > quota)
            let received = stream.bytesReceived
            try await Task.sleep(for: .milliseconds(700))
            #expect(!stream.isFinished && stream.bytesReceived > received, "the stream was not dropped")
            #expect(stream.tracker.total <= quota)
            #expect(stream.buffer.startsAtKeyframe)

            // An invalid file is refused and the running configuration stays.
            try file("400MiB", extra: #", "streams": [{"match": "x", "priorty": 1}]"#)
                .write(toFile: path, atomically: true, encoding: .utf8)
            let refused = try await http("POST", base + "/api/config/reload", token: token)
            #expect(refused.status == 422)
            #expect((try refused.json()["error"] as? String)?.contains("streams[0].priorty") == true)
            #expect(server.server.config.memory.perStreamLimit.bytes == quota)
            #expect(server.log.messages("config reload refused; the running configuration stays").count == 1)
            #expect(try await http("POST", base + "/api/config/reload").status == 401)
            publisher.process.terminate()
        }

        @Test func shippedPrometheusFilesValidateAndTheDashboardUsesRealMetrics() throws {
            let config = Paths.root.appendingPathComponent("config")
            let (configStatus, configOutput) = try run(
                "/usr/bin/promtool",
                ["check", "config", config.appendingPathComponent("prometheus.yml").path])
            #expect(configStatus == 0, "\(configOutput)")
            let (rulesStatus, rulesOutput) = try run(
                "/usr/bin/promtool", ["check", "rules", config.appendingPathComponent("alerts.yml").path])
            #expect(rulesStatus == 0, "\(rulesOutput)")
            // Series that exist only while streams are forwarded (checked by the forwarding tests),
            // and the cluster's, only on a node in one (checked by the cluster tests).
            let known = Set(
                Self.contract + ["sluice_streams_shed_total", "sluice_forward_connected"]
                    + Integration.Cluster.metrics)
            let rules = try String(contentsOf: config.appendingPathComponent("alerts.yml"), encoding: .utf8)
            let dashboard = try String(
                contentsOf: config.appendingPathComponent("grafana-dashboard.json"), encoding: .utf8)
            #expect(try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) is [String: Any])
            for text in [rules, dashboard] {
                let used = Set(text.matches(of: /sluice_[a-z_]+/).map { String($0.output) })
                #expect(!used.isEmpty)
                #expect(used.subtracting(known).isEmpty, "unknown metrics: \(used.subtracting(known))")
            }
        }
    }
}

/// A blocking GET for polling loops.
func syncGet(_ url: String) throws -> String {
    let (status, output) = try run("/usr/bin/curl", ["-s", "--max-time", "2", url])
    guard status == 0 else { throw TimedOut(what: "curl \(url)") }
    return output
}
