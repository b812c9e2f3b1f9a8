import AgentCore
import FoundationEssentials

/// Checks the whole modern PKI tree on disk: every certificate (file or embedded in a kubeconfig) against its spec
/// (subject, CA or usages, SANs), its key, its CA and the time; sa.key/sa.pub; the encryption config; file modes.
/// Used by the modern certs step (before and after it writes) and by `certs check`.
package struct ModernCertificateChecker {
    package let files: FileStore
    package let pki: PKIToolkit
    package let tree: PKITree
    package let paths: ModernPKIPaths
    package let now: Date
    package let warningDays: Int
    /// The master the shared files come from, named in the fixes.
    package let firstMaster: String
    /// Owner checks apply only when the files are written as root.
    package var checkOwner: Bool

    package init(
        files: FileStore, pki: PKIToolkit, config: ClusterConfig, node: ClusterConfig.Master, now: Date,
        checkOwner: Bool? = nil
    ) {
        self.files = files
        self.pki = pki
        self.tree = PKITree.modern(ModernPKIInputs(config, node: node))
        self.paths = ModernPKIPaths(config)
        self.now = now
        self.warningDays = config.pki.expiryWarningDays
        self.firstMaster = config.masters.first?.name ?? node.name
        self.checkOwner = checkOwner ?? files.writesAsRoot
    }

    typealias Row = CertificateChecker.Row

    /// Every file of the tree, its row and findings.
    package func check() throws -> CertificateChecker.Report {
        var report = CertificateChecker.Report()
        for spec in tree.certificates { try checkFileCertificate(spec, into: &report) }
        for pair in tree.keyPairs { try checkKeyPair(pair, into: &report) }
        for kubeconfig in tree.kubeconfigs { try checkKubeconfig(kubeconfig, into: &report) }
        for secret in tree.encryptionKeys { try checkEncryptionConfig(secret, into: &report) }
        return report
    }

    // MARK: - Items

    private func checkFileCertificate(_ spec: CertificateSpec, into report: inout CertificateChecker.Report) throws {
        let certificatePath = paths.certificate(spec), keyPath = paths.key(spec)
        var keyDER: Data?
        if let key = try files.readFile(keyPath) {
            report.findings += modeFindings(keyPath, key, isKey: true)
            do { keyDER = try pki.publicKey(ofKey: key.data) } catch {
                report.findings.append(
                    self.error(.unreadable, keyPath, "\(keyPath) is not a usable private key (\(error)); \(fix(spec))"))
            }
            report.rows.append(row(keyPath, "-", report))
        } else if !spec.isCertificateAuthority {
            // A CA's key may live elsewhere (an offline CA); a leaf's never does.
            report.findings.append(error(.missingFile, keyPath, "\(keyPath) is missing; \(fix(spec))"))
            report.rows.append(row(keyPath, "-", report))
        }
        guard let certificate = try files.readFile(certificatePath) else {
            report.findings.append(error(.missingFile, certificatePath, "\(certificatePath) is missing; \(fix(spec))"))
            report.rows.append(row(certificatePath, "-", report))
            return
        }
        report.findings += modeFindings(certificatePath, certificate, isKey: false)
        let facts = evaluate(spec, pem: certificate.data, file: certificatePath, keyDER: keyDER, into: &report)
        report.rows.append(row(certificatePath, facts, spec: spec, report))
        if spec.name == "apiserver", let facts { report.daysLeft = CertificateEvaluation.daysLeft(facts, now) }
    }

    private func checkKeyPair(_ pair: KeyPairSpec, into report: inout CertificateChecker.Report) throws {
        let keyPath = paths.privateKey(pair), publicPath = paths.publicKey(pair)
        let fix = sharedFix([keyPath, publicPath])
        let key = try files.readFile(keyPath), publicKey = try files.readFile(publicPath)
        for (path, file) in [(keyPath, key), (publicPath, publicKey)] {
            if let file {
                report.findings += modeFindings(path, file, isKey: true)
            } else {
                report.findings.append(error(.missingFile, path, "\(path) is missing; \(fix)"))
            }
        }
        if let key, let publicKey {
            let derived = try? pki.publicKeyPEM(ofKey: key.data)
            if derived == nil {
                report.findings.append(error(.unreadable, keyPath, "\(keyPath) is not a usable private key; \(fix)"))
            } else if derived != publicKey.data {
                report.findings.append(
                    error(.keyMismatch, publicPath, "\(publicPath) is not the public half of \(keyPath); \(fix)"))
            }
        }
        report.rows.append(row(keyPath, "-", report))
        report.rows.append(row(publicPath, "-", report))
    }

    private func checkKubeconfig(_ spec: KubeconfigSpec, into report: inout CertificateChecker.Report) throws {
        let path = paths.kubeconfig(spec)
        let fix = fix(spec.client)
        guard let file = try files.readFile(path) else {
            report.findings.append(error(.missingFile, path, "\(path) is missing; \(fix)"))
            report.rows.append(row(path, "-", report))
            return
        }
        report.findings += modeFindings(path, file, isKey: true)
        var facts: CertificateFacts?
        do {
            let config = try Kubeconfig.decode(String(decoding: file.data, as: UTF8.self), file: path)
            let context = try config.currentContextEntry(file: path)
            let user = try config.userEntry(context.user, file: path)
            if user.clientCertificateData == nil, user.clientKeyData != nil {
                report.findings.append(
                    error(
                        .certificatePending, path,
                        "\(path) waits for its client certificate: sign \(paths.request(spec.client)) on the CA host and run `master-agent certs import`"
                    ))
                report.rows.append(row(path, spec.client.subject.description, report))
                return
            }
            let credentials = try config.currentCredentials(file: path)
            if credentials.server != spec.server {
                report.findings.append(
                    error(.serverMismatch, path, "\(path) points at \(credentials.server), not \(spec.server); \(fix)"))
            }
            if let ca = try files.readFile(paths.certificate(clusterCA)),
                (try? pki.inspect(certificatesPEM: credentials.caPEM, source: path).first)
                    != (try? pki.inspect(certificatesPEM: ca.data, source: paths.certificate(clusterCA)).first)
            {
                report.findings.append(
                    error(
                        .chainInvalid, path,
                        "\(path) embeds a certificate-authority-data that is not \(paths.certificate(clusterCA)); \(fix)"
                    ))
            }
            let keyDER = try? pki.publicKey(ofKey: credentials.clientKeyPEM)
            if keyDER == nil {
                report.findings.append(error(.unreadable, path, "\(path) has an unusable client-key-data; \(fix)"))
            }
            facts = evaluate(
                spec.client, pem: credentials.clientCertificatePEM, file: path, keyDER: keyDER, into: &report)
        } catch {
            report.findings.append(self.error(.unreadable, path, "\(error); \(fix)"))
        }
        report.rows.append(row(path, facts, spec: spec.client, report))
    }

    private func checkEncryptionConfig(_ secret: EncryptionKeySpec, into report: inout CertificateChecker.Report) throws
    {
        let path = paths.encryptionConfig
        let fix = sharedFix([path])
        guard let file = try files.readFile(path) else {
            report.findings.append(error(.missingFile, path, "\(path) is missing; \(fix)"))
            report.rows.append(row(path, "-", report))
            return
        }
        report.findings += modeFindings(path, file, isKey: true)
        do {
            let config = try EncryptionConfiguration.decode(String(decoding: file.data, as: UTF8.self), file: path)
            if let problem = config.problem(for: secret) {
                report.findings.append(error(.unreadable, path, "\(path) \(problem); \(fix)"))
            }
        } catch {
            report.findings.append(self.error(.unreadable, path, "\(error); \(fix)"))
        }
        report.rows.append(row(path, "\(secret.provider) \(secret.name)", report))
    }

    // MARK: - One certificate against its spec

    /// Findings for the first certificate of `pem` as `spec`; returns its facts when it could be read.
    private func evaluate(
        _ spec: CertificateSpec, pem: Data, file: String, keyDER: Data?, into report: inout CertificateChecker.Report
    ) -> CertificateFacts? {
        let fix = fix(spec)
        guard let facts = try? pki.inspect(certificatesPEM: pem, source: file).first else {
            report.findings.append(error(.unreadable, file, "\(file) holds no readable certificate; \(fix)"))
            return nil
        }
        if spec.isCertificateAuthority {
            // A CA may be the operator's (pki.caCert), with its own name and extensions: it only has to be a CA.
            if !facts.isCA {
                report.findings.append(error(.usageMismatch, file, "\(file) is not a CA certificate; \(fix)"))
            }
        } else {
            report.findings += leafFindings(spec, facts, file: file, fix: fix)
        }
        if let keyDER, keyDER != facts.publicKeyDER {
            report.findings.append(
                error(
                    .keyMismatch, file, "\(file) does not belong to \(paths.key(spec)) (different public key); \(fix)"))
        }
        if let issuer = tree.issuer(of: spec), let trusted = try? files.readFile(paths.certificate(issuer)) {
            do {
                // Judged now, kept inside the leaf's own window: its expiry is reported below in plainer words.
                let time = min(max(now, facts.notBefore.addingTimeInterval(1)), facts.notAfter.addingTimeInterval(-1))
                try pki.verify(chainPEM: pem, trustedPEM: trusted.data, at: time, usage: spec.usage)
            } catch {
                report.findings.append(
                    self.error(
                        .chainInvalid, file,
                        "\(file) is not signed by \(paths.certificate(issuer)); \(fix)"))
            }
        }
        if now < facts.notBefore {
            report.findings.append(
                error(
                    .notYetValid, file,
                    "\(file) is not valid before \(facts.notBefore.formatted(.iso8601)); check this machine's clock"))
        } else if now > facts.notAfter {
            report.findings.append(
                error(.expired, file, "\(file) expired on \(facts.notAfter.formatted(.iso8601)); \(fix)"))
        } else if facts.notAfter.timeIntervalSince(now) < Double(warningDays) * 86_400 {
            report.findings.append(
                CertificateFinding(
                    severity: .warning, code: .expiresSoon, file: file,
                    message: "\(file) expires in \(CertificateEvaluation.daysLeft(facts, now)) days; \(fix)"))
        }
        return facts
    }

    /// A leaf against its spec: subject, usages, SANs.
    private func leafFindings(_ spec: CertificateSpec, _ facts: CertificateFacts, file: String, fix: String)
        -> [CertificateFinding]
    {
        var findings: [CertificateFinding] = []
        if facts.subject != spec.subject.description {
            findings.append(
                error(.subjectMismatch, file, "\(file) is for \(facts.subject), not \(spec.subject); \(fix)"))
        }
        if facts.isCA || Set(facts.keyUsages) != Set(spec.usage.keyUsages)
            || Set(facts.extendedKeyUsages) != Set(spec.usage.extendedKeyUsages)
        {
            findings.append(
                error(
                    .usageMismatch, file,
                    "\(file) is not a \(spec.usage.rawValue) certificate as \(spec.name) must be; \(fix)"))
        }
        let drift = SANDrift(expected: spec.subjectAltNames, actual: facts.subjectAltNames)
        // A per-node leaf is reissued for the same key with the config's names (renewal, or the certs step).
        let reissue =
            spec.scope == .perNode && !spec.isCertificateAuthority
            ? "run `master-agent bootstrap` or `master-agent certs renew --due`, which reissue it with the config's names for the same key"
            : fix
        if !drift.added.isEmpty {
            let names = drift.added.map(\.description).joined(separator: ", ")
            findings.append(error(.missingSAN, file, "\(file) lacks subjectAltNames \(names); \(reissue)"))
        }
        if !drift.removed.isEmpty {
            // The certificate still works for every name the config gives: drift to fix, not a breakage.
            let names = drift.removed.map(\.description).joined(separator: ", ")
            findings.append(
                CertificateFinding(
                    severity: .warning, code: .extraSAN, file: file,
                    message: "\(file) carries subjectAltNames the config no longer gives: \(names); \(reissue)"))
        }
        return findings
    }

    // MARK: - Wording

    private var clusterCA: CertificateSpec { tree.certificate(named: PKITree.clusterCA)! }

    /// What the operator does about a bad or missing item: shared items come from the first master, per-node items
    /// are made again by the certs step once removed.
    private func fix(_ spec: CertificateSpec) -> String {
        if spec.scope == .shared { return sharedFix([paths.certificate(spec), paths.key(spec)]) }
        let made = spec.baseName == nil ? paths.certificate(spec) : "\(paths.certificate(spec)) and \(paths.key(spec))"
        return "remove \(made) and run `master-agent bootstrap --steps certs` to make new ones"
    }

    private func sharedFix(_ files: [String]) -> String {
        "it is shared by every master: copy \(files.joined(separator: ", ")) from \(firstMaster) (never make it anew on one master)"
    }

    private func error(_ code: CertificateFinding.Code, _ file: String, _ message: String) -> CertificateFinding {
        CertificateFinding(severity: .error, code: code, file: file, message: message)
    }

    private func modeFindings(_ path: String, _ file: ExistingFile, isKey: Bool) -> [CertificateFinding] {
        CertificateEvaluation.permissions(
            file: path, mode: file.mode, ownerUID: file.ownerUID, isKey: isKey, checkOwner: checkOwner)
    }

    private func status(_ file: String, _ report: CertificateChecker.Report) -> String {
        let mine = report.findings.filter { $0.file == file }
        if mine.contains(where: { $0.code == .certificatePending }) { return "pending" }
        return mine.contains { $0.severity == .error } ? "error" : (mine.isEmpty ? "ok" : "warning")
    }

    private func row(_ file: String, _ subject: String, _ report: CertificateChecker.Report) -> Row {
        Row(file: file, subject: subject, sansOK: nil, expiresInDays: nil, status: status(file, report))
    }

    private func row(
        _ file: String, _ facts: CertificateFacts?, spec: CertificateSpec, _ report: CertificateChecker.Report
    )
        -> Row
    {
        // A CA may be the operator's, with names of its own: only leaves are held to their spec's names.
        let drift =
            spec.isCertificateAuthority
            ? nil : facts.map { SANDrift(expected: spec.subjectAltNames, actual: $0.subjectAltNames) }
        // Leaves without names (client certificates) have no SANS column unless they carry names anyway.
        let sansOK = drift.flatMap { spec.subjectAltNames.isEmpty && $0.isEmpty ? nil : $0.isEmpty }
        return Row(
            file: file, subject: facts?.subject ?? "unreadable",
            sansOK: sansOK, sansDrift: drift, expiresInDays: facts.map { CertificateEvaluation.daysLeft($0, now) },
            notAfter: facts?.notAfter, status: status(file, report))
    }
}
