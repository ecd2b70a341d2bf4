import Hummingbird
import NIOCore

/// Refuses a request body over `maxBytes` with 413, reading no more than that: an endpoint
/// that takes a small JSON body, or none, never buffers a large one, and one that ignores its
/// body does not act on a request it should refuse.
struct RequestBodyLimit<Context: RequestContext>: RouterMiddleware {
    /// The most body bytes the routes behind it take.
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let tooLarge = HTTPError(
            .contentTooLarge,
            message: "the request body is larger than the \(maxBytes) bytes \(request.uri.path) takes")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw tooLarge
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        return try await next(request, context)
    }
}
