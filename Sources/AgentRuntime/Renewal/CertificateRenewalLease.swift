import AgentCore
import FoundationEssentials

/// One master at a time, cluster-wide: `certs renew --due` on a running system holds the Lease
/// `master-agent-certs` (in `election.namespace`) while it renews, restarts and waits, renewing the Lease in the
/// background, and releases it at the end so the next master goes at once.
package struct CertificateRenewalLease {
    /// The Lease's name.
    package static let name = "master-agent-certs"

    let elector: LeaderElector
    let clock: MonotonicClock
    /// How long to wait for another master's renewal before giving up.
    let timeout: Double
    /// The command to run again when the Lease stays taken (`certs renew --due`, `bootstrap`, `certs import --dir`).
    let retry: String

    package init(elector: LeaderElector, clock: MonotonicClock, timeout: Double, retry: String = "certs renew --due") {
        self.elector = elector
        self.clock = clock
        self.timeout = timeout
        self.retry = retry
    }

    /// The Lease for messages, e.g. `Lease default/master-agent-certs`.
    package var lockDescription: String { elector.lockDescription }

    /// Takes the Lease (waiting while another master holds it), runs `work`, releases it. Throws
    /// `CertificateRenewalLeaseTimeout` when the Lease stays taken for `timeout` seconds, or the API's error.
    package func run<T>(_ work: () throws -> T) throws -> T {
        let deadline = clock.now() + timeout
        while true {
            let round = try elector.tryAcquireOrRenew()
            if round.isLeading { break }
            guard clock.now() < deadline else {
                throw CertificateRenewalLeaseTimeout(
                    lock: elector.lockDescription, holder: elector.observedHolder, seconds: timeout, retry: retry)
            }
            var pause = elector.timings.followerPollInterval
            if case .following(_, let expiresIn) = round { pause = min(pause, max(expiresIn, 0.05)) }
            clock.sleep(pause)
        }
        let renewer = LeaseRenewer(elector: elector)
        defer {
            renewer.stop()
            elector.release()
        }
        return try work()
    }
}

/// Another master held the renewal Lease for the whole wait.
package struct CertificateRenewalLeaseTimeout: Error, CustomStringConvertible {
    package let lock: String
    package let holder: String?
    package let seconds: Double
    package let retry: String

    package var description: String {
        "could not take \(lock) within \(Int(seconds)) s: \(holder ?? "another master") is renewing its certificates; nothing was renewed here, run master-agent \(retry) again later"
    }
}
