import HTTPTypes
import Hummingbird

extension RouterMethods {
    /// Registers a 405 with an `Allow` header for every common method a path does not serve, so
    /// a wrong method is told apart from an unknown path.
    func rejectOtherMethods(_ path: RouterPath, allowing allowed: [HTTPRequest.Method]) {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where !allowed.contains(method) {
            on(path, method: method) { request, _ -> Response in
                throw HTTPError(
                    .methodNotAllowed, headers: [.allow: allow],
                    message: "\(request.method) is not allowed on \(request.uri.path); use \(allow)")
            }
        }
    }
}
