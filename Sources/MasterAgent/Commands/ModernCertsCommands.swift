import AgentCore
import AgentPlatform
import AgentRuntime
import Foundation

/// The modern profile's offline-CA round trip: `certs sign --csr-dir` on the CA host, `certs import --dir` on the
/// master. Requests and certificates are named after their tree entry (`apiserver.csr`, `admin.conf.csr`), as
/// `kubeadm certs generate-csr` names them, so each is signed as exactly the spec the config derives for that master.
enum ModernCertsCommands {
    /// Signs every `<name>.csr` in `csrDir` as the entry `<name>` of `options`' master and writes `<name>.crt` beside it.
    static func sign(csrDir: String, caDir: String?, caCert: String?, caKey: String?, options: NodeOptions) throws {
        if (caCert == nil) != (caKey == nil) {
            throw CommandFailure(status: .usage, message: "--ca-cert and --ca-key go together")
        }
        let (config, node, _) = try options.loadConfigAndNode()
        guard config.kubernetes.profile == .modern else {
            throw CommandFailure(
                status: .usage,
                message: "--csr-dir is for the modern profile; \(options.configPath) is legacy (use --csr)")
        }
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let authorities = caDir ?? RootedFileSystem(root: options.root).hostPath(config.pki.dir)
        let names = try requestNames(in: csrDir)
        guard !names.isEmpty else {
            throw CommandFailure(
                status: .failure, message: "no <name>.csr in \(csrDir): copy the master's requests there")
        }
        let toolkit = OpenSSLToolkit()
        do {
            for name in names {
                let spec = try entry(named: name, in: tree, node: node.name)
                let issuer = spec.issuer ?? PKITree.clusterCA
                let useOptions = issuer == PKITree.clusterCA && caCert != nil
                let caCertPEM = try readFile(useOptions ? caCert! : "\(authorities)/\(issuer).crt")
                let caKeyPEM = try readFile(useOptions ? caKey! : "\(authorities)/\(issuer).key")
                let certificate = try toolkit.sign(
                    csrPEM: try readFile("\(csrDir)/\(name).csr"), as: spec, caCertPEM: caCertPEM, caKeyPEM: caKeyPEM,
                    issuedAt: Date())
                try RootedFileSystem(root: "/").writeAtomically(
                    absolute("\(csrDir)/\(name).crt"), data: certificate, mode: 0o644)
                print(
                    "signed \(name).csr as \(spec.subject) with \(issuer) for \(spec.validityDays) days -> \(csrDir)/\(name).crt"
                )
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
        print(
            "copy \(csrDir)/ back to \(node.name) and run there: master-agent certs import --node \(node.name) --dir \(csrDir)"
        )
    }

    /// Installs every `<name>.crt` in `dir` that answers a request of `due`'s master, after the same checks the certs
    /// step runs: into `pki.dir` or the partial kubeconfig holding its key (first bring-up), or in place of a leaf's
    /// certificate (a renewal `certs renew --due` requested: same key, same CA, the config's names; a kubeconfig keeps
    /// every field but its user's client certificate). On a running system (`due.isLive`) a replacement goes through
    /// the Lease, rolling restart, health wait and rollback of `certs renew --due`; under `--root` it is local. A
    /// certificate already installed is skipped (the `.crt` files stay in `dir`, so an import may be run again): when
    /// every one is, nothing is written and no lock or Lease is taken.
    static func importSigned(dir: String, due: RenewDue) throws {
        let prepare = { try prepareImport(dir: dir, config: due.config, node: due.node, root: due.options.root) }
        // Checked once before any lock or Lease, so that a wrong certificate fails at once; again under them.
        let checked = try prepare()
        for (spec, target) in checked.alreadyInstalled {
            print("\(spec.name).crt is already installed in \(target)")
        }
        guard !checked.imported.isEmpty else {
            print(
                "nothing imported: every signed certificate in \(dir) is already installed; no Lease taken, nothing written"
            )
            return
        }
        let replaces = !checked.replaced.rows.isEmpty
        var note: String?
        if replaces && due.isLive {
            let (_, liveNote, _) = try LiveRenewal(due: due, install: { try prepare().install() }).run()
            note = liveNote
        } else {
            let lock = try NodeLock.acquire(root: due.options.root, timeout: 120, logger: due.logger)
            defer { lock.release() }
            _ = try prepare().install()
            if replaces {
                note = "replaced locally under --root \(due.options.root): no Lease taken, nothing restarted"
            }
        }
        if let note { print(note) }
        if !replaces { print("run master-agent bootstrap to continue") }
    }

    /// The checked files of an import, to write under the node lock (and the Lease).
    private struct PreparedImport {
        let fs: FileStore
        let paths: ModernPKIPaths
        let staged: [String: ExistingFile]
        let imported: [(spec: CertificateSpec, path: String)]
        /// The certificates in the directory that their leaves already carry: not written, their requests left alone
        /// (a request beside an installed certificate was written after it and asks for a newer one).
        var alreadyInstalled: [(spec: CertificateSpec, path: String)] = []
        /// The replacements of leaves that had a certificate: their rows and the files they replace.
        var replaced = ModernCertificateRenewer.Result()

        /// Writes the new files in one batch and removes the requests they answer; returns the replacements (the
        /// requests are part of what a rollback puts back).
        func install() throws -> ModernCertificateRenewer.Result {
            var result = replaced
            for (spec, _) in imported {
                if let request = try fs.readFile(paths.request(spec)) {
                    result.previous.append(FileWrite(path: paths.request(spec), data: request.data, mode: request.mode))
                }
            }
            try fs.writeAtomically(
                staged.keys.sorted().map { FileWrite(path: $0, data: staged[$0]!.data, mode: staged[$0]!.mode) })
            for (spec, target) in imported {
                try fs.removeFile(paths.request(spec))
                print("imported \(spec.name).crt into \(target)")
            }
            return result
        }
    }

    private static func prepareImport(
        dir: String, config: ClusterConfig, node: ClusterConfig.Master, root: String
    ) throws -> PreparedImport {
        let fs = RootedFileSystem(root: root)
        let toolkit = OpenSSLToolkit()
        let tree = PKITree.modern(ModernPKIInputs(config, node: node))
        let paths = ModernPKIPaths(config)
        let renewer = ModernCertificateRenewer(files: fs, pki: toolkit, config: config, node: node, now: Date())
        var staged: [String: ExistingFile] = [:]
        var imported: [(spec: CertificateSpec, path: String)] = []
        var replaced = ModernCertificateRenewer.Result()
        var alreadyInstalled: [(spec: CertificateSpec, path: String)] = []
        do {
            for spec in tree.allCertificates where spec.scope == .perNode {
                let signed = "\(dir)/\(spec.name).crt"
                guard let certificate = FileManager.default.contents(atPath: signed) else { continue }
                let target = paths.certificate(spec)
                // Per-node entries are leaves: the CAs are shared and never signed on request.
                switch try renewer.fit(spec, certificate: certificate) {
                case .alreadyInstalled(let file):
                    alreadyInstalled.append((spec, file))
                    continue
                case .replaces(let replacement):
                    for write in replacement.writes {
                        staged[write.path] = ExistingFile(data: write.data, mode: write.mode, ownerUID: 0)
                    }
                    replaced.rows.append(replacement.row)
                    replaced.previous.append(replacement.previous)
                case .firstIssue where spec.baseName != nil:
                    staged[target] = ExistingFile(data: certificate, mode: 0o644, ownerUID: 0)
                case .firstIssue:
                    staged[target] = ExistingFile(
                        data: try completedKubeconfig(spec, certificate: certificate, tree: tree, paths: paths, fs: fs),
                        mode: 0o600, ownerUID: 0)
                }
                imported.append((spec, target))
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(status: .failure, message: "could not import from \(dir): \(error)")
        }
        guard !imported.isEmpty else {
            if !alreadyInstalled.isEmpty {
                return PreparedImport(
                    fs: fs, paths: paths, staged: [:], imported: [], alreadyInstalled: alreadyInstalled)
            }
            throw CommandFailure(
                status: .failure,
                message:
                    "no signed certificate for \(node.name) in \(dir) (expected <name>.crt from certs sign --csr-dir)")
        }
        // The same checks as the certs step, on the tree as it will be once installed.
        let report = try ModernCertificateChecker(
            files: OverlayStore(base: fs, overrides: staged), pki: toolkit, config: config, node: node, now: Date(),
            checkOwner: false
        ).check()
        let targets = Set(imported.map(\.path))
        let errors = report.findings.filter { $0.severity == .error && targets.contains($0.file) }
        guard errors.isEmpty else {
            throw CommandFailure(
                status: .failure,
                message: "could not import from \(dir):\n" + errors.map { "  \($0.message)" }.joined(separator: "\n"))
        }
        return PreparedImport(
            fs: fs, paths: paths, staged: staged, imported: imported, alreadyInstalled: alreadyInstalled,
            replaced: replaced)
    }

    // The `<name>` of every `<name>.csr` in `directory`, sorted.
    private static func requestNames(in directory: String) throws -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw CommandFailure(status: .failure, message: "could not read the directory \(directory)")
        }
        return entries.filter { $0.hasSuffix(".csr") }.map { String($0.dropLast(4)) }.sorted()
    }

    private static func entry(named name: String, in tree: PKITree, node: String) throws -> CertificateSpec {
        guard let spec = tree.certificate(named: name), spec.scope == .perNode else {
            let known = tree.allCertificates.filter { $0.scope == .perNode }.map { "\($0.name).csr" }
            throw CommandFailure(
                status: .failure,
                message:
                    "\(name).csr is not a request of \(node)'s PKI tree (known: \(known.joined(separator: ", "))); a shared item is never signed on request"
            )
        }
        return spec
    }

    // The partial kubeconfig `certs generate-csr` style (key only) with its signed certificate added.
    private static func completedKubeconfig(
        _ spec: CertificateSpec, certificate: Data, tree: PKITree, paths: ModernPKIPaths, fs: FileStore
    ) throws -> Data {
        let path = paths.certificate(spec)
        guard let kubeconfigSpec = tree.kubeconfigs.first(where: { $0.client.name == spec.name }),
            let existing = try fs.readFile(path)
        else {
            throw CommandFailure(
                status: .failure, message: "\(path) is missing: its key is there; run master-agent bootstrap first")
        }
        let partial = try Kubeconfig.decode(String(decoding: existing.data, as: UTF8.self), file: path)
        let user = try partial.userEntry(partial.currentContextEntry(file: path).user, file: path)
        guard let keyData = user.clientKeyData, let key = Data(base64Encoded: keyData) else {
            throw CommandFailure(
                status: .failure, message: "\(path) holds no client-key-data to pair the certificate with")
        }
        guard let ca = try fs.readFile(paths.certificate(tree.certificate(named: PKITree.clusterCA)!)) else {
            throw CommandFailure(status: .failure, message: "\(paths.dir)/ca.crt is missing")
        }
        let complete = Kubeconfig(
            clusterName: kubeconfigSpec.clusterName, server: kubeconfigSpec.server, caPEM: ca.data,
            userName: kubeconfigSpec.userName, contextName: kubeconfigSpec.contextName,
            clientCertificatePEM: certificate, clientKeyPEM: key)
        return Data(try complete.yaml().utf8)
    }
}

/// A read-only view of a store with some files replaced, to check files before they are installed.
struct OverlayStore: FileStore {
    let base: FileStore
    let overrides: [String: ExistingFile]
    var writesAsRoot: Bool { false }
    func readFile(_ path: String) throws -> ExistingFile? { try overrides[path] ?? base.readFile(path) }
    func writeAtomically(_ path: String, data: Data, mode: UInt16) throws {}
    func removeFile(_ path: String) throws -> Bool { false }
    func listDirectory(_ directory: String) throws -> [String]? { try base.listDirectory(directory) }
    func ensureDirectory(_ directory: String, mode: UInt16) throws -> Bool { false }
    func attributes(_ path: String) throws -> FileAttributes? { try base.attributes(path) }
}
