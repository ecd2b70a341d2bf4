import Prometheus
import SluiceCluster
import SluiceCore
import SluiceDelivery
import SluiceIngest
import SluiceSRT

/// Renders `/metrics`: the Prometheus text exposition, the process-wide families through
/// swift-prometheus and the per-stream ones through ``ExpositionText``.
///
/// Every scrape builds a fresh registry from the server's state, so a stream's series exist
/// exactly while it is live (no stale series), label cardinality is bounded by the live
/// streams (`srt.max_streams`), and counters are the server's own monotonic totals.
struct MetricsExporter: Sendable {
    let memory: MemoryController
    let ingest: IngestService
    let receiveCapacity: ReceiveCapacity
    let delivery: Delivery
    let forwarding: Forwarding
    let cluster: ClusterService?

    func render() -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        let families = Families(registry)
        exportProcess(families)
        let streamText = exportStreams(families)
        exportReceiveThreads(families)
        exportProbes(families)
        let totals = delivery.statistics.snapshot
        exportReaders(families, totals)
        exportForwards(families)
        if let cluster { exportCluster(families, cluster.status) }
        registry.makeGauge(
            descriptor: families.describe("sluice_build", "info", "Sluice build; the value is always 1"),
            labels: [("version", SluiceVersion.current)]
        ).set(to: 1.0)
        return registry.emitToBuffer() + streamText
            + histogram(
                "sluice_frame_visible_latency_seconds",
                "Time from libsrt making the message that completed a frame available to the frame being in its buffer",
                ingest.frameVisibility.counts, bounds: ingest.frameVisibility.bounds)
            + histogram(
                "sluice_reader_first_keyframe_seconds",
                "Time from a reader's acceptance to its first keyframe byte handed to its transport",
                delivery.statistics.firstKeyframe.counts, bounds: delivery.statistics.firstKeyframe.bounds)
            + (cluster.map {
                histogram(
                    "sluice_cluster_claim_duration_seconds",
                    "Time a claim on a stream name took to decide, from the accepted publisher to etcd's answer",
                    $0.claimDurations.counts, bounds: $0.claimDurations.bounds)
            } ?? [])
    }

    private func exportReaders(_ families: Families, _ totals: DeliveryStatistics.Totals) {
        let active = families.describe("sluice_readers_active", "", "Readers connected, by protocol")
        let sent = families.describe(
            "sluice_reader_sent_bytes", "total", "Bytes sent to readers, by protocol")
        let started = families.describe("sluice_readers_started", "total", "Readers accepted, by protocol")
        let readers = delivery.readers
        for protocolName in ReaderProtocol.allCases {
            let label = [("protocol", protocolName.rawValue)]
            families.registry.makeGauge(descriptor: active, labels: label).set(
                to: Double(readers.count { $0.protocolName == protocolName }))
            families.registry.makeCounter(descriptor: sent, labels: label).increment(
                by: Int64(totals.bytesSent[protocolName, default: 0]))
            families.registry.makeCounter(descriptor: started, labels: label).increment(
                by: Int64(totals.readersStarted[protocolName, default: 0]))
        }
        families.counter(
            "sluice_reader_skips", "Readers moved forward to the newest keyframe for lagging",
            Int64(totals.skips))
        let ends = families.describe(
            "sluice_reader_disconnects", "total",
            "Readers that ended, by reason (cuts: too_many_skips, operator)")
        let endLabels =
            [ReaderEnd.streamEnded, .reachedLiveEdge, .left].map(\.label)
            + ReaderCutReason.allCases.map(\.rawValue)
        for reason in endLabels {
            families.registry.makeCounter(descriptor: ends, labels: [("reason", reason)]).increment(
                by: Int64(totals.ends[reason, default: 0]))
        }
        let refused = families.describe(
            "sluice_readers_refused", "total",
            "HTTP readers refused, by reason (SRT readers count in sluice_streams_rejected_total)")
        for reason in ["not_found"] + ReaderRefusal.allCases.map(\.rawValue) {
            families.registry.makeCounter(descriptor: refused, labels: [("reason", reason)]).increment(
                by: Int64(totals.refusals[reason, default: 0]))
        }
    }

    private func exportForwards(_ families: Families) {
        let forwards = forwarding.statuses
        let destinations = families.describe(
            "sluice_forward_destinations", "", "Forward destinations of live streams, by state")
        for state in ForwardState.allCases {
            families.registry.makeGauge(descriptor: destinations, labels: [("state", state.rawValue)]).set(
                to: Double(forwards.count { $0.state == state }))
        }
        let connected = families.describe(
            "sluice_forward_connected", "", "1 while the forwarder is connected to its destination")
        let sent = families.describe(
            "sluice_forward_sent_bytes", "total", "Bytes sent to a forward destination")
        let reconnects = families.describe(
            "sluice_forward_reconnects", "total", "Calls to a forward destination after the first")
        for forward in forwards {
            let labels = [("stream", forward.stream), ("destination", forward.destination)]
            families.registry.makeGauge(descriptor: connected, labels: labels).set(
                to: forward.state == .connected ? 1 : 0)
            families.registry.makeCounter(descriptor: sent, labels: labels).increment(
                by: Int64(forward.bytesSent))
            families.registry.makeCounter(descriptor: reconnects, labels: labels).increment(
                by: Int64(forward.reconnects))
        }
    }

    /// The cluster's families, only on a node that runs in one.
    private func exportCluster(_ families: Families, _ status: ClusterStatus) {
        families.gauge(
            "sluice_cluster_lease_remaining", "seconds",
            "How long this node's etcd lease lives at least, by its own clock; 0 without one",
            status.leaseRemaining.inSeconds)
        families.counter(
            "sluice_cluster_keepalive_failures", "Lease renewals etcd did not answer",
            Int64(status.keepaliveFailures))
        families.gauge(
            "sluice_cluster_fenced", "", "1 while the node has fenced itself: its lease may have expired",
            status.unavailability == .fenced ? 1 : 0)
        families.gauge(
            "sluice_cluster_etcd_reachable", "", "1 while etcd answers the node's calls",
            status.etcdReachable ? 1 : 0)
        families.gauge(
            "sluice_cluster_nodes", "", "Nodes registered in the cluster", Double(status.nodes.count))
        families.gauge(
            "sluice_cluster_relays_active", "",
            "Streams relayed from the nodes that own them to readers here",
            Double(ingest.relayedStreams.count))
        let claims = families.describe(
            "sluice_cluster_claims", "total", "Claims on stream names, by result")
        for result in ["claimed", "held_elsewhere", "unavailable"] {
            families.registry.makeCounter(descriptor: claims, labels: [("result", result)]).increment(
                by: Int64(status.claims[result, default: 0]))
        }
    }

    private func exportProcess(_ families: Families) {
        let status = memory.status
        families.gauge("sluice_memory_limit", "bytes", "The global memory limit", Double(status.budget.bytes))
        families.gauge(
            "sluice_memory_accounted", "bytes", "Bytes accounted to all streams",
            Double(status.accountedBytes))
        families.gauge(
            "sluice_memory_base", "bytes", "Fixed base counted beside the streams (resident size at start)",
            Double(status.baseBytes))
        families.gauge(
            "sluice_process_resident", "bytes", "Resident set size at the last measurement",
            Double(status.sample.residentBytes))
        families.gauge("sluice_memory_peak", "bytes", "Highest memory usage seen", Double(status.peakBytes))
        families.gauge(
            "sluice_memory_pressure", "ratio", "Memory usage over the global limit", status.pressure)
        families.gauge(
            "sluice_memory_pressure_level", "", "Pressure level: 0 none, 1 soft, 2 hard, 3 critical",
            Double(status.level.rawValue))
        families.gauge(
            "sluice_memory_refusing_new_streams", "", "1 while new streams are refused for memory",
            status.refusingNewStreams ? 1 : 0)
        if let heap = status.sample.heapInUseBytes {
            families.gauge("sluice_heap_in_use", "bytes", "Heap bytes in use (mallinfo2)", Double(heap))
        }
        if let free = status.sample.heapFreeBytes {
            families.gauge(
                "sluice_heap_free", "bytes", "Free bytes inside malloc's arenas (mallinfo2)", Double(free))
        }
        if let usage = status.sample.containerUsageBytes {
            families.gauge(
                "sluice_container_memory_usage", "bytes", "The cgroup's memory usage", Double(usage))
        }
        if let available = status.sample.systemAvailableBytes {
            families.gauge(
                "sluice_system_memory_available", "bytes", "The system's MemAvailable", Double(available))
        }
        families.counter(
            "sluice_admitted_bytes", "Bytes of frames admitted into buffers", Int64(status.admittedBytes))
        let evictions = families.describe(
            "sluice_evictions", "total", "Eviction passes that freed memory, by level")
        for level in PressureLevel.allCases {
            let label = level == .none ? "operator" : level.description
            families.registry.makeCounter(descriptor: evictions, labels: [("level", label)])
                .increment(by: Int64(status.statistics.evictionPasses[level, default: 0]))
        }
        families.counter(
            "sluice_evicted_bytes", "Bytes freed by eviction across streams",
            Int64(status.statistics.evictedBytes))
        families.counter(
            "sluice_streams_shed", "Streams disconnected because critical pressure lasted",
            Int64(status.statistics.shedStreams))
        let rejected = families.describe(
            "sluice_streams_rejected", "total", "Publishers refused in the SRT handshake, by reason")
        for (reason, count) in ingest.refusals.snapshot {
            families.registry.makeCounter(descriptor: rejected, labels: [("reason", reason)]).increment(
                by: Int64(count))
        }
        let ended = families.describe("sluice_streams_ended", "total", "Streams that ended, by reason")
        for (reason, count) in ingest.endings.snapshot {
            families.registry.makeCounter(descriptor: ended, labels: [("reason", reason)]).increment(
                by: Int64(count))
        }
    }

    private func exportReceiveThreads(_ families: Families) {
        let connections = families.describe(
            "sluice_srt_listener_connections", "", "Publishers per SRT listener sharing srt.listen")
        var perListener = [Int](repeating: 0, count: ingest.listenerCount)
        // A relay's session came through no listener (a negative index).
        for session in ingest.sessions where perListener.indices.contains(session.listener) {
            perListener[session.listener] += 1
        }
        for (listener, count) in perListener.enumerated() {
            families.registry.makeGauge(descriptor: connections, labels: [("listener", "\(listener)")])
                .set(to: Double(count))
        }
        let load = receiveCapacity.load
        let cpu = families.describe(
            "sluice_srt_receive_thread_cpu", "ratio", "Share of a core each libsrt receive thread used")
        for (thread, share) in load.utilization {
            families.registry.makeGauge(descriptor: cpu, labels: [("thread", thread)]).set(to: share)
        }
        families.gauge(
            "sluice_srt_receive_stream_cost", "ratio",
            "Estimated share of a receive thread's core one more publisher takes", load.perStream ?? 0)
    }

    private func exportProbes(_ families: Families) {
        let probes = families.describe(
            "sluice_probes", "",
            "Streams holding a srt.probe_concurrency slot (running), or waiting with bytes for one")
        families.registry.makeGauge(descriptor: probes, labels: [("state", "running")])
            .set(to: Double(ingest.probes.running))
        families.registry.makeGauge(descriptor: probes, labels: [("state", "waiting")])
            .set(to: Double(ingest.probes.waiting))
        families.registry.makeCounter(
            descriptor: families.describe(
                "sluice_probe_wait_seconds", "total", "Time streams have waited for a probe slot, added up")
        ).increment(by: ingest.probes.totalWait.inSeconds)
    }

    /// The per-stream families, written as text (see ``ExpositionText``).
    private func exportStreams(_ families: Families) -> [UInt8] {
        let streams = ingest.sessions
        families.gauge("sluice_streams_active", "", "Streams being published", Double(streams.count))
        var memory: ExpositionText.Series = []
        var limit: ExpositionText.Series = []
        var gops: ExpositionText.Series = []
        var buffered: ExpositionText.Series = []
        var received: ExpositionText.Series = []
        var dropped: ExpositionText.Series = []
        var srt = SRTSeries()
        for stream in streams {
            let name = ("stream", stream.name.value)
            for component in MemoryComponent.allCases {
                memory.append(
                    ([name, ("component", component.rawValue)], Double(stream.tracker.bytes(component))))
            }
            limit.append(([name], Double(stream.tracker.quota)))
            let summary = stream.buffer.summary
            gops.append(([name], Double(summary.gops)))
            let frames = summary.frames
            let types: [(String, Int)] = [
                ("I", frames[.i]), ("P", frames[.p]), ("B", frames[.b]), ("other", frames[.other]),
                ("audio", frames[.audio]), ("metadata", frames[.metadata]),
            ]
            for (type, count) in types { buffered.append(([name, ("type", type)], Double(count))) }
            received.append(([name], Double(stream.bytesReceived)))
            var drops = stream.buffer.counters.framesDropped
            drops[.corrupt] = max(drops[.corrupt, default: 0], stream.corruptPacketCount)
            for reason in FrameDropReason.allCases {
                dropped.append(([name, ("reason", reason.rawValue)], Double(drops[reason, default: 0])))
            }
            if let stats = stream.transportStatistics { srt.add(stats, stream: name) }
        }
        var text = ExpositionText()
        text.family(
            families.describe("sluice_stream_memory", "bytes", "Bytes a stream holds, by component"), .gauge,
            memory)
        text.family(
            families.describe("sluice_stream_limit", "bytes", "A stream's memory quota"), .gauge, limit)
        text.family(families.describe("sluice_stream_gops", "", "GOPs buffered"), .gauge, gops)
        text.family(
            families.describe("sluice_stream_frames_buffered", "", "Frames buffered, by type"), .gauge,
            buffered)
        text.family(
            families.describe("sluice_stream_received_bytes", "total", "Bytes received from the publisher"),
            .counter, received)
        text.family(
            families.describe("sluice_frames_dropped", "total", "Frames not kept, by reason"), .counter,
            dropped)
        srt.write(into: &text, families)
        return text.bytes
    }
}

