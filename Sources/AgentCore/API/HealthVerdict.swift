import Foundation

/// What one answer from `/readyz` or `/healthz` means for a waiter: ready, not yet, or "this
/// server has no such endpoint" (a v1.2 server answers 404 on `/readyz`).
package enum HealthVerdict: Equatable, Sendable {
    /// 200 with the body `ok`.
    case ready
    /// The endpoint does not exist here; try `/healthz`.
    case endpointMissing
    /// Not ready yet: a short reason for people (status and failing checks) and the server's
    /// `Retry-After` in seconds, if it sent one.
    case notReady(reason: String, retryAfter: Double?)

    /// Judges a health answer from its `status`, `Content-Type`, body text and `Retry-After` header.
    package static func judge(status: Int, contentType: String?, body: String, retryAfterHeader: String?)
        -> HealthVerdict
    {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if status == 200 && text == "ok" { return .ready }
        if status == 404 { return .endpointMissing }
        let retryAfter = (status == 429 || status == 503) ? BackoffSchedule.retryAfterSeconds(retryAfterHeader) : nil
        var reason = "\(status) \(summary(of: text, status: status, contentType: contentType))"
        if let retryAfter { reason += " (Retry-After \(Int(retryAfter))s)" }
        return .notReady(reason: reason, retryAfter: retryAfter)
    }

    // The apiserver's health body lists every check ("[+]ping ok", "[-]etcd failed: ..."); the
    // failing ones are what an operator needs, so they lead the reason.
    private static func summary(of text: String, status: Int, contentType: String?) -> String {
        if let statusObject = KubernetesStatus.decode(from: Data(text.utf8)), let message = statusObject.message {
            return [statusObject.reason, message].compactMap { $0 }.joined(separator: " ")
        }
        let failing = text.split(whereSeparator: \.isNewline).map(String.init).filter { $0.hasPrefix("[-]") }
        // A starting server fails a dozen checks at once; two name the problem, the count the rest.
        if !failing.isEmpty {
            let shown = failing.prefix(2).joined(separator: "; ")
            return clip(failing.count > 2 ? "\(shown) (and \(failing.count - 2) more failing checks)" : shown)
        }
        if text.isEmpty { return "with an empty body" }
        let printable = String(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "." })
        let kind = contentType.map { " (\($0))" } ?? ""
        if status == 200 { return "but the body\(kind) is not \"ok\": \"\(clip(printable, 80))\"" }
        return "\"\(clip(printable, 160))\"\(kind)"
    }

    private static func clip(_ text: String, _ limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "..."
    }
}
