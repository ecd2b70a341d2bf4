import Hummingbird
import SluiceCore

/// Checks `Authorization: Bearer <http.admin_token>` on mutating endpoints, when a token is
/// set. The token is read at each request, so a reload changes it at once.
struct AdminAuthorization: Sendable {
    let config: ConfigStore

    func check(_ request: Request) throws {
        guard let token = config.current.http.adminToken else { return }
        let presented = request.headers[.authorization] ?? ""
        guard Self.constantTimeEqual(presented, "Bearer " + token) else {
            throw HTTPError(
                .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                message: presented.isEmpty
                    ? "this endpoint needs Authorization: Bearer <token>" : "wrong token")
        }
    }

    /// Compares without stopping at the first difference, so timing does not leak the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
