/// What one component's last attempt saw.
package struct ComponentEvidence: Equatable, Sendable {
    package var target: HealthTarget
    package var healthy: Bool
    /// The URL of the last attempt.
    package var url: String
    /// The HTTP status of the last answer, nil when there was none.
    package var status: Int?
    /// The last answer's body (clipped), or the transport failure's cause.
    package var detail: String
    /// Set when the last attempt got no HTTP answer.
    package var failure: FailureKind?
    /// The process listening on the target's port, when one does.
    package var listener: PortListener?
    /// DNS and IP subjectAltNames of the certificate served on the port (`DNS:x`, `IP:x`), when read.
    package var servedNames: [String]?

    /// Why an attempt got no HTTP answer.
    package enum FailureKind: String, Equatable, Sendable {
        case refused, timeout, tls, reset, other
    }

    package init(
        target: HealthTarget, healthy: Bool, url: String, status: Int?, detail: String, failure: FailureKind?,
        listener: PortListener? = nil, servedNames: [String]? = nil
    ) {
        self.target = target
        self.healthy = healthy
        self.url = url
        self.status = status
        self.detail = detail
        self.failure = failure
        self.listener = listener
        self.servedNames = servedNames
    }
}
