import AgentCore
import AgentPlatform
import AgentRuntime
import Foundation
import Logging

/// `certs renew --due`: what is due is renewed, what is not is listed with its days left. Under `--root DIR` (an
/// image build or a test tree) the renewal is local: no Lease, nothing restarted, and the output says so. On a
/// running system (root `/`, or `--coordinate`: a tree under `--root` that a running control plane uses) the
/// modern profile's renewal holds the Lease `master-agent-certs`, restarts exactly the affected static pods and
/// waits for their health, restoring the old files when they do not come back. The legacy profile (v1.2, no Lease
/// API) only reports there: nothing due exits 0, a due apiserver.crt exits 69 with the steps to renew it by hand.
struct RenewDue {
    let options: NodeOptions
    let config: ClusterConfig
    let node: ClusterConfig.Master
    let newKey: Bool
    let commandLineCA: Bool
    /// `--coordinate`: treat the tree under `--root` as a running system.
    var coordinate = false
    let logger: Logger
    /// `bootstrap --offline` (a chroot or image build): nothing runs to coordinate with, even on `/`.
    var offline = false
    /// The cluster CA from `bootstrap --ca-cert/--ca-key`, which signs when `pki.dir` has no `ca.key`.
    var clusterCA: (certificate: Data, key: Data)? = nil
    /// One moment for the whole run: what is planned is what is renewed.
    var now = Date()

    /// Whether this run coordinates with the cluster: always on `/`, under `--root` only with `--coordinate`; never
    /// offline.
    var isLive: Bool { !offline && (options.root == "/" || coordinate) }

    struct Result: Encodable {
        let root: String
        /// False: no Lease was taken and no static pod restarted.
        let coordinated: Bool
        let note: String
        let rows: [RenewalRow]
    }

    /// Runs the renewal; `renewLegacy` reissues apiserver.crt the way plain `certs renew` does.
    func run(renewLegacy: () throws -> Void) throws {
        if isLive && config.kubernetes.profile != .modern {
            return try reportLegacyOnRunningSystem()
        }
        if commandLineCA && config.kubernetes.profile == .modern {
            throw CommandFailure(
                status: .usage,
                message:
                    "--ca-cert/--ca-key are not used by certs renew --due under the modern profile: it signs with the CAs in \(config.pki.dir)"
            )
        }
        if isLive {
            let (rows, note, coordinated) = try LiveRenewal(due: self).run()
            print(rows: rows, note: note, coordinated: coordinated)
            try failIfStuck(rows)
            return
        }
        // The legacy renewal takes the node lock itself.
        let rows = try config.kubernetes.profile == .modern ? renewModern() : renewLegacyIfDue(renewLegacy)
        let note =
            "\(LiveRenewal.summary(rows)) locally under --root \(options.root): no Lease taken, nothing restarted"
        print(rows: rows, note: note, coordinated: false)
        try failIfStuck(rows)
    }

    /// Leaves whose CA key is not here (an offline CA): exit 3 with the requests written for them and what to run on
    /// the CA host, as the certs step does at the first bring-up; the old certificates stay in place meanwhile.
    private func failIfStuck(_ rows: [RenewalRow]) throws {
        let stuck = rows.filter { $0.outcome == .needsCAHost }
        guard !stuck.isEmpty else { return }
        let files = stuck.map(\.file).joined(separator: ", ")
        let requests = stuck.compactMap(\.request)
        guard requests.count == stuck.count else {
            throw CommandFailure(
                status: .failure,
                message:
                    "\(files) must be reissued but the CA key is not on this master (\(missingCAKeys(stuck).joined(separator: ", "))), and --new-key needs it to sign the new keys at once; nothing was written for them. Run certs renew --due without --new-key to write requests for the existing keys to sign on the CA host."
            )
        }
        throw CommandFailure(
            status: .certificatePending,
            message: """
                could not renew \(stuck.count) certificate(s) on \(node.name): \(missingCAKeys(stuck).joined(separator: " and ")) is not on this master. The old certificates stay in place; the requests for their existing keys are ready:
                \(CAHostRoundTrip(node: node.name, requests: requests).steps(afterImport: "it installs them (on a running master under the Lease master-agent-certs, restarting the affected static pods)."))
                """)
    }

    /// The keys of the CAs that sign `rows`' leaves (`<pki.dir>/ca.key`).
    private func missingCAKeys(_ rows: [RenewalRow]) -> [String] {
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let paths = ModernPKIPaths(config)
        let keys = rows.compactMap { row in
            tree.certificate(named: row.name).flatMap { tree.issuer(of: $0) }.map(paths.key)
        }
        return keys.reduce(into: []) { unique, key in if !unique.contains(key) { unique.append(key) } }
    }

