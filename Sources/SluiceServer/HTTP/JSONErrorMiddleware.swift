import Hummingbird
import Logging

/// Gives every error response the JSON shape `{"error": {"message": ...}}`, the router's own
/// 404s and a too-large body's 413 included, and logs each: 4xx at info (401 and 403 at
/// notice), 5xx at error.
///
/// An unexpected error answers 500 with a generic message and the request id; its
/// description, which may name internal types, goes only to the log, under that id.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.body ?? defaultMessage(error.status, request)
            log(error.status, message, request, context)
            throw HTTPError(error.status, headers: error.headers, message: message)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own, such as a body over the limit of `collect(upTo:)`.
            let message = defaultMessage(error.status, request)
            log(error.status, message, request, context)
            throw HTTPError(error.status, message: message)
        } catch {
            logger.error(
                "http request failed",
                metadata: [
                    "status": "500", "method": "\(request.method)", "path": "\(request.uri.path)",
                    "request_id": "\(context.id)", "error": "\(error)",
                ])
            throw HTTPError(
                .internalServerError,
                message: "internal error; the server log has the details under request_id \(context.id)")
        }
    }

    private func defaultMessage(_ status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: "no route for \(request.method) \(request.uri.path)"
        case .contentTooLarge: "the request body is larger than \(request.uri.path) takes"
        default: status.reasonPhrase
        }
    }

    private func log(_ status: HTTPResponse.Status, _ message: String, _ request: Request, _ context: Context)
    {
        let level: Logger.Level =
            switch status.code {
            case 500...: .error
            case 401, 403: .notice
            default: .info
            }
        logger.log(
            level: level, "http error",
            metadata: [
                "status": "\(status.code)", "method": "\(request.method)", "path": "\(request.uri.path)",
                "request_id": "\(context.id)", "message": "\(message)",
            ])
    }
}
