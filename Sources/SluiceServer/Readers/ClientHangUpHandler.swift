import NIOCore

/// Closes an HTTP reader's connection when its client closes its side.
///
/// Hummingbird allows half-closed connections and reads nothing more of one while a response is
/// being written, so a client that leaves a reader waiting for output would otherwise stay in
/// CLOSE-WAIT until the next write fails. A client of a live stream sends nothing after its
/// request: its end of input is its departure (as nginx treats it), and closing the channel ends
/// the reader at once.
final class ClientHangUpHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
