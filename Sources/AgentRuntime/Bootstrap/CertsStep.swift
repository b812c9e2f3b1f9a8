import AgentCore
import FoundationEssentials

/// The API server's TLS material in `pki.dir`: apiserver.key (generated once, never overwritten),
/// apiserver.crt (signed here when a CA key is at hand, else a CSR for the CA host) and ca.crt.
package struct CertsStep: BootstrapStepRunner {

    package init() {
    }
    /// The certificate cannot be made on this master: the CSR waits for the CA host.
    package struct CertificatePending: ExitStatusProviding, CustomStringConvertible {
        package let csrPath: String
        package let pkiDir: String
        package var exitStatus: ExitStatus { .certificatePending }
        package var description: String {
            """
            could not issue apiserver.crt: no CA key on this master (pki.caKey or --ca-key). The key and the request are ready:
              1. copy \(csrPath) to the CA host and run there:
                   master-agent certs sign --csr apiserver.csr --ca-cert ca.crt --ca-key ca.key --out apiserver.crt
              2. bring apiserver.crt and ca.crt back and run:
                   master-agent certs import --cert apiserver.crt --ca-cert ca.crt
                 (or copy them into \(pkiDir)/), then run master-agent bootstrap again.
            """
        }
    }

    /// The TLS material on disk is unusable; `findings` say why and how to fix it.
    package struct CertificateProblems: Error, CustomStringConvertible {
        package let findings: [CertificateFinding]
        package var description: String {
            "could not accept the API server's TLS material:\n"
                + findings.map { "  \($0.severity.rawValue): \($0.message)" }.joined(separator: "\n")
        }
    }

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        // The modern profile has a whole tree of its own; what follows is the legacy profile's, unchanged.
        if context.config.kubernetes.profile == .modern { return try ModernCertsStep().run(context) }
        let paths = PKIPaths(context.config)
        guard let pki = context.pki, let wallClock = context.wallClock else {
            throw UsageError("no PKI toolkit or wall clock is wired into this run")
        }
        var files: [FileReport] = []

        // 1. The key: shared by every master (it also signs service-account tokens), so an existing one is never replaced.
        let keyPEM: Data
        if let existing = try context.files.readFile(paths.key) {
            keyPEM = existing.data
            _ = try pki.publicKey(ofKey: keyPEM)
            files.append(FileReport(path: paths.key, action: .unchanged))
        } else {
            guard !context.dryRun else {
                files.append(
                    FileReport(
                        path: paths.key, action: .created, detail: "new \(context.config.pki.keyType.rawValue) key"))
                return .fromFiles(.certs, files, message: "dry run: would create the key and then the certificate")
            }
            _ = try context.files.ensureDirectory(paths.dir, mode: 0o755)
            keyPEM = try pki.generateKey(context.config.pki.keyType)
            try context.files.writeAtomically(paths.key, data: keyPEM, mode: 0o600)
            files.append(
                FileReport(path: paths.key, action: .created, detail: "new \(context.config.pki.keyType.rawValue) key"))
        }

        // 2. The certificate: checked when present, issued when a CA is at hand, else requested from the CA host.
        if try context.files.readFile(paths.certificate) == nil {
            files += try issueOrRequest(context, pki: pki, paths: paths, keyPEM: keyPEM, now: wallClock.wallNow())
        } else {
            files.append(FileReport(path: paths.certificate, action: .unchanged))
        }

        // 3. Checks; warnings (expiring soon) are shown, errors stop the bootstrap.
        let report = try CertificateChecker(
            files: context.files, pki: pki, config: context.config, now: wallClock.wallNow()
        ).check()
        let errors = report.findings.filter { $0.severity == .error }
        guard errors.isEmpty else { throw CertificateProblems(findings: errors) }
        for warning in report.findings where warning.severity == .warning {
            context.logger.warning("certificate check", metadata: ["finding": "\(warning.message)"])
        }
        let expiry = report.daysLeft.map { ", expires in \($0) days" } ?? ""
        return .fromFiles(
            .certs, files, message: "key and certificate in \(paths.dir) valid for every derived name\(expiry)")
    }

    private func issueOrRequest(_ context: BootstrapContext, pki: PKIToolkit, paths: PKIPaths, keyPEM: Data, now: Date)
        throws -> [FileReport]
    {
        let sans = APIServerSANs.required(context.config)
        let ca = try availableCA(context)
        if let ca {
            if context.dryRun {
                return [FileReport(path: paths.certificate, action: .created, detail: "would be signed by the CA")]
            }
            let csr = try pki.makeCSR(keyPEM: keyPEM, commonName: "kube-apiserver", sans: sans)
            let chain = try pki.sign(
                csrPEM: csr, caCertPEM: ca.certificate, caKeyPEM: ca.key,
                validityDays: context.config.pki.validityDays, notBefore: now)
            var reports: [FileReport] = []
            let existingCA = try context.files.readFile(paths.ca)
            if existingCA?.data != ca.certificate {
                try context.files.writeAtomically(paths.ca, data: ca.certificate, mode: 0o644)
                reports.append(FileReport(path: paths.ca, action: existingCA == nil ? .created : .updated))
            }
            try context.files.writeAtomically(paths.certificate, data: chain, mode: 0o644)
            try context.files.removeFile(paths.csr)
            reports.append(
                FileReport(
                    path: paths.certificate, action: .created,
                    detail: "signed for \(context.config.pki.validityDays) days, \(sans.count) names"))
            return reports
        }
        // No CA: keep a CSR that matches the key and the names, so the operator can take it to the CA host.
        // An existing CSR is kept when it still matches the key and the names, so reruns do not churn it.
        let existing = try context.files.readFile(paths.csr)
        let current = existing.flatMap { try? pki.inspectRequest($0.data) }
        let keyDER = try pki.publicKey(ofKey: keyPEM)
        if current == nil || current!.publicKeyDER != keyDER || current!.subjectAltNames.sorted() != sans {
            if !context.dryRun {
                try context.files.writeAtomically(
                    paths.csr, data: try pki.makeCSR(keyPEM: keyPEM, commonName: "kube-apiserver", sans: sans),
                    mode: 0o644)
            }
        }
        throw CertificatePending(csrPath: paths.csr, pkiDir: paths.dir)
    }

    /// The CA from the command line, else from pki.caCert/pki.caKey; nil when neither is configured.
    private func availableCA(_ context: BootstrapContext) throws -> (certificate: Data, key: Data)? {
        if let ca = context.commandLineCA { return ca }
        guard let certPath = context.config.pki.caCert, let keyPath = context.config.pki.caKey else { return nil }
        guard let cert = try context.files.readFile(certPath), let key = try context.files.readFile(keyPath) else {
            throw UsageError(
                "could not read the CA named by pki.caCert (\(certPath)) and pki.caKey (\(keyPath)): a file is missing. Fix the paths, or remove both fields to use the CSR flow."
            )
        }
        return (cert.data, key.data)
    }
}

/// The file names of the API server's TLS material in `pki.dir`.
package struct PKIPaths {
    package let dir: String
    package let key: String
    package let certificate: String
    package let csr: String
    package let ca: String

    package init(_ config: ClusterConfig) {
        dir = config.pki.dir
        key = "\(dir)/apiserver.key"
        certificate = "\(dir)/apiserver.crt"
        csr = "\(dir)/apiserver.csr"
        ca = "\(dir)/ca.crt"
    }
}
