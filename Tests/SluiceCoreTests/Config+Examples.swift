@testable import SluiceCore

extension Config {
    /// A valid configuration in which every key, and the stream rules, differ from the defaults.
    static var everyKeyChanged: Config {
        var config = Config()
        config.srt.listen = ListenAddress(host: "127.0.0.1", port: 7000)
        config.srt.latencyMilliseconds = 300
        config.srt.passphrase = "0123456789"
        config.srt.readPassphrase = "viewers-only-secret"
        config.srt.keyLength = 32
        config.srt.onDuplicate = .replace
        config.srt.idleTimeoutMilliseconds = 1500
        config.srt.maxStreams = 8
        config.srt.receiveBuffer = ByteSize(bytes: 1_572_864)
        config.srt.udpReceiveBuffer = ByteSize(bytes: 2 << 20)
        config.srt.receiveThreads = .count(3)
        config.srt.probeTimeoutMilliseconds = 2500
        config.srt.receiveSaturation = 0.5
        config.srt.probeConcurrency = .count(2)
        config.buffer.maxDurationMilliseconds = 4000
        config.http.listen = ListenAddress(host: "0.0.0.0", port: 9465)
        config.http.adminToken = "0123456789abcdef"
        config.http.readToken = "fedcba9876543210"
        config.readers.maxLagMilliseconds = 3000
        config.readers.maxLagBytes = ByteSize(bytes: 8 << 20)
        config.readers.maxSkips = 5
        config.readers.maxPerStream = 50
        config.readers.maxTotal = 500
        config.readers.httpWriteIntervalMilliseconds = 40
        config.memory.globalLimit = .bytes(ByteSize(bytes: 2 << 30))
        config.memory.autoFraction = 0.5
        config.memory.perStreamLimit = ByteSize(bytes: 100 << 20)
        config.memory.soft = 0.7
        config.memory.hard = 0.8
        config.memory.critical = 0.9
        config.memory.hysteresis = 0.05
        config.memory.monitorIntervalMilliseconds = 100
        config.memory.shedAfterMilliseconds = 1000
        config.memory.evictionPolicy = .size
        config.memory.refuseNewStreamsAt = .soft
        config.memory.streamEstimate = ByteSize(bytes: 16 << 20)
        config.memory.mallocArenaMax = 4
        config.memory.mallocMmapThreshold = ByteSize(bytes: 256 << 10)
        config.memory.allocationRate.perStreamBytesPerSecond = 1_000_000
        config.memory.allocationRate.globalBytesPerSecond = 2_000_000
        config.memory.allocationRate.burstBytes = ByteSize(bytes: 64 << 20)
        config.cluster.etcdEndpoints = [
            HTTPEndpoint(HostPort(host: "10.0.0.1", port: 2379)),
            HTTPEndpoint(HostPort(host: "etcd2.example", port: 2379)),
        ]
        config.cluster.nodeID = "node-a"
        config.cluster.advertiseSRT = HostPort(host: "node-a.example", port: 9000)
        config.cluster.advertiseHTTP = HostPort(host: "node-a.example", port: 9464)
        config.cluster.leaseTTLMilliseconds = 3000
        config.cluster.prefix = "/media/sluice/"
        config.streams = [
            StreamRule(pattern: "live/premium/*", perStreamLimit: ByteSize(bytes: 800 << 20), priority: 10),
            StreamRule(pattern: "**", priority: -1),
        ]
        config.forward = [
            ForwardRule(
                pattern: NamePattern("live/**"),
                destinations: [
                    try! ForwardDestination(parsing: "srt://backup.example:9000?passphrase=forward-secret-1")
                ])
        ]
        return config
    }
}
