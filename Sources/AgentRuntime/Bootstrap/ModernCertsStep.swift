import AgentCore
import Dispatch
import FoundationEssentials
import Synchronization

/// The modern profile's certs step: every item of `PKITree.modern` for this master, kubeadm's files and modes.
/// Shared items (CAs, sa.key/sa.pub, the encryption config) are made once: under `secrets.store: etcd` by whichever
/// master wins the cluster-secrets race (this step then finds them written), else on the first master of `masters`
/// and copied by the operator to the others; per-node items are made on each master, signed here when the CA key is at
/// hand, else requested from the CA host (exit status 3). Nothing existing is ever rewritten: a file that does not
/// match its spec stops the step before anything is written.
package struct ModernCertsStep: BootstrapStepRunner {
    package init() {}

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        guard let pki = context.pki, let wallClock = context.wallClock else {
            throw UsageError("no PKI toolkit or wall clock is wired into this run")
        }
        var run = try ModernPKIRun(context: context, pki: pki, now: wallClock.wallNow())
        let before = try run.refuseMismatches()
        try run.refuseMissingSharedFiles()
        try run.makeDirectories()
        try run.removeLeftovers()
        try run.pregenerateKeys()
        try run.fixModes(before)
        try run.makeSharedItems()
        try run.makePerNodeItems()
        try run.commit()
        if !run.pending.isEmpty {
            throw ModernCertificatesPending(
                requests: run.pending, node: context.node.name, missingCAKeys: run.missingCAKeys,
                firstMaster: run.firstMaster, fromSecretsStore: context.config.secrets.store == .etcd)
        }
        let drifted = run.namesDrift(before)
        if context.dryRun {
            try run.reportNamesDrift(drifted)
            return .fromFiles(.certs, run.reports, message: "dry run: would make the PKI tree of \(context.node.name)")
        }
        let reissue = try reissueChangedNames(drifted, run: &run, context)
        // Nothing written: the first check already covered the tree as it stands.
        let report = run.reports.isEmpty ? before : try run.checker.check()
        let awaitingCAHost = reissue?.rows.filter { $0.outcome == .needsCAHost } ?? []
        let errors = report.findings.filter { finding in
            finding.severity == .error
                && !(finding.code == .missingSAN && awaitingCAHost.contains { $0.file == finding.file })
        }
        guard errors.isEmpty else { throw CertsStep.CertificateProblems(findings: errors) }
        for warning in report.findings where warning.severity == .warning {
            context.logger.warning("certificate check", metadata: ["finding": "\(warning.message)"])
        }
        let expiry = report.daysLeft.map { ", apiserver.crt expires in \($0) days" } ?? ""
        var message =
            "PKI tree of \(context.node.name) in \(run.paths.dir) and \(ModernLayout.kubernetesDir) verified\(expiry)"
        if let reissue { message += "; names changed: \(reissue.note)" }
        for row in awaitingCAHost {
            let advice = ModernNamesAwaitCAHost(row: row, node: context.node.name)
            context.logger.warning(
                "certificate names differ from the config; reissue through the CA host",
                metadata: ["file": "\(row.file)", "do": "\(advice)"])
            message += "; \(advice)"
        }
        return .fromFiles(.certs, run.reports, message: message)
    }

    /// Hands the leaves whose names drifted to the wired reissuer (nil: none drifted, or none is wired and the check
    /// stops the step) and records the files it wrote.
    private func reissueChangedNames(_ drifted: [String], run: inout ModernPKIRun, _ context: BootstrapContext) throws
        -> CertificateNamesReissue?
    {
        guard !drifted.isEmpty, let reissuer = context.namesReissuer else { return nil }
        let requestsBefore = try run.perNodeRequests()
        let reissue = try reissuer.reissueChangedNames()
        try run.record(reissue, requestsBefore: requestsBefore)
        return reissue
    }
}

