import Foundation

/// What `certs renew --due` did with one certificate, as the table and `--output json` show it.
package struct RenewalRow: Codable, Equatable, Sendable {
    package enum Outcome: String, Codable, Sendable {
        /// Reissued by this run.
        case renewed
        /// More than `pki.renewBefore` left: kept.
        case notDue = "not-due"
        /// Due, but this run does not renew it (legacy on a running master): the operator renews it by hand.
        case due
        /// A CA: reported with its days left, never renewed by the agent.
        case authority = "ca"
        /// Due, but its CA key is not on this master: renew it through the CA host.
        case needsCAHost = "needs-ca-host"
    }

    /// The tree entry (`apiserver`, `admin.conf`).
    package let name: String
    /// The file holding the certificate (node path).
    package let file: String
    /// Whole days left before this run (negative once expired).
    package let daysLeft: Int
    package let outcome: Outcome
    /// Days left on the new certificate when renewed.
    package var newDaysLeft: Int?
    /// True when reissued because its names (SANs) differ from the config's, due or not.
    package var namesChanged: Bool?
    /// The request written for the CA host when the outcome is `needsCAHost` (node path).
    package var request: String?

    package init(
        name: String, file: String, daysLeft: Int, outcome: Outcome, newDaysLeft: Int? = nil,
        namesChanged: Bool? = nil
    ) {
        self.name = name
        self.file = file
        self.daysLeft = daysLeft
        self.outcome = outcome
        self.newDaysLeft = newDaysLeft
        self.namesChanged = namesChanged
    }
}

/// When a leaf is due: kubeadm's rule of thumb, a remaining lifetime below a configured margin.
package enum RenewalPolicy {
    /// True when fewer than `renewBefore` seconds remain before `notAfter` (an expired certificate is due).
    package static func isDue(notAfter: Date, now: Date, renewBefore: Double) -> Bool {
        notAfter.timeIntervalSince(now) < renewBefore
    }

    /// Whole days from `now` until `notAfter`, rounded down (negative once expired).
    package static func daysLeft(notAfter: Date, now: Date) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86400).rounded(.down))
    }
}
