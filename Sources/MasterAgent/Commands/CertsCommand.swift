import AgentCore
import AgentPlatform
import AgentRuntime
import ArgumentParser
import Foundation
import Logging

/// `master-agent certs`: the API server's TLS material (check, sign on the CA host, import, renew).
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Check, sign, import or renew the API server's key and certificate.",
        subcommands: [Check.self, Sign.self, Import.self, Renew.self]
    )

    /// `certs check [--peers]`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check key, certificate and CA in pki.dir (and, with --peers, the other masters' keys); modern: the whole PKI tree and kubeconfigs."
        )

        @OptionGroup var options: NodeOptions

        @Flag(
            name: .long,
            help: "Also connect to every other master's secure port and compare the key it serves with ours.")
        var peers = false

        @Option(name: .long, help: "Seconds for each peer's TLS handshake.")
        var peerTimeout: Double = 5

        struct Result: Encodable {
            let rows: [CertificateChecker.Row]
            let findings: [CertificateFinding]
            let healthy: Bool
        }

        func run() throws {
            let logger = try options.makeLogger()
            let (config, node, _) = try options.loadConfigAndNode()
            let fs = RootedFileSystem(root: options.root)
            let toolkit = OpenSSLToolkit()
            let modern = config.kubernetes.profile == .modern
            if modern && peers {
                throw CommandFailure(
                    status: .usage,
                    message:
                        "--peers compares the API server key every master shares under the legacy profile; under modern each master has its own apiserver.key"
                )
            }
            var report =
                modern
                ? try ModernCertificateChecker(files: fs, pki: toolkit, config: config, node: node, now: Date()).check()
                : try CertificateChecker(files: fs, pki: toolkit, config: config, now: Date()).check()
            let paths = PKIPaths(config)
            if peers {
                if let key = try fs.readFile(paths.key), let ca = try fs.readFile(paths.ca),
                    let der = try? toolkit.publicKey(ofKey: key.data)
                {
                    let findings = PeerKeyCheck(probe: OpenSSLPeerKeyProbe(timeout: peerTimeout)).run(
                        config: config, node: node, localKeyDER: der, trustedPEM: ca.data)
                    report.findings += findings
                    for peer in config.masters where peer.name != node.name {
                        let failed = findings.contains { $0.file == peer.name }
                        report.rows.append(
                            .init(
                                file: "peer \(peer.name)", subject: "\(peer.address):\(config.apiServer.securePort)",
                                sansOK: nil,
                                expiresInDays: nil, status: failed ? "error" : "same key"))
                    }
                } else {
                    logger.error("peer check skipped: the local key or ca.crt is unusable")
                }
            }
            let printer = OutputPrinter(format: options.output)
            // padding(toLength:) counts UTF-16 units and cuts a longer string: free text is measured in those units.
            func column(_ text: String, _ width: Int) -> String {
                text.padding(toLength: max(width, text.utf16.count + 1), withPad: " ", startingAt: 0)
            }
            let fileWidth = modern ? 49 : 36
            printer.text(
                column("FILE", fileWidth) + column("SUBJECT", 28) + column("SANS", 9) + column("EXPIRES IN", 12)
                    + "STATUS")
            for row in report.rows {
                let sans = CertsCommand.sansColumn(row)
                let expires = row.expiresInDays.map { "\($0) days" } ?? "-"
                printer.text(
                    column(row.file, fileWidth) + column(String(row.subject.prefix(27)), 28)
                        + column(sans, 9) + column(expires, 12) + row.status)
            }
            for finding in report.findings { printer.text("\(finding.severity.rawValue): \(finding.message)") }
            CertificateMetrics(config: config, node: node, root: options.root, logger: logger).writeExpiries(report)
            printer.json(Result(rows: report.rows, findings: report.findings, healthy: !report.hasErrors))
            if report.hasErrors {
                throw CommandFailure(status: .failure, message: "certificate check failed (see above)")
            }
        }
    }

    /// The SANS column: names the config added are MISSING, names it removed EXTRA, both DIFFERS (the findings
    /// below the table name them). Under legacy extra names are not judged: sansOK alone decides.
    static func sansColumn(_ row: CertificateChecker.Row) -> String {
        guard let ok = row.sansOK else { return "-" }
        if ok { return "ok" }
        switch (row.sansMissing != nil, row.sansExtra != nil) {
        case (true, true): return "DIFFERS"
        case (false, true): return "EXTRA"
        default: return "MISSING"
        }
    }

    /// `certs sign`: what the document's root-ca-host ran with `openssl x509 -req`, keeping the CSR's names.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an apiserver.csr on the CA host; writes the certificate followed by the CA.")

        @Option(name: .long, help: "The certificate signing request (PEM).") var csr: String?
        @Option(name: .customLong("ca-cert"), help: "The CA certificate (PEM).") var caCert: String?
        @Option(name: .customLong("ca-key"), help: "The CA private key (PEM).") var caKey: String?
        @Option(name: .long, help: "Validity in days.") var days: Int = 365
        @Option(name: .long, help: "Where to write the certificate chain.") var out: String?
        @Option(
            name: .long,
            help:
                "Modern profile: a directory of one master's requests (<name>.csr); signs each as the config says and writes <name>.crt beside it."
        )
        var csrDir: String?
        @Option(
            name: .long,
            help:
                "Modern profile: the directory holding ca.crt/ca.key (and front-proxy-ca.crt/.key); default: pki.dir under --root. --ca-cert/--ca-key override the cluster CA."
        )
        var caDir: String?
        @OptionGroup var cluster: NodeOptions

        func run() throws {
            if let csrDir {
                _ = try cluster.makeLogger()
                return try ModernCertsCommands.sign(
                    csrDir: csrDir, caDir: caDir, caCert: caCert, caKey: caKey, options: cluster)
            }
            guard let csr, let caCert, let caKey, let out else {
                throw CommandFailure(
                    status: .usage,
                    message:
                        "certs sign needs --csr, --ca-cert, --ca-key and --out (legacy profile), or --csr-dir with --config and --node (modern profile)"
                )
            }
            guard (1...36500).contains(days) else {
                throw CommandFailure(status: .usage, message: "--days must be between 1 and 36500")
            }
            let toolkit = OpenSSLToolkit()
            do {
                let csrPEM = try readFile(csr), caCertPEM = try readFile(caCert), caKeyPEM = try readFile(caKey)
                let request = try toolkit.inspectRequest(csrPEM)
                let chain = try toolkit.sign(
                    csrPEM: csrPEM, caCertPEM: caCertPEM, caKeyPEM: caKeyPEM, validityDays: days, notBefore: Date())
                try RootedFileSystem(root: "/").writeAtomically(absolute(out), data: chain, mode: 0o644)
                print("signed \(csr) for \(days) days with \(request.subjectAltNames.count) names -> \(out)")
                print(
                    "copy \(out) and \(caCert) to the master and run: master-agent certs import --cert apiserver.crt --ca-cert ca.crt"
                )
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure(status: .failure, message: "\(error)")
            }
        }
    }

    /// `certs import`: install a certificate signed on the CA host after checking it.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a signed apiserver.crt (and ca.crt) into pki.dir after checking it.")

        @OptionGroup var options: NodeOptions
        @Option(name: .long, help: "The signed certificate (certificate, then the CA).") var cert: String?
        @Option(name: .customLong("ca-cert"), help: "The CA certificate; default: the one already in pki.dir.")
        var caCert: String?
        @Option(
            name: .long,
            help:
                "Modern profile: the directory `certs sign --csr-dir` wrote <name>.crt into; installs every certificate of a pending request after checking it."
        )
        var dir: String?
        @Flag(
            name: .long,
            help:
                "With --dir and --root DIR: the tree is in use by a running control plane (apiServer.localURL), so a certificate replacing one in place is installed as on /: under the Lease master-agent-certs, restarting the affected static pods and waiting for their health."
        )
        var coordinate = false

        func run() throws {
            let logger = try options.makeLogger()
            let (config, node, _) = try options.loadConfigAndNode()
            if config.kubernetes.profile == .modern {
                guard let dir else {
                    throw CommandFailure(status: .usage, message: "under the modern profile, certs import takes --dir")
                }
                let due = RenewDue(
                    options: options, config: config, node: node, newKey: false, commandLineCA: false,
                    coordinate: coordinate, logger: logger)
                return try ModernCertsCommands.importSigned(dir: dir, due: due)
            }
            if coordinate {
                throw CommandFailure(
                    status: .usage, message: "--coordinate is an option of certs import --dir (modern profile)")
            }
            guard let cert else {
                throw CommandFailure(status: .usage, message: "certs import needs --cert (legacy profile)")
            }
            let fs = RootedFileSystem(root: options.root)
            let paths = PKIPaths(config)
            let toolkit = OpenSSLToolkit()
            do {
                let chain = try readFile(cert)
                let caPEM =
                    try caCert.map(readFile)
                    ?? (try fs.readFile(paths.ca)?.data).orThrow("no --ca-cert given and \(paths.ca) does not exist")
                guard let key = try fs.readFile(paths.key) else {
                    throw CommandFailure(
                        status: .failure,
                        message:
                            "could not import \(cert): \(paths.key) is missing; the certificate must match this master's key."
                    )
                }
                // Check before installing: the imported files must pass the same checks bootstrap runs.
                let scratch = InMemoryCheckStore(files: [
                    paths.key: ExistingFile(data: key.data, mode: 0o600, ownerUID: 0),
                    paths.certificate: ExistingFile(data: chain, mode: 0o644, ownerUID: 0),
                    paths.ca: ExistingFile(data: caPEM, mode: 0o644, ownerUID: 0),
                ])
                let report = try CertificateChecker(
                    files: scratch, pki: toolkit, config: config, now: Date(), checkOwner: false
                ).check()
                guard !report.hasErrors else {
                    throw CommandFailure(
                        status: .failure,
                        message: "could not import \(cert):\n"
                            + report.findings.filter { $0.severity == .error }.map { "  \($0.message)" }.joined(
                                separator: "\n"))
                }
                try fs.writeAtomically(paths.ca, data: caPEM, mode: 0o644)
                try fs.writeAtomically(paths.certificate, data: chain, mode: 0o644)
                try fs.removeFile(paths.csr)
                print(
                    "imported \(cert) into \(paths.certificate) (expires in \(report.daysLeft ?? 0) days); run master-agent bootstrap to continue"
                )
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure(status: .failure, message: "\(error)")
            }
        }
    }

    /// `certs renew`: a new certificate for the same key (or, on request, a new key).
    struct Renew: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new certificate for the existing key (--new-key replaces the key too).")

        @OptionGroup var options: NodeOptions
        @OptionGroup var ca: CAOptions
        @Flag(
            name: .long,
            help:
                "Also replace apiserver.key. Invalidates every service-account token; copy the new key to all masters.")
        var newKey = false
        @Flag(
            name: .long,
            help:
                "Renew only what is due: every leaf of this master with less than pki.renewBefore left (CAs are reported, never renewed)."
        )
        var due = false
        @Flag(
            name: .long,
            help:
                "With --due and --root DIR: the tree is in use by a running control plane (apiServer.localURL), so coordinate as on /: take the Lease master-agent-certs, restart the affected static pods and wait for their health."
        )
        var coordinate = false

        func run() throws {
            let logger = try options.makeLogger()
            try ca.checkPair()
            if coordinate && !due {
                throw CommandFailure(status: .usage, message: "--coordinate is an option of certs renew --due")
            }
            let (config, node, _) = try options.loadConfigAndNode()
            if due {
                let metrics = CertificateMetrics(config: config, node: node, root: options.root, logger: logger)
                do {
                    try RenewDue(
                        options: options, config: config, node: node, newKey: newKey,
                        commandLineCA: ca.caCert != nil, coordinate: coordinate, logger: logger
                    ).run { try renewLegacyCertificate(config: config, node: node, logger: logger, quiet: true) }
                } catch {
                    metrics.writeRenewal(succeeded: false)
                    throw error
                }
                metrics.writeRenewal(succeeded: true)
                return
            }
            try renewLegacyCertificate(config: config, node: node, logger: logger)
        }

        /// Reissues apiserver.crt through the certs step (legacy, or this master's under modern).
        func renewLegacyCertificate(
            config: ClusterConfig, node: ClusterConfig.Master, logger: Logger, quiet: Bool = false
        ) throws {
            let context = Wiring.context(config: config, node: node, root: options.root, dryRun: false, logger: logger)
            context.commandLineCA = try ca.load()
            let paths = PKIPaths(config)
            let fs = RootedFileSystem(root: options.root)
            let lock = try NodeLock.acquire(root: options.root, timeout: 120, logger: logger)
            defer { lock.release() }
            let oldKey = try fs.readFile(paths.key)
            if newKey && config.kubernetes.profile == .modern {
                // Under modern apiserver.key is this master's own (tokens are signed with sa.key).
                logger.notice("replacing this master's apiserver.key")
            } else if newKey {
                logger.warning(
                    "replacing apiserver.key: every service-account token signed with the old key stops working; copy the new key and certificate to every master"
                )
            }
            if newKey { try fs.removeFile(paths.key) }
            // Moving the certificate aside makes the certs step issue a new one; restored if that fails.
            let old = try fs.readFile(paths.certificate)
            try fs.removeFile(paths.certificate)
            do {
                let outcome = try CertsStep().run(context)
                if !quiet {
                    OutputPrinter(format: options.output).files(outcome.files, indent: "")
                    print("renewed: \(outcome.message)")
                }
            } catch {
                // Put back what was there: a failed renew must not leave the master without its key or certificate.
                if newKey, let oldKey { try fs.writeAtomically(paths.key, data: oldKey.data, mode: oldKey.mode) }
                if let old { try fs.writeAtomically(paths.certificate, data: old.data, mode: old.mode) }
                let status = (error as? ExitStatusProviding)?.exitStatus ?? .failure
                throw CommandFailure(status: status, message: "\(error)")
            }
        }
    }
}