/// A per-node certificate whose names differ from the config's, on a master without the CA key: the old one keeps
/// working; the request for the same key waits for the CA host.
package struct ModernNamesAwaitCAHost: CustomStringConvertible {
    package let row: RenewalRow
    package let node: String

    package init(row: RenewalRow, node: String) {
        self.row = row
        self.node = node
    }

    package var description: String {
        guard let request = row.request else {
            return
                "\(row.file) does not carry the config's names and the CA key is not on this master; run master-agent certs renew --due to write its request for the CA host"
        }
        return
            "\(row.file) does not carry the config's names and the CA key is not on this master: \(CAHostRoundTrip(node: node, requests: [request]).inline)"
    }
}

/// What an operator runs to have a master's requests signed on the CA host (an offline CA) and the certificates
/// installed: the one wording of the first bring-up (`ModernCertificatesPending`), of a names change
/// (`ModernNamesAwaitCAHost`) and of `certs renew --due`.
package struct CAHostRoundTrip: Sendable {
    package let node: String
    /// The requests to copy (node paths).
    package let requests: [String]

    package init(node: String, requests: [String]) {
        self.node = node
        self.requests = requests
    }

    /// The directory the requests travel in, on the CA host and back: `<node>-csr`.
    package var directory: String { "\(node)-csr" }
    package var signCommand: String {
        "master-agent certs sign --config cluster.yaml --node \(node) --csr-dir \(directory) --ca-dir /etc/kubernetes/pki"
    }
    package var importCommand: String { "master-agent certs import --node \(node) --dir \(directory)" }

    /// One sentence, for a log line or a step message.
    package var inline: String {
        "copy \(requests.joined(separator: ", ")) into \(directory)/ on the CA host and run there `\(signCommand)`, then copy \(directory)/ back and run here `\(importCommand)`"
    }

    /// Numbered steps, one request a line; `afterImport` ends the last one.
    package func steps(afterImport: String) -> String {
        """
          1. copy these requests into one directory (e.g. \(directory)/) on the CA host:
        \(requests.map { "       \($0)" }.joined(separator: "\n"))
          2. on the CA host, with the same cluster config, run:
               \(signCommand)
             (--ca-dir holds the CA files named above); it writes <name>.crt beside each request
          3. copy \(directory)/ back here and run:
               \(importCommand)
             \(afterImport)
        """
    }
}

/// Per-node certificates wait for the CA host: the keys and requests are on disk, kept across reruns.
package struct ModernCertificatesPending: ExitStatusProviding, CustomStringConvertible {
    /// The requests to take to the CA host (node paths).
    package let requests: [String]
    package let node: String
    /// The CA keys this master lacks (`<pki.dir>/ca.key`, ...).
    package let missingCAKeys: [String]
    package let firstMaster: String
    /// `secrets.store: etcd`: no master has a CA key the record lacks, so none is told to copy it from another.
    package var fromSecretsStore = false
    package var exitStatus: ExitStatus { .certificatePending }

    package var description: String {
        let elsewhere =
            node == firstMaster || fromSecretsStore
            ? "If the CA key belongs on this master, put it beside its certificate (or name it in pki.caKey) and run the bootstrap again."
            : "If the CA key belongs on this master, copy it from \(firstMaster) instead and run the bootstrap again."
        return """
            could not issue \(requests.count) certificate(s) on \(node): \(missingCAKeys.joined(separator: " and ")) is not on this master. The keys and requests are ready:
            \(CAHostRoundTrip(node: node, requests: requests).steps(afterImport: "then run master-agent bootstrap again."))
            \(elsewhere)
            """
    }
}

/// Shared files this master lacks and must not make itself.
package struct ModernSharedFilesMissing: Error, CustomStringConvertible {
    package let files: [String]
    package let node: String
    package let firstMaster: String
    /// `secrets.store: etcd`: the files come from the cluster's secrets record, not from another master.
    package var fromSecretsStore = false

    package var description: String {
        let list = files.map { "  \($0)" }.joined(separator: "\n")
        guard !fromSecretsStore else {
            return """
                could not make the PKI of \(node): these files are shared by every master and come from the cluster's secrets record in etcd (secrets.store: etcd), which this run did not take:
                \(list)
                Run master-agent bootstrap (its cluster-secrets step writes them before certs), or add cluster-secrets to --steps.
                """
        }
        return """
            could not make the PKI of \(node): these files are shared by every master and are made on \(firstMaster) only (the first of masters); copy them from \(firstMaster), keeping modes (keys, sa.pub and the encryption config 0600, certificates 0644), or set secrets.store: etcd to share them through etcd:
            \(list)
            then run master-agent bootstrap again. A CA key (ca.key, front-proxy-ca.key) may stay off this master: its
            certificates are then requested from the CA host.
            """
    }
}

