import Hummingbird

/// Gives every error response a JSON body with a message, including the router's own 404s,
/// and turns unexpected errors into a 500 that says what happened.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.body == nil {
            let message =
                error.status == .notFound
                ? "no route for \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            throw HTTPError(error.status, headers: error.headers, message: message)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.internalServerError, message: "\(error)")
        }
    }
}
