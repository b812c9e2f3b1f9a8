import AgentCore

/// A wait for the API server that did not end with `ok`: the deadline passed, or a failure that
/// retrying cannot fix (TLS verification, credentials).
package struct APIWaitError: Error, CustomStringConvertible, ExitStatusProviding {
    /// Why the wait ended; tests compare this.
    package enum Code: Equatable, Sendable {
        /// The deadline passed; `lastFailure` says what the last attempt saw.
        case deadline
        /// TLS failed (untrusted or mismatched certificate, rejected client certificate); not retried.
        case tls
        /// The server reset every connection on HTTPS, which is how it rejects a client certificate under TLS 1.3.
        case rejected
        /// The request could not be made at all (bad URL, unreadable token file, libcurl setup).
        case unusable
    }

    /// Why the wait ended.
    package var code: Code
    /// Base URL waited for.
    package var url: String
    /// The overall timeout in seconds.
    package var timeout: Double
    /// The last real failure, e.g. `GET https://127.0.0.1:6443/readyz: 500 [-]etcd failed: reason withheld`.
    package var lastFailure: String
    /// What to check next.
    package var nextStep: String
    /// Stage timings and counts up to the end.
    package var result: APIWaitResult

    /// `.apiTimeout` (4) for the deadline, `.failure` (1) otherwise.
    package var exitStatus: ExitStatus { code == .deadline ? .apiTimeout : .failure }

    /// Reads "could not reach the API server at URL within 30s: last attempt CAUSE. NEXT STEP".
    package var description: String {
        switch code {
        case .deadline:
            return
                "could not reach the API server at \(url) within \(APIWaitError.format(timeout)): last attempt \(lastFailure). \(nextStep)"
        case .tls:
            return
                "could not reach the API server at \(url): \(lastFailure); not retried, since a TLS failure repeats on every attempt (the server keeps its certificate, and its verdict on ours). \(nextStep)"
        case .rejected:
            return "could not reach the API server at \(url): \(lastFailure). \(nextStep)"
        case .unusable:
            return "could not reach the API server at \(url): \(lastFailure). \(nextStep)"
        }
    }

    /// `30s`, `1.5s`, `5m`: seconds as an operator wrote them.
    package static func format(_ seconds: Double) -> String {
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\((seconds * 1000).rounded() / 1000)s"
    }
}