/// One run of the modern certs step: what exists, what it makes, what it reports.
struct ModernPKIRun {
    let context: BootstrapContext
    let pki: PKIToolkit
    let now: Date
    let tree: PKITree
    let paths: ModernPKIPaths
    let checker: ModernCertificateChecker
    let firstMaster: String
    let isFirstMaster: Bool
    var reports: [FileReport] = []
    var pending: [String] = []
    var missingCAKeys: [String] = []
    /// What this run writes, in order (keys before what they sign), committed at once at the end: an error on the
    /// way writes nothing, and the files share their flushes.
    private var batch: [FileWrite] = []
    /// Requests answered here, removed once the certificates are written.
    private var answeredRequests: [String] = []
    /// Keys generated up front, all at once, because RSA key generation dominates the step.
    private var keyPool: [Data] = []
    /// The certificate and (when on this master) key of each CA, by spec name.
    private var authorities: [String: (certificate: Data, key: Data?)] = [:]
    private var files: FileStore { context.files }
    private var dryRun: Bool { context.dryRun }

    init(context: BootstrapContext, pki: PKIToolkit, now: Date) throws {
        self.context = context
        self.pki = pki
        self.now = now
        tree = PKITree.modern(ModernPKIInputs(context.config, node: context.node))
        paths = ModernPKIPaths(context.config)
        checker = ModernCertificateChecker(
            files: context.files, pki: pki, config: context.config, node: context.node, now: now)
        firstMaster = context.config.masters.first?.name ?? context.node.name
        isFirstMaster = firstMaster == context.node.name
    }

    // MARK: - Before writing

    /// Existing files that contradict their spec stop the step untouched; missing ones and modes are dealt with.
    /// Returns the check of the tree as found.
    func refuseMismatches() throws -> CertificateChecker.Report {
        let tolerated: Set<CertificateFinding.Code> = [
            .missingFile, .certificatePending, .keyFileMode, .certificateFileMode, .keyFileOwner, .expiresSoon,
        ]
        let report = try checker.check()
        // Names drift on a per-node leaf is reissued after the rest of the step (see `namesDrift`).
        let reissuable = context.namesReissuer != nil || dryRun ? perNodeLeafFiles : []
        // admin.conf and super-admin.conf get the load balancer's new URL in place (see `makeKubeconfig`).
        let repointable = Set(endpointKubeconfigs.map(paths.kubeconfig))
        var blocking = report.findings.filter {
            $0.severity == .error && !tolerated.contains($0.code)
                && !(Self.namesDriftCodes.contains($0.code) && reissuable.contains($0.file))
                && !($0.code == .serverMismatch && repointable.contains($0.file))
        }
        // A certificate whose key is gone cannot be completed: a new key would not match it.
        for spec in tree.certificates where !spec.isCertificateAuthority {
            if try files.readFile(paths.certificate(spec)) != nil, try files.readFile(paths.key(spec)) == nil {
                blocking.append(
                    CertificateFinding(
                        severity: .error, code: .missingFile, file: paths.key(spec),
                        message:
                            "\(paths.key(spec)) is missing but \(paths.certificate(spec)) exists; remove \(paths.certificate(spec)) too and run `master-agent bootstrap --steps certs` to make both anew"
                    ))
            }
        }
        guard blocking.isEmpty else { throw CertsStep.CertificateProblems(findings: blocking) }
        return report
    }