/// A histogram whose counts are kept on the data path (one atomic add per frame), written in
/// the exposition format directly, since swift-prometheus histograms only take observations.
private func histogram(_ name: String, _ help: String, _ counts: LatencyHistogram.Counts, bounds: [Double])
    -> [UInt8]
{
    var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
    for (bound, count) in zip(bounds, counts.cumulative) {
        text += "\(name)_bucket{le=\"\(bound)\"} \(count)\n"
    }
    text += "\(name)_bucket{le=\"+Inf\"} \(counts.count)\n"
    text += "\(name)_sum \(counts.sumSeconds)\n\(name)_count \(counts.count)\n"
    return Array(text.utf8)
}

/// Descriptors made once per scrape, so each family has one help text.
private final class Families {
    let registry: PrometheusCollectorRegistry

    init(_ registry: PrometheusCollectorRegistry) { self.registry = registry }

    func describe(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: unit, helpText: help)
    }

    func gauge(_ name: String, _ unit: String, _ help: String, _ value: Double) {
        registry.makeGauge(descriptor: describe(name, unit, help)).set(to: value)
    }

    func counter(_ name: String, _ help: String, _ value: Int64) {
        registry.makeCounter(descriptor: describe(name, "total", help)).increment(by: value)
    }
}

/// The per-publisher SRT families, from `srt_bstats`.
private struct SRTSeries {
    private var rtt: ExpositionText.Series = []
    private var received: ExpositionText.Series = []
    private var lost: ExpositionText.Series = []
    private var retransmitted: ExpositionText.Series = []
    private var dropped: ExpositionText.Series = []
    private var rate: ExpositionText.Series = []
    private var buffer: ExpositionText.Series = []

