// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-load", targets: ["sluice-load"]),
        .executable(name: "sluice-read", targets: ["sluice-read"]),
        .executable(name: "sluice-floor", targets: ["sluice-floor"]),
        .executable(name: "sluice-bench", targets: ["sluice-bench"]),
        .library(name: "SluiceServer", targets: ["SluiceServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
    ],
    targets: [
        // System libraries. libsrt is linked as the GnuTLS build that Debian's libavformat
        // already loads: two libsrt copies in one process crash at exit (Haivision/srt#2770).
        .systemLibrary(name: "CSRT", providers: [.apt(["libsrt-gnutls-dev"])]),
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev"])]
        ),

        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CEpoll"),

        // Pure Swift: frames, GOP buffers, stream ids, configuration, memory control.
        // Knows nothing of C.
        .target(name: "SluiceCore"),

        // Process and container memory, behind the core's `MemoryProbe`; threads named where
        // the kernel shows them.
        .target(name: "SluiceSystem", dependencies: ["CMalloc", "SluiceCore"]),

        // Thin wrappers over the C libraries.
        .target(name: "SluiceSRT", dependencies: ["CSRT"]),
        .target(name: "SluiceDemux", dependencies: ["CFFmpeg", "SluiceCore"]),

        // One stream's session from accept to release (receive, demux, classify, admit), the
        // SRT front door that admits publishers, and the memory monitor's loop.
        .target(
            name: "SluiceIngest",
            dependencies: [
                "SluiceCore", "SluiceSRT", "SluiceDemux", "SluiceSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Live readers: one shared TS mux per stream with readers, reader cursors into its
        // output, the lag policy applied, and SRT readers.
        .target(
            name: "SluiceDelivery",
            dependencies: [
                "SluiceCore", "SluiceSRT", "SluiceDemux", "SluiceSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // The stream directory on etcd: the node's lease, its claims on stream names, and the
        // view of the cluster a watch keeps current; through etcd's JSON gateway.
        .target(
            name: "SluiceCluster",
            dependencies: [
                "SluiceCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The wiring only: the service group, HTTP controllers, metrics, reload.
        .target(
            name: "SluiceServer",
            dependencies: [
                "SluiceCore", "SluiceSRT", "SluiceDemux", "SluiceSystem", "SluiceIngest", "SluiceDelivery",
                "SluiceCluster",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceServer", "SluiceSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sluice-load",
            dependencies: ["SluiceSRT", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The reader load generator: N SRT or HTTP readers of a stream, their TS checked.
        .executableTarget(
            name: "sluice-read",
            dependencies: [
                "CEpoll", "SluiceSRT", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The floor for `make bench`: bare libsrt reception on one listener and one epoll.
        .executableTarget(
            name: "sluice-floor",
            dependencies: ["SluiceSRT", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Controller micro-benchmarks for `make bench`.
        .executableTarget(name: "sluice-bench", dependencies: ["SluiceCore", "SluiceDemux"]),
        // libFuzzer targets for `make fuzz`: stream ids, configuration files, and the demuxer
        // fed arbitrary bytes through AVIO. libFuzzer is linked only by `-sanitize=fuzzer`.
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer"]),
        .executableTarget(name: "fuzz-stream-id", dependencies: ["FuzzDriver", "SluiceCore"]),
        .executableTarget(name: "fuzz-config", dependencies: ["FuzzDriver", "SluiceCore"]),
        .executableTarget(name: "fuzz-demuxer", dependencies: ["FuzzDriver", "SluiceCore", "SluiceDemux"]),

        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"]),
        .testTarget(name: "SluiceDemuxTests", dependencies: ["SluiceDemux", "SluiceCore"]),
        .testTarget(name: "SluiceSystemTests", dependencies: ["SluiceSystem", "SluiceCore"]),
        .testTarget(name: "SluiceClusterTests", dependencies: ["SluiceCluster"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SluiceServer", "SluiceIngest", "SluiceDelivery", "SluiceCore", "SluiceSRT", "SluiceSystem",
                "SluiceCluster",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