    /// Any master but the first needs the shared files copied before it can go on.
    func refuseMissingSharedFiles() throws {
        guard !isFirstMaster else { return }
        var missing: [String] = []
        for spec in tree.certificates where spec.scope == .shared {
            let source = spec.name == PKITree.clusterCA ? try configuredCA() : nil
            if source == nil, try files.readFile(paths.certificate(spec)) == nil {
                missing += [paths.certificate(spec), paths.key(spec)]
            }
        }
        for pair in tree.keyPairs where pair.scope == .shared {
            if try files.readFile(paths.privateKey(pair)) == nil {
                missing += [paths.privateKey(pair), paths.publicKey(pair)]
            }
        }
        if !tree.encryptionKeys.isEmpty, try files.readFile(paths.encryptionConfig) == nil {
            missing.append(paths.encryptionConfig)
        }
        guard missing.isEmpty else {
            throw ModernSharedFilesMissing(
                files: missing, node: context.node.name, firstMaster: firstMaster,
                fromSecretsStore: context.config.secrets.store == .etcd)
        }
    }

    mutating func makeDirectories() throws {
        for (directory, mode) in [(paths.dir, UInt16(0o755)), (ModernLayout.kubernetesDir, 0o755)] {
            if dryRun {
                if try files.attributes(directory) == nil {
                    reports.append(FileReport(path: directory, action: .created))
                }
            } else if try files.ensureDirectory(directory, mode: mode) {
                reports.append(FileReport(path: directory, action: .created))
            }
        }
    }

    /// Removes the temp files a killed run left beside the tree's own files (only theirs: `pki.dir` and
    /// `/etc/kubernetes` hold the operator's files too). A dry run reports them.
    mutating func removeLeftovers() throws {
        var owned: [String: Set<String>] = [:]
        let layout = paths
        var targets = tree.certificates.flatMap { [layout.certificate($0), layout.key($0), layout.request($0)] }
        targets += tree.keyPairs.flatMap { [layout.privateKey($0), layout.publicKey($0)] }
        targets += tree.kubeconfigs.flatMap { [layout.kubeconfig($0), layout.request($0.client)] }
        targets.append(layout.encryptionConfig)
        for path in targets {
            guard let slash = path.lastIndex(of: "/") else { continue }
            owned[String(path[..<slash]), default: []].insert(String(path[path.index(after: slash)...]))
        }
        for (directory, names) in owned.sorted(by: { $0.key < $1.key }) {
            for entry in try files.listDirectory(directory) ?? [] where TemporaryFileName.isTemporary(entry) {
                let target = entry.dropFirst(TemporaryFileName.prefix.count)
                guard names.contains(where: { target.hasPrefix("\($0).") }) else { continue }
                let path = "\(directory)/\(entry)"
                if !dryRun { try files.removeFile(path) }
                reports.append(FileReport(path: path, action: .removed, detail: "left by a run that was killed"))
            }
        }
    }

    /// Generates every key this run will need at once, on every core.
    mutating func pregenerateKeys() throws {
        guard !dryRun else { return }
        var count = 0
        for spec in tree.certificates where try files.readFile(paths.certificate(spec)) == nil {
            let configured = spec.name == PKITree.clusterCA ? try configuredCA() != nil : false
            let madeHere = !spec.isCertificateAuthority || (isFirstMaster && !configured)
            if madeHere, try files.readFile(paths.key(spec)) == nil { count += 1 }
        }
        for pair in tree.keyPairs where isFirstMaster {
            if try files.readFile(paths.privateKey(pair)) == nil { count += 1 }
        }
        for kubeconfig in tree.kubeconfigs where try files.readFile(paths.kubeconfig(kubeconfig)) == nil {
            count += 1
        }
        keyPool = try ConcurrentKeyGenerator.generate(count, of: context.config.pki.keyType, with: pki)
    }

    /// Rewrites the files whose only fault is their mode or owner, with the same content.
    mutating func fixModes(_ report: CertificateChecker.Report) throws {
        for finding in report.findings
        where [.keyFileMode, .certificateFileMode, .keyFileOwner].contains(finding.code) {
            guard !reports.contains(where: { $0.path == finding.file }), let file = try files.readFile(finding.file)
            else { continue }
            let mode: UInt16 = finding.code == .certificateFileMode || finding.file.hasSuffix(".crt") ? 0o644 : 0o600
            if !dryRun { batch.append(FileWrite(path: finding.file, data: file.data, mode: mode)) }
            reports.append(
                FileReport(
                    path: finding.file, action: .updated,
                    detail: String(format: "mode %04o -> %04o", file.mode, mode)))
        }
    }