    mutating func add(_ stats: SRTStatistics, stream: (String, String)) {
        rtt.append(([stream], stats.rttSeconds))
        received.append(([stream], Double(stats.packetsReceived)))
        lost.append(([stream], Double(stats.packetsLost)))
        retransmitted.append(([stream], Double(stats.packetsRetransmitted)))
        dropped.append(([stream], Double(stats.packetsDropped)))
        rate.append(([stream], stats.receiveRateBitsPerSecond))
        buffer.append(([stream], Double(stats.receiveBufferMilliseconds)))
    }

    func write(into text: inout ExpositionText, _ families: Families) {
        text.family(families.describe("sluice_srt_rtt", "seconds", "SRT round-trip time"), .gauge, rtt)
        text.family(
            families.describe("sluice_srt_packets_received", "total", "SRT packets received"), .counter,
            received)
        text.family(
            families.describe("sluice_srt_packets_lost", "total", "SRT packets detected as lost"), .counter,
            lost)
        text.family(
            families.describe(
                "sluice_srt_packets_retransmitted", "total", "Retransmitted SRT packets received"),
            .counter, retransmitted)
        text.family(
            families.describe(
                "sluice_srt_packets_dropped", "total", "SRT packets dropped as too late to play"),
            .counter, dropped)
        text.family(
            families.describe("sluice_srt_receive_rate", "bits_per_second", "SRT receive rate"), .gauge, rate)
        text.family(
            families.describe(
                "sluice_srt_receive_buffer", "milliseconds", "Media time in libsrt's receive buffer"),
            .gauge, buffer)
    }
}
