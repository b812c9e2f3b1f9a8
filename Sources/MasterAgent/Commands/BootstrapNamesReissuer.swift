import AgentCore
import AgentPlatform
import AgentRuntime

/// `bootstrap`'s reissue of the per-node certificates whose names no longer match the config (modern profile). On a
/// running system (root `/`, or `--coordinate`) it is `certs renew --due`'s coordinated renewal limited to the names
/// change: the Lease `master-agent-certs`, the rolling restart of the affected static pods and their health wait,
/// inside the node lock the bootstrap already holds. Under `--root` it reissues locally and says so.
struct BootstrapNamesReissuer: CertificateNamesReissuer {
    let due: RenewDue

    func reissueChangedNames() throws -> CertificateNamesReissue {
        if due.isLive {
            let (rows, note, _) = try LiveRenewal(due: due, selection: .namesChanged, nodeLockHeld: true).run()
            return CertificateNamesReissue(rows: rows, note: note)
        }
        let rows: [RenewalRow]
        do {
            rows = try due.renewModernFiles(.namesChanged).rows
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
        let reissued = rows.filter { $0.outcome == .renewed }.map(\.file)
        // Without the CA key only requests were written; the step names them and what to run on the CA host.
        let what = reissued.isEmpty ? "nothing reissued" : "reissued \(reissued.joined(separator: ", "))"
        return CertificateNamesReissue(
            rows: rows,
            note: "\(what) locally under --root \(due.options.root): no Lease taken, nothing restarted")
    }
}