    // MARK: - Shared items

    mutating func makeSharedItems() throws {
        for spec in tree.certificates where spec.isCertificateAuthority { try resolveAuthority(spec) }
        for pair in tree.keyPairs { try makeKeyPair(pair) }
        for secret in tree.encryptionKeys { try makeEncryptionConfig(secret) }
    }

    /// The CA from the command line, else from `pki.caCert`/`pki.caKey`; nil when neither is given.
    private func configuredCA() throws -> ModernConfiguredCA? { try ModernConfiguredCA.load(context) }

    private mutating func resolveAuthority(_ spec: CertificateSpec) throws {
        let certificatePath = paths.certificate(spec), keyPath = paths.key(spec)
        let existingCertificate = try files.readFile(certificatePath)?.data
        let existingKey = try files.readFile(keyPath)?.data
        if spec.name == PKITree.clusterCA, let source = try configuredCA() {
            try ModernConfiguredCA.checkPair(certificate: source.certificate, key: source.key, pki: pki)
            if let existingCertificate, existingCertificate != source.certificate {
                throw UsageError(
                    "\(certificatePath) is not the CA given in pki.caCert or --ca-cert; every master must use the same CA. Remove \(certificatePath) if the configured CA is the right one, or point pki.caCert at \(certificatePath)."
                )
            }
            if existingCertificate == nil {
                try write(certificatePath, source.certificate, mode: 0o644, "copy of the configured CA")
            }
            // kube-controller-manager signs kubelet certificates with <pki.dir>/ca.key: a CA key from the config is
            // kept there as kubeadm does. A key given only on the command line is used and not stored.
            if let key = source.key, source.keyFromConfig, keyPath != context.config.pki.caKey {
                if let existingKey, existingKey != key {
                    throw UsageError(
                        "\(keyPath) is not the key given in pki.caKey; remove one of them so that the CA has one key.")
                }
                if existingKey == nil { try write(keyPath, key, mode: 0o600, "copy of pki.caKey") }
            }
            authorities[spec.name] = (source.certificate, source.key ?? existingKey)
            if source.key == nil, existingKey == nil { missingCAKeys.append(keyPath) }
            return
        }
        if let existingCertificate {
            authorities[spec.name] = (existingCertificate, existingKey)
            if existingKey == nil { missingCAKeys.append(keyPath) }
            return
        }
        // Only the first master gets here (the others were refused): make the CA, reusing a key a crashed run left.
        if dryRun {
            if existingKey == nil {
                reports.append(FileReport(path: keyPath, action: .created, detail: "new \(spec.keyType.rawValue) key"))
            }
            reports.append(
                FileReport(
                    path: certificatePath, action: .created,
                    detail: "self-signed CA \(spec.subject), \(spec.validityDays) days"))
            authorities[spec.name] = (Data(), Data())
            return
        }
        let key = try existingKey ?? newKey(keyPath)
        let certificate = try pki.makeCertificateAuthority(spec, keyPEM: key, issuedAt: now)
        try write(
            certificatePath, certificate, mode: 0o644, "self-signed CA \(spec.subject), \(spec.validityDays) days")
        authorities[spec.name] = (certificate, key)
    }

    private mutating func makeKeyPair(_ pair: KeyPairSpec) throws {
        let privatePath = paths.privateKey(pair), publicPath = paths.publicKey(pair)
        let existingKey = try files.readFile(privatePath)?.data
        if try files.readFile(publicPath) != nil { return }
        if dryRun {
            if existingKey == nil {
                reports.append(
                    FileReport(path: privatePath, action: .created, detail: "new \(pair.keyType.rawValue) key"))
            }
            reports.append(
                FileReport(path: publicPath, action: .created, detail: "public half of \(pair.privateKeyFile)"))
            return
        }
        // A missing sa.pub beside an existing sa.key is derived from it (the same on every master).
        let key = try existingKey ?? newKey(privatePath)
        try write(publicPath, try pki.publicKeyPEM(ofKey: key), mode: 0o600, "public half of \(pair.privateKeyFile)")
    }

