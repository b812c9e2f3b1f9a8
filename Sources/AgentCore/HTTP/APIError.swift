import Foundation

/// An HTTP exchange that completed but did not give what the caller needs: a non-2xx status, or a body it cannot read.
package struct APIError: Error, CustomStringConvertible, Equatable {
    /// What went wrong; tests compare this.
    package enum Code: Equatable {
        /// The server answered with a status outside 2xx.
        case httpStatus
        /// The server answered 2xx but the body is not the expected document.
        case unparsableBody
    }

    /// What went wrong.
    package var code: Code
    /// Method of the request.
    package var method: HTTPMethod
    /// URL of the request.
    package var url: String
    /// HTTP status code the server answered.
    package var statusCode: Int
    /// The Kubernetes Status the body held, when it was one.
    package var status: KubernetesStatus?
    /// The first 200 characters of the body, for messages when it is not a Status.
    package var bodyExcerpt: String
    /// Why the body could not be read, for `unparsableBody`.
    package var cause: String?

    /// The Status reason (`NotFound`, `AlreadyExists`, `Conflict`, ...), when the body was a Status.
    package var reason: String? { status?.reason }

    /// Classifies a non-2xx `response` to `request`, decoding its body as a Status when it is one.
    package init(httpStatusOf response: HTTPResponse, for request: HTTPRequest) {
        self.init(
            code: .httpStatus, method: request.method, url: request.url, statusCode: response.status,
            status: KubernetesStatus.decode(from: response.body),
            bodyExcerpt: APIError.excerpt(of: response.body), cause: nil)
    }

    /// Builds an error from its parts; prefer `init(httpStatusOf:for:)`, `check` and `decode`.
    package init(
        code: Code, method: HTTPMethod, url: String, statusCode: Int, status: KubernetesStatus?,
        bodyExcerpt: String, cause: String?
    ) {
        self.code = code
        self.method = method
        self.url = url
        self.statusCode = statusCode
        self.status = status
        self.bodyExcerpt = bodyExcerpt
        self.cause = cause
    }

    /// Returns `response` when it is 2xx; throws `APIError` (`httpStatus`) otherwise.
    @discardableResult
    package static func check(_ response: HTTPResponse, for request: HTTPRequest) throws -> HTTPResponse {
        guard response.isSuccess else { throw APIError(httpStatusOf: response, for: request) }
        return response
    }

    /// Decodes a 2xx JSON `response` as `T`; throws `APIError` with `httpStatus` for non-2xx, `unparsableBody` when decoding fails.
    package static func decode<T: Decodable>(
        _ type: T.Type, from response: HTTPResponse,
        for request: HTTPRequest
    ) throws -> T {
        try check(response, for: request)
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw APIError(
                code: .unparsableBody, method: request.method, url: request.url,
                statusCode: response.status, status: nil,
                bodyExcerpt: excerpt(of: response.body),
                cause: "not a valid \(T.self) document (\(decodingCause(error)))")
        }
    }

    /// Reads "could not VERB URL: CAUSE. NEXT STEP".
    package var description: String {
        let what = "could not \(method.rawValue) \(url)"
        switch code {
        case .httpStatus:
            let detail: String
            if let status, let message = status.message {
                detail = "\(statusCode) \(status.reason ?? "") \(message)".replacing("  ", with: " ")
            } else if bodyExcerpt.isEmpty {
                detail = "\(statusCode) with an empty body"
            } else {
                detail = "\(statusCode) \(bodyExcerpt)"
            }
            return "\(what): \(detail). \(nextStep)"
        case .unparsableBody:
            return
                "\(what): status \(statusCode) but the body is \(cause ?? "unreadable"); body starts \"\(bodyExcerpt)\". "
                + "Check that the URL points at a Kubernetes API server."
        }
    }

    private var nextStep: String {
        switch statusCode {
        case 401: return "Check the client certificate or bearer token."
        case 403: return "Check that the credentials are allowed this request (RBAC)."
        case 404: return "Check the URL and that the server serves this API."
        case 409: return "Read the object again and retry."
        case 429, 503: return "Retry later."
        case 500...: return "Check the API server's log."
        default: return "Check the request."
        }
    }

    private static func excerpt(of body: Data) -> String {
        let text = String(decoding: body.prefix(800), as: UTF8.self)
        return text.prefix(200).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func decodingCause(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context), DecodingError.keyNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