    private func renewModern() throws -> [RenewalRow] {
        let lock = try NodeLock.acquire(root: options.root, timeout: 120, logger: logger)
        defer { lock.release() }
        do {
            return try renewModernFiles(.dueOrNamesChanged).rows
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
    }

    /// The renewer of the modern tree for `selection`, on the files under `--root`.
    func modernRenewer(_ selection: ModernCertificateRenewer.Selection) -> ModernCertificateRenewer {
        var renewer = ModernCertificateRenewer(
            files: RootedFileSystem(root: options.root), pki: OpenSSLToolkit(), config: config, node: node,
            now: now, newKey: newKey, selection: selection)
        renewer.commandLineCA = clusterCA
        return renewer
    }

    /// Renews the modern tree's leaves that `selection` picks, on disk; the caller holds the node lock.
    func renewModernFiles(_ selection: ModernCertificateRenewer.Selection) throws -> ModernCertificateRenewer.Result {
        let result = try modernRenewer(selection).renewDue()
        for row in result.rows where row.outcome == .renewed {
            logger.notice(
                "renewed certificate",
                metadata: [
                    "file": "\(row.file)", "daysLeft": "\(row.daysLeft)",
                    "namesChanged": "\(row.namesChanged ?? false)",
                ])
        }
        return result
    }

    /// Legacy: apiserver.crt is the only leaf this master owns.
    private func renewLegacyIfDue(_ renew: () throws -> Void) throws -> [RenewalRow] {
        let row = try legacyRow()
        guard row.outcome == .due else { return [row] }
        try renew()
        let renewedNotAfter = try legacyNotAfter(row.file)
        return [
            RenewalRow(
                name: row.name, file: row.file, daysLeft: row.daysLeft, outcome: .renewed,
                newDaysLeft: RenewalPolicy.daysLeft(notAfter: renewedNotAfter, now: Date()))
        ]
    }

    /// apiserver.crt as it stands: `due` when less than `pki.renewBefore` is left (or it has expired), else `not-due`.
    private func legacyRow() throws -> RenewalRow {
        let path = PKIPaths(config).certificate
        let notAfter = try legacyNotAfter(path)
        let now = Date()
        let due = RenewalPolicy.isDue(notAfter: notAfter, now: now, renewBefore: config.pki.renewBefore.seconds)
        return RenewalRow(
            name: "apiserver", file: path, daysLeft: RenewalPolicy.daysLeft(notAfter: notAfter, now: now),
            outcome: due ? .due : .notDue)
    }

    /// Legacy on a running master: the agent cannot order the API servers' restarts (v1.2 has no Lease API), so it
    /// renews nothing. Nothing due is a normal day (exit 0); a due certificate is handed to the operator (exit 69).
    private func reportLegacyOnRunningSystem() throws {
        let row = try legacyRow()
        guard row.outcome == .due else {
            print(
                rows: [row], note: "nothing was due, so no coordination was needed: nothing renewed, nothing restarted",
                coordinated: false)
            return
        }
        print(
            rows: [row],
            note:
                "nothing renewed: renewing a due certificate on a running legacy-hyperkube master is not implemented; renew it by hand",
            coordinated: false)
        throw CommandFailure(status: .notImplemented, message: manualLegacyRenewal(row))
    }

    /// What is due and the steps that renew it by hand, one master at a time.
    private func manualLegacyRenewal(_ row: RenewalRow) -> String {
        let state =
            row.daysLeft < 0
            ? "has expired (\(row.daysLeft) days left)"
            : "is due: \(row.daysLeft) days left, less than pki.renewBefore (\(config.pki.renewBefore.text))"
        var target = ["--node", node.name]
        if let path = options.config { target += ["--config", path] }
        if options.root != "/" { target += ["--root", options.root] }
        let configuredCA = config.pki.caCert != nil && config.pki.caKey != nil
        let renew =
            ["master-agent", "certs", "renew"] + target
            + (configuredCA ? [] : ["--ca-cert", "CA.crt", "--ca-key", "CA.key"])
        let check = ["master-agent", "certs", "check"] + target
        let signer =
            configuredCA
            ? "signed with pki.caCert/pki.caKey"
            : "CA.crt/CA.key: the cluster CA; without them it writes apiserver.csr and exits 3 with the certs sign and certs import steps"
        let manifest = "\(config.kubelet.manifestDir)/kube-apiserver.yaml"
        return """
            \(row.file) \(state). Renewing it on a running legacy-hyperkube master (ordered with the other masters, \
            API server restart, health wait) is not implemented; nothing was renewed or restarted. By hand, on one \
            master at a time (finish it before starting the next, so the others keep serving):
              1. \(renew.map(shellWord).joined(separator: " "))
                 (a new certificate for the same apiserver.key, which every master shares: no --new-key; \(signer))
              2. restart this master's API server pod, which reads the certificate only when it starts: move \
            \(manifest) out of \(config.kubelet.manifestDir), wait until the kubelet has stopped the pod, move it back
              3. wait until \(config.apiServer.localURL)/healthz answers ok, then run \(check.map(shellWord).joined(separator: " "))
            """
    }

    /// `word` as one shell word: as is when it holds only safe characters, else single-quoted.
    private func shellWord(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,")
        if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func legacyNotAfter(_ path: String) throws -> Date {
        guard let file = try RootedFileSystem(root: options.root).readFile(path) else {
            throw CommandFailure(
                status: .failure, message: "\(path) is missing; run master-agent bootstrap to make it first")
        }
        do {
            guard let leaf = try OpenSSLToolkit().inspect(certificatesPEM: file.data, source: path).first else {
                throw CommandFailure(status: .failure, message: "\(path) holds no certificate")
            }
            return leaf.notAfter
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(status: .failure, message: "could not read \(path): \(error)")
        }
    }

    private func print(rows: [RenewalRow], note: String, coordinated: Bool) {
        let printer = OutputPrinter(format: options.output)
        func column(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.utf16.count + 1), withPad: " ", startingAt: 0)
        }
        printer.text(column("NAME", 26) + column("FILE", 44) + column("DAYS LEFT", 11) + "RESULT")
        for row in rows {
            var result = row.newDaysLeft.map { "\(row.outcome.rawValue) (now \($0) days)" } ?? row.outcome.rawValue
            if row.namesChanged == true { result += ", names changed" }
            if let request = row.request { result += ", request \(request)" }
            printer.text(column(row.name, 26) + column(row.file, 44) + column("\(row.daysLeft)", 11) + result)
        }
        printer.text(note)
        printer.json(Result(root: options.root, coordinated: coordinated, note: note, rows: rows))
    }
}