    private mutating func makeEncryptionConfig(_ secret: EncryptionKeySpec) throws {
        let path = paths.encryptionConfig
        guard try files.readFile(path) == nil else { return }
        let detail = "new \(secret.byteCount)-byte \(secret.provider) key \(secret.name)"
        if dryRun {
            reports.append(FileReport(path: path, action: .created, detail: detail))
            return
        }
        let text = try EncryptionConfiguration(secretboxKey: secret, key: try pki.randomBytes(secret.byteCount)).yaml()
        try write(path, Data(text.utf8), mode: 0o600, detail)
    }

    // MARK: - Per-node items

    mutating func makePerNodeItems() throws {
        for spec in tree.certificates where !spec.isCertificateAuthority { try makeLeaf(spec) }
        for kubeconfig in tree.kubeconfigs { try makeKubeconfig(kubeconfig) }
    }

    private mutating func makeLeaf(_ spec: CertificateSpec) throws {
        let certificatePath = paths.certificate(spec), keyPath = paths.key(spec)
        guard try files.readFile(certificatePath) == nil else { return }
        let existingKey = try files.readFile(keyPath)?.data
        let issuer = try authority(of: spec)
        if dryRun {
            if existingKey == nil {
                reports.append(FileReport(path: keyPath, action: .created, detail: "new \(spec.keyType.rawValue) key"))
            }
            if issuer.key == nil {
                reports.append(
                    FileReport(path: paths.request(spec), action: .created, detail: "request for the CA host"))
                pending.append(paths.request(spec))
            } else {
                reports.append(FileReport(path: certificatePath, action: .created, detail: issuedDetail(spec)))
            }
            return
        }
        let key = try existingKey ?? newKey(keyPath)
        guard let caKey = issuer.key else {
            try request(spec, key: key)
            return
        }
        let certificate = try pki.issue(
            spec, keyPEM: key, caCertPEM: issuer.certificate, caKeyPEM: caKey, issuedAt: now)
        try write(certificatePath, certificate, mode: 0o644, issuedDetail(spec))
        try removeRequest(spec)
    }

    private mutating func makeKubeconfig(_ spec: KubeconfigSpec) throws {
        let path = paths.kubeconfig(spec)
        let issuer = try authority(of: spec.client)
        var key: Data?
        if let existing = try files.readFile(path) {
            // Complete only the partial kubeconfig of a pending request; a complete one was checked already.
            let config = try Kubeconfig.decode(String(decoding: existing.data, as: UTF8.self), file: path)
            let user = try config.userEntry(config.currentContextEntry(file: path).user, file: path)
            guard user.clientCertificateData == nil,
                let partialKey = user.clientKeyData.flatMap({ Data(base64Encoded: $0) })
            else { return try repoint(config, spec) }
            key = partialKey
        }
        if dryRun {
            if issuer.key == nil {
                if key == nil {
                    reports.append(
                        FileReport(path: path, action: .created, detail: "key only, waiting for its certificate"))
                }
                reports.append(
                    FileReport(path: paths.request(spec.client), action: .created, detail: "request for the CA host"))
                pending.append(paths.request(spec.client))
            } else {
                reports.append(
                    FileReport(path: path, action: key == nil ? .created : .updated, detail: issuedDetail(spec.client)))
            }
            return
        }
        let isNewKey = key == nil
        let clientKey = try key ?? takeKey()
        guard let caKey = issuer.key else {
            if isNewKey {
                try writeKubeconfig(
                    spec, certificate: nil, key: clientKey, action: .created, "key only, waiting for its certificate")
            }
            try request(spec.client, key: clientKey)
            return
        }
        let certificate = try pki.issue(
            spec.client, keyPEM: clientKey, caCertPEM: issuer.certificate, caKeyPEM: caKey, issuedAt: now)
        try writeKubeconfig(
            spec, certificate: certificate, key: clientKey, action: isNewKey ? .created : .updated,
            issuedDetail(spec.client))
        try removeRequest(spec.client)
    }

