import AgentCore
import FoundationEssentials

/// `certs renew --due` under the modern profile, on the files alone: every per-node leaf of this master's tree
/// (the certificates in `pki.dir` and the kubeconfigs' client certificates) that `selection` picks (by default: less
/// than `pki.renewBefore` left, or names that differ from the config's) is reissued for the same key (a new one with
/// `newKey`) by the CA in `pki.dir`; CAs are only reported. Without its CA key (an offline CA) a leaf gets a request
/// for its existing key instead (`apiserver.csr`, `admin.conf.csr`, as the certs step names them) to sign on the CA
/// host; `fit(_:certificate:)` then installs what the CA host signed. All new files are written in one atomic
/// batch; `previous` keeps what they replaced so a caller can put it back.
package struct ModernCertificateRenewer {
    /// Which leaves a run reissues.
    package enum Selection: Sendable {
        /// Less than `pki.renewBefore` left, or names (SANs) that differ from the config's (`certs renew --due`).
        case dueOrNamesChanged
        /// Names that differ from the config's, due or not (`bootstrap` after a load balancer, master or
        /// `pki.extraSANs` address was added or removed: `apiserver.crt`).
        case namesChanged
        /// Already expired (the API server is down: nobody to coordinate with).
        case expired
    }

    let files: FileStore
    let pki: PKIToolkit
    let config: ClusterConfig
    let node: ClusterConfig.Master
    let now: Date
    let newKey: Bool
    let selection: Selection
    /// The cluster CA given on the command line (`--ca-cert`/`--ca-key`, never stored): it signs this master's leaves
    /// when its certificate is the `ca.crt` in `pki.dir` and that directory has no `ca.key`.
    package var commandLineCA: (certificate: Data, key: Data)?

    package init(
        files: FileStore, pki: PKIToolkit, config: ClusterConfig, node: ClusterConfig.Master, now: Date,
        newKey: Bool = false, selection: Selection = .dueOrNamesChanged
    ) {
        self.files = files
        self.pki = pki
        self.config = config
        self.node = node
        self.now = now
        self.newKey = newKey
        self.selection = selection
    }

    package struct Result: Sendable {
        package var rows: [RenewalRow] = []
        /// The files as they were before this run rewrote them (for a rollback).
        package var previous: [FileWrite] = []

        package init(rows: [RenewalRow] = [], previous: [FileWrite] = []) {
            self.rows = rows
            self.previous = previous
        }
        /// The tree entries renewed (`apiserver`, `scheduler.conf`).
        package var renewed: [String] { rows.filter { $0.outcome == .renewed }.map(\.name) }
    }

    /// The tree entries `renewDue` would reissue here (signed by a CA key at hand), reading only: a caller decides
    /// from it whether there is anything to coordinate. A request for the CA host restarts nothing and needs no Lease.
    package func planned() throws -> [String] {
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let paths = ModernPKIPaths(config)
        return try tree.allCertificates.filter { spec in
            guard spec.scope == .perNode && !spec.isCertificateAuthority,
                reasons(for: try find(spec, paths: paths)) != nil
            else { return false }
            return try signer(of: spec, in: tree, paths: paths) != nil
        }.map(\.name)
    }

    /// Why `found` is reissued under `selection`, or nil when it is kept.
    private func reasons(for found: Found) -> (due: Bool, namesChanged: Bool)? {
        let namesChanged = !SANDrift(expected: found.spec.subjectAltNames, actual: found.subjectAltNames).isEmpty
        let due: Bool
        switch selection {
        case .dueOrNamesChanged:
            due = RenewalPolicy.isDue(notAfter: found.notAfter, now: now, renewBefore: config.pki.renewBefore.seconds)
        case .namesChanged: due = false
        case .expired: due = found.notAfter <= now
        }
        let counted = selection == .expired ? false : namesChanged
        return due || counted ? (due, counted) : nil
    }

    /// One leaf as found on disk.
    private struct Found {
        let spec: CertificateSpec
        let path: String
        let file: ExistingFile
        let certificatePEM: Data
        let keyPEM: Data
        let notAfter: Date
        let subjectAltNames: [SubjectAltName]
    }

    /// Renews what is due; throws, writing nothing, when a file of the tree is missing or unreadable.
    package func renewDue() throws -> Result {
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let paths = ModernPKIPaths(config)
        var result = Result()
        var batch: [FileWrite] = []
        for spec in tree.certificates where spec.isCertificateAuthority {
            let path = paths.certificate(spec)
            let notAfter = try facts(of: try required(path), file: path).notAfter
            result.rows.append(
                RenewalRow(
                    name: spec.name, file: path, daysLeft: RenewalPolicy.daysLeft(notAfter: notAfter, now: now),
                    outcome: .authority))
        }
        for spec in tree.allCertificates where spec.scope == .perNode && !spec.isCertificateAuthority {
            let found = try find(spec, paths: paths)
            let daysLeft = RenewalPolicy.daysLeft(notAfter: found.notAfter, now: now)
            guard let namesChanged = reasons(for: found)?.namesChanged else {
                result.rows.append(RenewalRow(name: spec.name, file: found.path, daysLeft: daysLeft, outcome: .notDue))
                continue
            }
            guard let (caCertificate, caKey) = try signer(of: spec, in: tree, paths: paths) else {
                var row = RenewalRow(
                    name: spec.name, file: found.path, daysLeft: daysLeft, outcome: .needsCAHost,
                    namesChanged: namesChanged ? true : nil)
                // A new key would need its certificate at once: beside the old certificate it would break the leaf.
                if !newKey {
                    row.request = paths.request(spec)
                    if let request = try request(for: found, at: paths.request(spec)) { batch.append(request) }
                }
                result.rows.append(row)
                continue
            }
            let key = newKey ? try pki.generateKey(config.pki.keyType) : found.keyPEM
            let certificate = try pki.issue(spec, keyPEM: key, caCertPEM: caCertificate, caKeyPEM: caKey, issuedAt: now)
            try pki.verify(chainPEM: certificate, trustedPEM: caCertificate, at: now, usage: spec.usage)
            batch += try writes(for: found, certificate: certificate, key: key, replacingKey: newKey, paths: paths)
            result.previous.append(FileWrite(path: found.path, data: found.file.data, mode: found.file.mode))
            if newKey, spec.keyFile != nil, let oldKey = try files.readFile(paths.key(spec)) {
                result.previous.append(FileWrite(path: paths.key(spec), data: oldKey.data, mode: oldKey.mode))
            }
            let newNotAfter = try facts(of: certificate, file: found.path).notAfter
            result.rows.append(
                RenewalRow(
                    name: spec.name, file: found.path, daysLeft: daysLeft, outcome: .renewed,
                    newDaysLeft: RenewalPolicy.daysLeft(notAfter: newNotAfter, now: now),
                    namesChanged: namesChanged ? true : nil))
        }
        // Keys before the certificates that carry them: a crash between leaves an old certificate beside a new key
        // only with --new-key, which the certs check then names.
        try files.writeAtomically(batch)
        // A request an earlier run left for the CA host is answered now.
        for spec in tree.allCertificates where result.renewed.contains(spec.name) {
            _ = try files.removeFile(paths.request(spec))
        }
        return result
    }

    /// The CA certificate and key that sign `spec` on this master: from `pki.dir`, or the command line's cluster CA;
    /// nil when the key is not here (the CA host signs).
    private func signer(of spec: CertificateSpec, in tree: PKITree, paths: ModernPKIPaths) throws -> (
        certificate: Data, key: Data
    )? {
        guard let issuer = tree.issuer(of: spec), let certificate = try files.readFile(paths.certificate(issuer))?.data
        else { return nil }
        if let key = try files.readFile(paths.key(issuer))?.data { return (certificate, key) }
        if issuer.name == PKITree.clusterCA, let commandLineCA, commandLineCA.certificate == certificate {
            return (certificate, commandLineCA.key)
        }
        return nil
    }

    /// The certificate (and its key) of `spec`: its `.crt`/`.key` pair, or the kubeconfig that embeds both.
    private func find(_ spec: CertificateSpec, paths: ModernPKIPaths) throws -> Found {
        let path = paths.certificate(spec)
        let file = try requiredFile(path)
        if spec.keyFile != nil {
            let keyPath = paths.key(spec)
            let key = try requiredFile(keyPath).data
            let facts = try facts(of: file.data, file: path)
            return Found(
                spec: spec, path: path, file: file, certificatePEM: file.data, keyPEM: key, notAfter: facts.notAfter,
                subjectAltNames: facts.subjectAltNames)
        }
        let credentials = try Kubeconfig.decode(String(decoding: file.data, as: UTF8.self), file: path)
            .currentCredentials(file: path)
        let facts = try facts(of: credentials.clientCertificatePEM, file: path)
        return Found(
            spec: spec, path: path, file: file, certificatePEM: credentials.clientCertificatePEM,
            keyPEM: credentials.clientKeyPEM, notAfter: facts.notAfter, subjectAltNames: facts.subjectAltNames)
    }

    /// The request for `found`'s existing key with the config's names, for the CA host (mode 0644, as the certs step
    /// writes requests); nil when the one at `path` already asks for exactly that, so a rerun does not churn it.
    private func request(for found: Found, at path: String) throws -> FileWrite? {
        if let existing = try files.readFile(path),
            try pki.requestIsCurrent(existing.data, for: found.spec, keyPEM: found.keyPEM)
        {
            return nil
        }
        return FileWrite(path: path, data: try pki.makeCSR(for: found.spec, keyPEM: found.keyPEM), mode: 0o644)
    }

    /// What installs a certificate the CA host signed for a leaf that already has one.
    package struct Replacement: Sendable {
        /// The certificate file, or the kubeconfig with only its user's certificate replaced.
        package let writes: [FileWrite]
        /// The file as it was (for a rollback).
        package let previous: FileWrite
        /// The leaf's row, `renewed`.
        package let row: RenewalRow
    }

    /// What a certificate signed on the CA host does to the leaf it is for.
    package enum SignedCertificateFit: Sendable {
        /// The leaf has no certificate yet (a partial kubeconfig or a key alone): the certs step's import completes it.
        case firstIssue
        /// The leaf already carries this very certificate (the same DER): nothing to write.
        case alreadyInstalled(file: String)
        /// It replaces the leaf's certificate.
        case replaces(Replacement)
    }

    /// How `certificate`, signed on the CA host for the existing key of the leaf `spec` (`certs import --dir`
    /// answering a request `renewDue` wrote), is installed: a `.crt` replaced, or a kubeconfig keeping every field but
    /// its user's client certificate. A leaf without a certificate yet is a first issue; one that already carries
    /// `certificate` has nothing to write, so a rerun of the same import changes nothing. Throws
    /// `SignedCertificateRejected` when `certificate` is not for that key, expires no later than the installed one
    /// (an old certificate left in the directory) or does not chain to the leaf's CA in `pki.dir`; writes nothing.
    package func fit(_ spec: CertificateSpec, certificate: Data) throws -> SignedCertificateFit {
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let paths = ModernPKIPaths(config)
        guard try hasCertificate(spec, paths: paths) else { return .firstIssue }
        let found = try find(spec, paths: paths)
        if let signed = Self.firstCertificateDER(certificate), signed == Self.firstCertificateDER(found.certificatePEM)
        {
            return .alreadyInstalled(file: found.path)
        }
        let facts = try facts(of: certificate, file: "\(spec.name).crt")
        guard facts.publicKeyDER == (try pki.publicKey(ofKey: found.keyPEM)) else {
            throw SignedCertificateRejected(
                file: found.path,
                problem:
                    "it is not for the key of \(paths.key(spec)); sign the request this master wrote (\(paths.request(spec)))"
            )
        }
        guard facts.notAfter > found.notAfter else {
            throw SignedCertificateRejected(
                file: found.path,
                problem:
                    "it expires on \(facts.notAfter.formatted(.iso8601)), not later than the installed certificate (\(found.notAfter.formatted(.iso8601))): it is an older one; to replace the installed certificate, sign the current request (\(paths.request(spec)), from `certs renew --due`) on the CA host"
            )
        }
        guard let issuerSpec = tree.issuer(of: spec),
            let caCertificate = try files.readFile(paths.certificate(issuerSpec))
        else { throw RenewalFileProblem(file: found.path, problem: "has no CA certificate in \(paths.dir)") }
        do {
            try pki.verify(chainPEM: certificate, trustedPEM: caCertificate.data, at: now, usage: spec.usage)
        } catch {
            throw SignedCertificateRejected(
                file: found.path, problem: "it does not verify against \(paths.certificate(issuerSpec)): \(error)")
        }
        let namesChanged = Set(found.subjectAltNames) != Set(spec.subjectAltNames)
        return .replaces(
            Replacement(
                writes: try writes(
                    for: found, certificate: certificate, key: found.keyPEM, replacingKey: false, paths: paths),
                previous: FileWrite(path: found.path, data: found.file.data, mode: found.file.mode),
                row: RenewalRow(
                    name: spec.name, file: found.path,
                    daysLeft: RenewalPolicy.daysLeft(notAfter: found.notAfter, now: now),
                    outcome: .renewed, newDaysLeft: RenewalPolicy.daysLeft(notAfter: facts.notAfter, now: now),
                    namesChanged: namesChanged ? true : nil)))
    }

    /// The DER of the first `CERTIFICATE` block of `pem`, so that certificates compare by content whatever their
    /// line breaks or surrounding text; nil when there is none.
    private static func firstCertificateDER(_ pem: Data) -> Data? {
        let text = String(decoding: pem, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex)
        else { return nil }
        return Data(base64Encoded: String(text[begin.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters)
    }

    /// Whether the leaf `spec` has a certificate: its `.crt`, or a kubeconfig whose user carries one.
    private func hasCertificate(_ spec: CertificateSpec, paths: ModernPKIPaths) throws -> Bool {
        let path = paths.certificate(spec)
        guard let file = try files.readFile(path) else { return false }
        if spec.keyFile != nil { return true }
        let kubeconfig = try Kubeconfig.decode(String(decoding: file.data, as: UTF8.self), file: path)
        return try kubeconfig.userEntry(kubeconfig.currentContextEntry(file: path).user, file: path)
            .clientCertificateData != nil
    }

    /// The new files of one renewed leaf: the certificate (and the new key when `replacingKey`), or the kubeconfig
    /// with only its user's certificate (and key) replaced, every other field kept as it was.
    private func writes(
        for found: Found, certificate: Data, key: Data, replacingKey: Bool, paths: ModernPKIPaths
    ) throws -> [FileWrite] {
        if found.spec.keyFile != nil {
            var writes: [FileWrite] = []
            if replacingKey { writes.append(FileWrite(path: paths.key(found.spec), data: key, mode: 0o600)) }
            writes.append(FileWrite(path: found.path, data: certificate, mode: 0o644))
            return writes
        }
        var kubeconfig = try Kubeconfig.decode(String(decoding: found.file.data, as: UTF8.self), file: found.path)
        let userName = try kubeconfig.currentContextEntry(file: found.path).user
        for index in kubeconfig.users.indices where kubeconfig.users[index].name == userName {
            kubeconfig.users[index].user.clientCertificateData = certificate.base64EncodedString()
            kubeconfig.users[index].user.clientKeyData = key.base64EncodedString()
        }
        return [FileWrite(path: found.path, data: Data(try kubeconfig.yaml().utf8), mode: 0o600)]
    }

    private func facts(of pem: Data, file: String) throws -> CertificateFacts {
        guard let leaf = try pki.inspect(certificatesPEM: pem, source: file).first else {
            throw RenewalFileProblem(file: file, problem: "holds no certificate")
        }
        return leaf
    }

    private func requiredFile(_ path: String) throws -> ExistingFile {
        guard let file = try files.readFile(path) else {
            throw RenewalFileProblem(
                file: path, problem: "is missing; run `master-agent bootstrap --steps certs` to make the tree first")
        }
        return file
    }

    private func required(_ path: String) throws -> Data { try requiredFile(path).data }
}

/// A file of the tree that renewal cannot use.
package struct RenewalFileProblem: Error, CustomStringConvertible {
    package let file: String
    package let problem: String
    package var description: String { "could not renew certificates: \(file) \(problem)" }
}

/// A certificate signed on the CA host that cannot replace a leaf.
package struct SignedCertificateRejected: Error, CustomStringConvertible {
    /// The leaf it was meant for (node path).
    package let file: String
    package let problem: String
    package var description: String { "the signed certificate for \(file) is not installed: \(problem)" }
}
