import Foundation
import SluiceCore
import SluiceSRT
import Testing

extension Integration {
    /// Refusals happen in the SRT handshake, with the access-control reject codes.
    @Suite struct Handshake {
        @Test func refusalsCarryTheRightCodeAndAreLogged() async throws {
            let server = try TestServer { $0.srt.maxStreams = 1 }
            #expect(server.rejection(streamID: "") == .badRequest)
            #expect(server.rejection(streamID: "has space") == .badRequest)
            #expect(server.rejection(streamID: "live/../etc") == .badRequest)
            #expect(server.rejection(streamID: "#!::m=publish") == .badRequest)
            #expect(server.rejection(streamID: "#!::r=live/x") == .notFound)
            #expect(server.rejection(streamID: "#!::r=live/x,m=request") == .notFound)
            #expect(server.rejection(streamID: "#!::r=live/x,m=bidirectional") == .badMode)
            #expect(server.rejection(streamID: "#!::r=live/x,m=publish,t=file") == .unsupportedMedia)

            // A publisher that passes the handshake takes the one slot; the next is turned away.
            let first = try SRTCaller.connect(host: "127.0.0.1", port: server.port, streamID: "live/first")
            defer { first.close() }
            _ = try await waitFor("live/first to register") { server.server.stream(named: "live/first") }
            #expect(server.rejection(streamID: "live/second") == .overload)
            #expect(server.rejection(streamID: "live/first") == .conflict)

            let refusals = server.log.messages("refused")
            #expect(refusals.count == 10)
            #expect(refusals.allSatisfy { $0.metadata["peer"]?.hasPrefix("127.0.0.1:") == true })
            #expect(
                refusals.contains {
                    $0.metadata["stream_id"] == "live/../etc" && $0.metadata["code"] == "1400"
                })
            #expect(
                refusals.contains {
                    $0.metadata["code"] == "1405" && $0.metadata["reason"]?.contains("bidirectional") == true
                })

            server.server.ingest.stopAdmitting()
            #expect(server.rejection(streamID: "live/late") == .down)
            #expect(server.server.stream(named: "live/first") != nil, "live streams go on")
        }

        @Test func aDuplicatePublisherIsRefusedAndTheFirstIsUnharmed() async throws {
            let server = try TestServer()
            let first = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/dup"))
            let stream = try await server.waitForLiveStream("live/dup")
            let second = try Publisher(
                fixture: "hevc_mp2.ts", url: server.url(streamID: "#!::r=live/dup,m=publish"))
            #expect(try await second.exitStatus() != 0)
            #expect(second.errorOutput.contains("failed"))
            let before = stream.bytesReceived
            try await Task.sleep(for: .milliseconds(500))
            #expect(server.server.stream(named: "live/dup") === stream)
            #expect(stream.bytesReceived > before, "the first publisher keeps streaming")
            #expect(stream.elementaryStreams.map(\.codec) == ["h264", "aac"])
            #expect(try await first.exitStatus() == 0)
            #expect(server.log.messages("refused").contains { $0.metadata["code"] == "1409" })
        }

        @Test func replaceModeHandsTheNameToTheNewcomer() async throws {
            let server = try TestServer { $0.srt.onDuplicate = .replace }
            let first = try Publisher(fixture: "h264_aac.ts", url: server.url(streamID: "live/swap"))
            let old = try await server.waitForLiveStream("live/swap")
            let second = try Publisher(fixture: "hevc_mp2.ts", url: server.url(streamID: "live/swap"))
            let new = try await waitFor("the newcomer to take the name") {
                server.server.stream(named: "live/swap").flatMap { $0 !== old && $0.isLive ? $0 : nil }
            }
            #expect(new.elementaryStreams.map(\.codec) == ["hevc", "mp2"])
            try await waitUntil("the old stream to be released") { old.isFinished }
            #expect(old.endReason == .replaced)
            #expect(old.buffer.summary.heldBytes == 0)
            #expect(try await first.exitStatus() != 0, "the old publisher is disconnected")
            #expect(try await second.exitStatus() == 0)
        }

        @Test func aPassphraseIsRequiredWhenSet() async throws {
            let secret = "correct-horse-battery"
            let server = try TestServer {
                $0.srt.passphrase = secret
                $0.srt.keyLength = 32
            }
            let missing = try Publisher(fixture: "h264_video_only.ts", url: server.url(streamID: "live/enc"))
            #expect(try await missing.exitStatus() != 0)
            let wrong = try Publisher(
                fixture: "h264_video_only.ts",
                url: server.url(streamID: "live/enc", passphrase: "not the right one"))
            #expect(try await wrong.exitStatus() != 0)
            #expect(server.server.streams.isEmpty)
            #expect(server.rejection(streamID: "live/enc", passphrase: "still not the one") == .badSecret)

            let right = try Publisher(
                fixture: "h264_video_only.ts",
                url: server.url(streamID: "live/enc", passphrase: secret) + "&pbkeylen=32")
            let stream = try await server.waitForLiveStream("live/enc")
            #expect(stream.elementaryStreams.map(\.codec) == ["h264"])
            #expect(try await right.exitStatus() == 0)
        }
    }
}