    private mutating func writeKubeconfig(
        _ spec: KubeconfigSpec, certificate: Data?, key: Data, action: FileReport.Action, _ detail: String
    ) throws {
        let ca = try authority(of: spec.client).certificate
        let text = try Kubeconfig(
            clusterName: spec.clusterName, server: spec.server, caPEM: ca, userName: spec.userName,
            contextName: spec.contextName, clientCertificatePEM: certificate, clientKeyPEM: key
        ).yaml()
        batch.append(FileWrite(path: paths.kubeconfig(spec), data: Data(text.utf8), mode: 0o600))
        reports.append(FileReport(path: paths.kubeconfig(spec), action: action, detail: detail))
    }

    /// The kubeconfigs for people (admin.conf, super-admin.conf): they go through the load balancer and no static
    /// pod reads them, so a new load balancer name or port is written into them in place, restarting nothing.
    var endpointKubeconfigs: [KubeconfigSpec] {
        tree.kubeconfigs.filter { ["admin.conf", "super-admin.conf"].contains($0.fileName) }
    }

    /// Writes `spec.server` into an endpoint kubeconfig that points elsewhere, every other field kept.
    private mutating func repoint(_ config: Kubeconfig, _ spec: KubeconfigSpec) throws {
        let path = paths.kubeconfig(spec)
        let context = try config.currentContextEntry(file: path)
        guard endpointKubeconfigs.contains(where: { $0.fileName == spec.fileName }),
            let index = config.clusters.firstIndex(where: { $0.name == context.cluster }),
            config.clusters[index].cluster.server != spec.server
        else { return }
        let old = config.clusters[index].cluster.server
        var repointed = config
        repointed.clusters[index].cluster.server = spec.server
        if !dryRun { batch.append(FileWrite(path: path, data: Data(try repointed.yaml().utf8), mode: 0o600)) }
        reports.append(FileReport(path: path, action: .updated, detail: "server \(old) -> \(spec.server)"))
    }

    /// Keeps a request that still matches the key and the spec's names (reruns do not churn it), else makes one.
    private mutating func request(_ spec: CertificateSpec, key: Data) throws {
        let path = paths.request(spec)
        pending.append(path)
        if let existing = try files.readFile(path), try pki.requestIsCurrent(existing.data, for: spec, keyPEM: key) {
            return
        }
        try write(path, try pki.makeCSR(for: spec, keyPEM: key), mode: 0o644, "request for the CA host")
    }

    private mutating func removeRequest(_ spec: CertificateSpec) throws {
        if try files.readFile(paths.request(spec)) != nil {
            answeredRequests.append(paths.request(spec))
            reports.append(FileReport(path: paths.request(spec), action: .removed, detail: "signed here"))
        }
    }

    // MARK: - Names drift

    /// Findings that mean a certificate's names differ from the config's.
    static let namesDriftCodes: Set<CertificateFinding.Code> = [.missingSAN, .extraSAN]

    /// The files of this master's own leaves (certificates and kubeconfigs): the ones a names change reissues.
    var perNodeLeafFiles: Set<String> {
        Set(tree.allCertificates.filter { $0.scope == .perNode && !$0.isCertificateAuthority }.map(paths.certificate))
    }

    /// The per-node leaves whose names differ from the config's in `report`.
    func namesDrift(_ report: CertificateChecker.Report) -> [String] {
        let leaves = perNodeLeafFiles
        return Set(
            report.findings.filter { Self.namesDriftCodes.contains($0.code) && leaves.contains($0.file) }.map(\.file)
        ).sorted()
    }

    /// A dry run's account of a names reissue: the certificate reissued or, without its CA key here, the request for
    /// the CA host written (one already there is kept).
    mutating func reportNamesDrift(_ files: [String]) throws {
        for spec in tree.allCertificates where files.contains(paths.certificate(spec)) {
            if try authority(of: spec).key != nil {
                reports.append(
                    FileReport(
                        path: paths.certificate(spec), action: .updated, detail: "reissued with the config's names"))
            } else if try !requestIsCurrent(spec) {
                reports.append(
                    FileReport(
                        path: paths.request(spec), action: .created,
                        detail: "request for the CA host (names changed)"))
            }
        }
    }

