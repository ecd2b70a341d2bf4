/// How a reader receives its stream.
public enum ReaderProtocol: String, Sendable, CaseIterable, Hashable {
    /// An SRT caller in `m=request` mode: 1316-byte messages.
    case srt
    /// `GET /streams/{name}.ts`: chunked HTTP.
    case http
    /// `GET /api/buffer/{name}`: the buffered media once, over HTTP.
    case snapshot
    /// A forwarder: Sluice publishing the stream to an SRT listener (`forward` rules), in
    /// 1316-byte messages like an SRT reader.
    case forward
}
