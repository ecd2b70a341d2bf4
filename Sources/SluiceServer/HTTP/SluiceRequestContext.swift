import Foundation
import Hummingbird
import NIOCore

/// The request context of Sluice's HTTP port: JSON in and out with snake_case keys and sorted
/// output, so responses read the same as the configuration file.
public struct SluiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address as `host:port`, for readers' logs and the admin API.
    public var peer: String
    /// The connection, for the socket options of long responses.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        let address = source.channel.remoteAddress
        peer = "\(address?.ipAddress ?? "unknown"):\(address?.port ?? 0)"
    }

    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return encoder
    }
}
