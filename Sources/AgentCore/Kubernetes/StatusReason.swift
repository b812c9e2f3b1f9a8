/// The `reason` values of Kubernetes Status objects the agent acts on.
package enum StatusReason: String, Equatable, Sendable {
    case notFound = "NotFound"
    case alreadyExists = "AlreadyExists"
    case conflict = "Conflict"
    case forbidden = "Forbidden"
    case unauthorized = "Unauthorized"
    case badRequest = "BadRequest"
    case invalid = "Invalid"
    case tooManyRequests = "TooManyRequests"
    case serviceUnavailable = "ServiceUnavailable"
    case internalError = "InternalError"
}

extension APIError {
    /// The Status reason as a known value; a 404 without a Status body (a v1.2 "404 page not found" for an
    /// unserved path) counts as NotFound.
    package var statusReason: StatusReason? {
        if let reason, let known = StatusReason(rawValue: reason) { return known }
        if code == .httpStatus && statusCode == 404 && status == nil { return .notFound }
        return nil
    }

    /// True when retrying later may succeed: 429, 5xx.
    package var isTransient: Bool { code == .httpStatus && (statusCode == 429 || statusCode >= 500) }
}
