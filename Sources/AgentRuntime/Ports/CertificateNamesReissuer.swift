import AgentCore

/// Reissues this master's per-node certificates whose names (SANs) no longer match the config: on a running system
/// under the renewal Lease with a rolling restart of the affected static pods, under `--root` locally. The certs step
/// of `bootstrap` calls it when the config gained or lost a load balancer, master or `pki.extraSANs` name.
package protocol CertificateNamesReissuer {
    func reissueChangedNames() throws -> CertificateNamesReissue
}

/// What a names reissue did.
package struct CertificateNamesReissue: Sendable {
    /// Every per-node leaf with its outcome (`renewed`, `not-due`, `needs-ca-host`).
    package let rows: [RenewalRow]
    /// One sentence for the step's message: the Lease and restarts, or why there were none.
    package let note: String

    package init(rows: [RenewalRow], note: String) {
        self.rows = rows
        self.note = note
    }
}