/// The certificate metrics of `metrics.textfileDir` (nothing when the config names no directory).
struct CertificateMetrics {
    let config: ClusterConfig
    let node: ClusterConfig.Master
    let root: String
    let logger: Logger

    private var writer: TextfileMetricsWriter {
        TextfileMetricsWriter(config: config, files: RootedFileSystem(root: root), logger: logger)
    }

    /// Seconds until each certificate of `report` expires.
    func writeExpiries(_ report: CertificateChecker.Report, now: Date = Date()) {
        writer.write(AgentMetrics.certificates(report.expiries, now: now), to: AgentMetrics.certificatesFile)
    }

    /// The renewal's result and time, then the expiries as the tree now stands.
    func writeRenewal(succeeded: Bool) {
        guard config.metrics.textfileDir != nil else { return }
        let now = Date()
        writer.write(AgentMetrics.renewal(succeeded: succeeded, finishedAt: now), to: AgentMetrics.renewalFile)
        let fs = RootedFileSystem(root: root)
        let report =
            config.kubernetes.profile == .modern
            ? try? ModernCertificateChecker(files: fs, pki: OpenSSLToolkit(), config: config, node: node, now: now)
                .check()
            : try? CertificateChecker(files: fs, pki: OpenSSLToolkit(), config: config, now: now).check()
        if let report { writeExpiries(report, now: now) }
    }
}

/// Reads a file given on the command line, with a message naming it.
func readFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure(status: .failure, message: "could not read \(path): it does not exist or is not readable")
    }
    return data
}

/// An absolute version of a command-line path.
func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

extension Optional {
    /// The value, or a failure saying `message`.
    func orThrow(_ message: String) throws -> Wrapped {
        guard let value = self else { throw CommandFailure(status: .failure, message: message) }
        return value
    }
}

/// A read-only file map for checking files before they are installed.
struct InMemoryCheckStore: FileStore {
    let files: [String: ExistingFile]
    let writesAsRoot = false
    func readFile(_ path: String) throws -> ExistingFile? { files[path] }
    func writeAtomically(_ path: String, data: Data, mode: UInt16) throws {}
    func removeFile(_ path: String) throws -> Bool { false }
    func listDirectory(_ directory: String) throws -> [String]? { nil }
    func ensureDirectory(_ directory: String, mode: UInt16) throws -> Bool { false }
    func attributes(_ path: String) throws -> FileAttributes? { nil }
}
