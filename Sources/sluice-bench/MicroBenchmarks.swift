import Dispatch
import Foundation
import SluiceCore
import Synchronization

/// Controller micro-benchmarks: the cost of accounting one frame insert and remove,
/// uncontended and from eight threads, and of one eviction pass over 100 streams of 10,000
/// frames; and, for each transport-stream file given as an argument, the demux path's cost per
/// message (``DemuxBenchmark``). Each figure is the median of repeated runs, beside a baseline
/// measured in the same run (one relaxed atomic add: the floor of any shared accounting; for
/// the demux rows, copying the message).
@main
struct MicroBenchmarks {
    static let repetitions = 7

    static func main() {
        print("| benchmark | median | baseline (1 atomic add) | ratio |")
        print("|---|---|---|---|")
        let baseline = median { atomicAdd(iterations: 10_000_000) }
        row("accounting: one frame insert + remove, 1 thread", median { accounting(threads: 1) }, baseline)
        row(
            "accounting: one frame insert + remove, 8 threads (CPU time per frame)",
            median { accounting(threads: 8) }, baseline)
        row(
            "admit path: rate buckets + quota + GOP buffer insert, 1 thread", median { admitPath() }, baseline
        )
        let pass = median(repetitions: 3) { evictionPass(streams: 100, frames: 10_000) }
        print("| eviction pass: 100 streams x 10,000 frames, down to each newest GOP | \(format(pass)) | | |")
        let small = median(repetitions: 3) { evictionPass(streams: 100, frames: 10_000, freeing: 1 << 20) }
        print("| eviction pass: 100 streams x 10,000 frames, freeing 1 MiB | \(format(small)) | | |")
        for path in CommandLine.arguments.dropFirst() {
            // The file ten times over, so that the part after opening is long enough to time.
            guard let file = try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) else {
                print("| demux: \(path) cannot be read | | | |")
                continue
            }
            let bytes = Array([[UInt8]](repeating: file, count: 10).joined())
            let copy = median { DemuxBenchmark.copyPerMessage(bytes) }
            var frames = 0
            let demux = median {
                let run = DemuxBenchmark.perMessage(bytes)
                frames = run.frames
                return run.nanoseconds
            }
            let name = URL(fileURLWithPath: path).lastPathComponent
            print(
                "| demux: one 1,316-byte message of \(name) after opening (\(frames) frames), "
                    + "classified and copied out (baseline: copying the message) | \(format(demux)) | \(format(copy)) | "
                    + "\(String(format: "%.1f", demux / copy)) |")
        }
    }

    static func row(_ name: String, _ nanoseconds: Double, _ baseline: Double) {
        print(
            "| \(name) | \(format(nanoseconds)) | \(format(baseline)) | \(String(format: "%.1f", nanoseconds / baseline)) |"
        )
    }

    static func format(_ nanoseconds: Double) -> String {
        if nanoseconds >= 1_000_000 { return String(format: "%.1f ms", nanoseconds / 1_000_000) }
        if nanoseconds >= 1_000 { return String(format: "%.1f µs", nanoseconds / 1_000) }
        return String(format: "%.1f ns", nanoseconds)
    }

    /// Runs `body` (which returns nanoseconds per operation) and keeps the median.
    static func median(repetitions: Int = repetitions, _ body: () -> Double) -> Double {
        let runs = (0..<repetitions).map { _ in body() }.sorted()
        return runs[runs.count / 2]
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) * 1e-9
    }

    static func atomicAdd(iterations: Int) -> Double {
        let counter = Atomic<Int>(0)
        let elapsed = ContinuousClock().measure {
            for value in 0..<iterations { counter.add(value & 1, ordering: .relaxed) }
        }
        precondition(counter.load(ordering: .relaxed) > 0)
        return nanoseconds(elapsed) / Double(iterations)
    }

    /// What the data path does to the books for one frame kept and later released.
    static func accounting(threads: Int) -> Double {
        let ledger = MemoryLedger()
        let iterations = 2_000_000
        let trackers = (0..<threads).map {
            StreamTracker(name: "s\($0)", settings: StreamMemorySettings(quota: 1 << 30), ledger: ledger)
        }
        let elapsed = ContinuousClock().measure {
            DispatchQueue.concurrentPerform(iterations: threads) { index in
                let tracker = trackers[index]
                for _ in 0..<iterations {
                    tracker.addFrames(payload: 1316, records: Frame.recordBytes)
                    tracker.addFrames(payload: -1316, records: -Frame.recordBytes)
                }
            }
        }
        precondition(ledger.accounted == 0)
        // CPU time per frame: with more threads than cores, wall time includes waiting for a core.
        let cores = Double(min(threads, ProcessInfo.processInfo.activeProcessorCount))
        return nanoseconds(elapsed) * cores / Double(threads * iterations)
    }

    /// The whole admission of one frame: both rate buckets, the pressure check, the quota check
    /// and the GOP buffer insert with duration expiry.
    static func admitPath() -> Double {
        let probe = StaticProbe()
        var config = MemoryConfig()
        config.allocationRate.perStreamBytesPerSecond = 1 << 40
        config.allocationRate.globalBytesPerSecond = 1 << 40
        let start = ContinuousClock.now
        let controller = MemoryController(
            config: config, budget: MemoryBudget(bytes: 1 << 40, source: "bench"), probe: probe, now: start)
        let tracker = StreamTracker(
            name: "s", settings: StreamMemorySettings(quota: 1 << 30), ledger: controller.ledger)
        let buffer = GOPBuffer(limits: BufferLimits(maxDuration: 2_000_000), tracker: tracker)
        let stream = StreamMemory(
            buffer: buffer, bucket: controller.gate.makeStreamBucket(now: start), now: start)
        controller.register(stream)
        let payload = FramePayload([UInt8](repeating: 0, count: 1316))
        let count = 500_000
        var frames: [Frame] = []
        frames.reserveCapacity(count)
        for index in 0..<count {
            let time = Int64(index) * 40_000
            let key = index % 50 == 0
            frames.append(
                Frame(
                    streamIndex: 0, kind: .video, pts: time, dts: time, isKeyframe: key,
                    pictureType: key ? PictureType.i : PictureType.p, isDisposable: false, payload: payload,
                    arrival: start))
        }
        let elapsed = ContinuousClock().measure {
            for frame in frames { controller.gate.admit(frame, to: stream, now: start) }
        }
        return nanoseconds(elapsed) / Double(count)
    }

    /// One relief pass across `streams` streams of `frames` frames each (2-second GOPs of 50
    /// frames with B-frames and audio), in nanoseconds.
    static func evictionPass(streams: Int, frames: Int, freeing: Int = Int.max) -> Double {
        let start = ContinuousClock.now
        let controller = MemoryController(
            config: MemoryConfig(), budget: MemoryBudget(bytes: 1 << 40, source: "bench"),
            probe: StaticProbe(),
            now: start)
        let payload = FramePayload([UInt8](repeating: 0, count: 200))
        var units: [StreamMemory] = []
        for index in 0..<streams {
            let tracker = StreamTracker(
                name: "s\(index)", settings: StreamMemorySettings(quota: 1 << 40, priority: index % 3),
                ledger: controller.ledger)
            let buffer = GOPBuffer(limits: BufferLimits(maxDuration: Int64.max / 2), tracker: tracker)
            let unit = StreamMemory(
                buffer: buffer, bucket: controller.gate.makeStreamBucket(now: start), now: start)
            for frame in 0..<frames {
                let position = frame % 50
                let video = position % 5 != 4
                let time = Int64(frame) * 40_000
                let type: PictureType? = video ? (position == 0 ? .i : .p) : nil
                buffer.insert(
                    Frame(
                        streamIndex: video ? 0 : 1, kind: video ? .video : .audio, pts: time, dts: time,
                        isKeyframe: position == 0, pictureType: type,
                        isDisposable: video && position % 3 == 2,
                        payload: payload, arrival: start))
            }
            controller.register(unit)
            units.append(unit)
        }
        let elapsed = ContinuousClock().measure { controller.evictor.relieve(freeing: freeing, level: .soft) }
        precondition(controller.status.statistics.evictedBytes > 0)
        return nanoseconds(elapsed)
    }
}

/// A probe that reports a fixed resident size: the benchmarks measure the controller, not /proc.
struct StaticProbe: MemoryProbe {
    func sample() -> ProcessMemorySample { ProcessMemorySample(residentBytes: 0) }
    func releaseFreeHeap() {}
}
