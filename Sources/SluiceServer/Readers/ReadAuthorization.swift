import Hummingbird
import SluiceCore

/// Checks `http.read_token` on HTTP-TS readers, when one is set: `Authorization: Bearer
/// <token>` or `?token=<token>` (for players that cannot set headers). Read at each request,
/// so a reload changes it at once.
struct ReadAuthorization: Sendable {
    let config: ConfigStore

    func check(_ request: Request) throws {
        guard let token = config.current.http.readToken else { return }
        let header = request.headers[.authorization] ?? ""
        let query = request.uri.queryParameters.get("token") ?? ""
        guard
            AdminAuthorization.constantTimeEqual(header, "Bearer " + token)
                || AdminAuthorization.constantTimeEqual(query, token)
        else {
            throw HTTPError(
                .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                message: header.isEmpty && query.isEmpty
                    ? "reading needs Authorization: Bearer <token> or ?token=<token>" : "wrong token")
        }
    }
}