    /// Whether the request on disk for `spec` asks for its existing key with the config's names (a dry run then
    /// shows none written, as the real run keeps it).
    private func requestIsCurrent(_ spec: CertificateSpec) throws -> Bool {
        guard let request = try files.readFile(paths.request(spec)),
            let key = try files.readFile(paths.key(spec))?.data ?? currentClientKey(spec)
        else { return false }
        return try pki.requestIsCurrent(request.data, for: spec, keyPEM: key)
    }

    /// The client key embedded in the kubeconfig of a kubeconfig leaf; nil for others.
    private func currentClientKey(_ spec: CertificateSpec) throws -> Data? {
        guard spec.keyFile == nil, let file = try files.readFile(paths.certificate(spec)) else { return nil }
        let path = paths.certificate(spec)
        return try? Kubeconfig.decode(String(decoding: file.data, as: UTF8.self), file: path)
            .currentCredentials(file: path).clientKeyPEM
    }

    /// The requests of this master's own leaves as they are on disk now (path to bytes), to tell afterwards which ones
    /// a names reissue wrote.
    func perNodeRequests() throws -> [String: Data] {
        var requests: [String: Data] = [:]
        for spec in tree.allCertificates where spec.scope == .perNode && !spec.isCertificateAuthority {
            requests[paths.request(spec)] = try files.readFile(paths.request(spec))?.data
        }
        return requests
    }

    /// The files a names reissue wrote: the reissued certificates, and the requests for the CA host that were new or
    /// changed (one kept from an earlier run is not reported again).
    mutating func record(_ reissue: CertificateNamesReissue, requestsBefore: [String: Data]) throws {
        for row in reissue.rows where row.outcome == .renewed {
            reports.append(FileReport(path: row.file, action: .updated, detail: "reissued with the config's names"))
        }
        for row in reissue.rows where row.outcome == .needsCAHost {
            guard let request = row.request, let written = try files.readFile(request)?.data,
                written != requestsBefore[request]
            else { continue }
            let action: FileReport.Action = requestsBefore[request] == nil ? .created : .updated
            reports.append(FileReport(path: request, action: action, detail: "request for the CA host"))
        }
    }

    /// Writes everything this run made, then removes the requests it answered.
    mutating func commit() throws {
        guard !dryRun else { return }
        try files.writeAtomically(batch)
        for request in answeredRequests { try files.removeFile(request) }
        batch = []
        answeredRequests = []
    }

    // MARK: - Helpers

    private func authority(of spec: CertificateSpec) throws -> (certificate: Data, key: Data?) {
        guard let name = spec.issuer, let authority = authorities[name] else {
            throw UsageError("internal error: the CA of \(spec.name) was not resolved before it")
        }
        return authority
    }

    private func issuedDetail(_ spec: CertificateSpec) -> String {
        let names = spec.subjectAltNames.isEmpty ? "" : ", \(spec.subjectAltNames.count) names"
        return "\(spec.subject) signed by \(spec.issuer ?? "itself") for \(spec.validityDays) days\(names)"
    }

    private mutating func takeKey() throws -> Data {
        try keyPool.popLast() ?? pki.generateKey(context.config.pki.keyType)
    }

    private mutating func newKey(_ path: String) throws -> Data {
        let key = try takeKey()
        try write(path, key, mode: 0o600, "new \(context.config.pki.keyType.rawValue) key")
        return key
    }

    private mutating func write(_ path: String, _ data: Data, mode: UInt16, _ detail: String) throws {
        let existed = try files.readFile(path) != nil
        if !dryRun { batch.append(FileWrite(path: path, data: data, mode: mode)) }
        reports.append(FileReport(path: path, action: existed ? .updated : .created, detail: detail))
    }
}

/// Independent keys generated concurrently: RSA-2048 takes tens of milliseconds each, and a tree has up to 11.
enum ConcurrentKeyGenerator {
    static func generate(_ count: Int, of type: KeyType, with pki: PKIToolkit) throws -> [Data] {
        guard count > 1 else { return try (0..<count).map { _ in try pki.generateKey(type) } }
        let results = Mutex<[Result<Data, any Error>?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = Result { try pki.generateKey(type) }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { all in try all.map { try $0!.get() } }
    }
}
