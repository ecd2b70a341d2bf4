import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection that does not deliver a whole request, headers and body, within
/// `timeout` of opening or of the previous response, so a slow or stalled client cannot hold a
/// connection open by sending a byte now and then. An idle keep-alive connection closes the
/// same way.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    /// Whether a request's head has arrived and its end has not.
    private var readingBody = false

    /// - Parameters:
    ///   - timeout: How long one request may take to arrive.
    ///   - logger: Where a cut connection is logged.
    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingBody = true
            if deadline == nil { arm(context) }
        case .body: break
        case .end:
            readingBody = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            let peer = context.channel.remoteAddress
            // Half a request is worth telling; a keep-alive connection left idle is not (nor
            // are headers that never finished: they look the same from here).
            logger.log(
                level: readingBody ? .info : .debug, "http request timed out",
                metadata: [
                    "peer": "\(peer?.ipAddress ?? "unknown"):\(peer?.port ?? 0)",
                    "timeout_ms": "\(timeout.nanoseconds / 1_000_000)",
                ])
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
