import AgentCore
import AgentPlatform
import AgentRuntime
import Foundation
import Logging

/// `certs renew --due` (and `bootstrap`'s names reissue) on a running master, modern profile: under the node lock,
/// take the Lease `master-agent-certs` through the local API server, renew what `selection` picks, restart exactly
/// the affected static pods and wait for their components' health (old files back and a failure naming them when they
/// do not come back), release the Lease. Nothing to renew: no Lease is taken. When the API server cannot be reached
/// at all, nobody can be coordinated with: what has already expired (bootstrap: what changed names) is renewed
/// locally and those pods are restarted without a wait, and the log and output say so. `certs import --dir` runs it
/// with `install`: the certificates the CA host signed replace the leaves instead of certificates issued here.
struct LiveRenewal {
    let due: RenewDue
    var selection: ModernCertificateRenewer.Selection = .dueOrNamesChanged
    /// The caller (bootstrap) already holds the node lock.
    var nodeLockHeld = false
    /// Writes the files of a renewal prepared elsewhere (an import) and returns it: run under the Lease (or, the API
    /// being down, locally) in place of issuing.
    var install: (() throws -> ModernCertificateRenewer.Result)? = nil

    private var config: ClusterConfig { due.config }
    private var node: ClusterConfig.Master { due.node }
    private var root: String { due.options.root }
    private var logger: Logger { due.logger }

    /// The rows, the note for the output, and whether the Lease was held.
    func run() throws -> (rows: [RenewalRow], note: String, coordinated: Bool) {
        let lock = nodeLockHeld ? nil : try NodeLock.acquire(root: root, timeout: 120, logger: logger)
        defer { lock?.release() }
        var planned = ["the signed certificates"]
        if install == nil {
            do {
                planned = try due.modernRenewer(selection).planned()
            } catch {
                throw CommandFailure(status: .failure, message: "\(error)")
            }
        }
        guard !planned.isEmpty else {
            // Nothing is signed here: at most requests for the CA host are written (they restart nothing); every
            // leaf is listed with its days left.
            let rows = try due.renewModernFiles(selection).rows
            let what = Self.requestsFor(rows) ? "requests for the CA host in place" : "nothing to renew"
            return (rows, "\(what): no Lease taken, nothing restarted", false)
        }
        let lease = try makeLease()
        var leaseTaken = false
        do {
            let (rows, pods) = try lease.run { () throws -> ([RenewalRow], [String]) in
                leaseTaken = true
                logger.notice(
                    "holding the certificate renewal Lease",
                    metadata: ["lock": "\(lease.lockDescription)", "planned": "\(planned)"])
                let renewal = try renewOrInstall(selection)
                return (renewal.rows, try rollout().roll(renewal))
            }
            let restarted =
                pods.isEmpty ? "no static pod restarted" : "restarted and healthy: \(pods.joined(separator: ", "))"
            return (rows, "\(Self.summary(rows)) under \(lease.lockDescription); \(restarted)", true)
        } catch let failure as HTTPTransportFailure
            where !leaseTaken && (Self.meansAPIDown(failure) || (failure.kind == .tls && apiServerCertificateExpired()))
        {
            return try renewLocally(because: failure)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
    }

    /// The prepared renewal's files (`install`), else the leaves `selection` picks renewed by the CA in `pki.dir`.
    private func renewOrInstall(_ selection: ModernCertificateRenewer.Selection) throws
        -> ModernCertificateRenewer.Result
    {
        guard let install else { return try due.renewModernFiles(selection) }
        return try install()
    }

    /// What a run did, for its note: `renewed` (issued here or installed from the CA host), requests for the CA host,
    /// both, or nothing.
    static func summary(_ rows: [RenewalRow]) -> String {
        let renewed = rows.contains { $0.outcome == .renewed }
        switch (renewed, requestsFor(rows)) {
        case (true, false): return "renewed"
        case (false, true): return "requests for the CA host in place (nothing renewed)"
        case (true, true): return "renewed what the CA keys here sign, requests for the CA host in place for the rest,"
        case (false, false): return "nothing renewed"
        }
    }

    /// Whether some leaf waits for the CA host with its request on disk (written or kept by this run).
    static func requestsFor(_ rows: [RenewalRow]) -> Bool {
        rows.contains { $0.outcome == .needsCAHost && $0.request != nil }
    }

    /// Transport failures that mean the local API server is not there to coordinate with. A TLS failure counts
    /// only when this master's apiserver.crt has expired (the API server serves it; nobody can verify it), not for a
    /// wrong CA file or credentials, which renewing would not fix.
    static func meansAPIDown(_ failure: HTTPTransportFailure) -> Bool {
        [.connectionRefused, .timeout, .connectionReset].contains(failure.kind)
    }

    private func apiServerCertificateExpired() -> Bool {
        let path = PKIPaths(config).certificate
        guard let file = try? RootedFileSystem(root: root).readFile(path),
            let leaf = try? OpenSSLToolkit().inspect(certificatesPEM: file.data, source: path).first
        else { return false }
        return leaf.notAfter <= Date()
    }

    /// The API server is down: renew locally what cannot wait for it. `certs renew --due`: only what has expired
    /// (a certificate merely due waits for the Lease). `bootstrap`: the names reissue, which the bootstrap needs now.
    private func renewLocally(because failure: HTTPTransportFailure) throws -> (
        rows: [RenewalRow], note: String, coordinated: Bool
    ) {
        let localSelection: ModernCertificateRenewer.Selection = selection == .namesChanged ? .namesChanged : .expired
        let what =
            install != nil
            ? "the signed certificates"
            : localSelection == .expired ? "only expired certificates" : "the certificates whose names changed"
        logger.warning(
            "the local API server cannot be reached: renewing \(what), locally, without the Lease (nobody to coordinate with)",
            metadata: ["url": "\(config.apiServer.localURL)", "cause": "\(failure.cause)"])
        let renewal = try renewOrInstall(localSelection)
        let pods = try rollout().restartWithoutWaiting(renewal)
        let restarted =
            pods.isEmpty
            ? "no static pod restarted" : "restarting \(pods.joined(separator: ", ")) without a health wait"
        let waiting =
            localSelection == .expired && install == nil ? " Certificates due but not expired wait for the API." : ""
        return (
            renewal.rows,
            "the API server at \(config.apiServer.localURL) is down (\(failure.cause)): renewed \(what), locally, without the Lease; \(restarted).\(waiting)",
            false
        )
    }

    private func makeLease() throws -> CertificateRenewalLease {
        let timings = try Wiring.leaseTimings(config)
        let client = KubernetesAPIClient(
            transport: try HTTPClient(
                tls: try Wiring.localAPITLS(config: config, root: root),
                userAgent: HTTPClient.userAgent(version: MasterAgentVersion.current, nodeName: node.name)),
            baseURL: config.apiServer.localURL)
        let elector = LeaderElector(
            lock: LeaseLock(client: client, namespace: config.election.namespace, name: CertificateRenewalLease.name),
            identity: node.name, timings: timings, clock: SystemClock(), wallClock: SystemWallClock(), logger: logger)
        // Another master's renewal takes at most its health wait, twice (a rollback restarts again).
        let retry =
            install != nil ? "certs import --dir" : selection == .namesChanged ? "bootstrap" : "certs renew --due"
        return CertificateRenewalLease(
            elector: elector, clock: SystemClock(), timeout: max(120, 3 * config.apiServer.waitTimeout.seconds),
            retry: retry)
    }

    private func rollout() -> RenewalRollout {
        RenewalRollout(
            files: RootedFileSystem(root: root), config: config, node: node,
            digest: { try RenewalRollout.certificateDigest($0, sha256: OpenSSLSecretsCipher().sha256) },
            waitHealthy: waitHealthy, logger: logger)
    }

    /// Waits for the components of `pods` where their manifests on disk say the kubelet probes them; returns the
    /// ones not healthy within `apiServer.waitTimeout`.
    private func waitHealthy(_ pods: [String]) throws -> [String] {
        let context = Wiring.context(config: config, node: node, root: root, dryRun: false, logger: logger)
        let started = try waitForKubeletRestart(pods, context: context)
        guard started.isEmpty else {
            logger.error(
                "the kubelet did not run the new manifests within apiServer.waitTimeout",
                metadata: ["pods": "\(started)"])
            return started
        }
        let targets = try WaitControlPlaneStep.targets(context, fromDisk: true).filter { pods.contains($0.component) }
        let waiter = ControlPlaneWaiter(
            localAPI: context.localAPI, loopback: Wiring.loopbackHealthTransport, clock: SystemClock(),
            random: SystemRandom())
        let (progress, _, _) = try waiter.wait(for: targets, timeout: config.apiServer.waitTimeout.seconds) { done in
            logger.info("component healthy again", metadata: ["component": "\(done.target.component)"])
        }
        return progress.filter { !$0.healthy }.map(\.target.component)
    }

    /// Waits until the kubelet runs each pod from its manifest on disk (its mirror pod carries the manifest's restart
    /// annotation); returns the pods it does not run within `apiServer.waitTimeout`.
    private func waitForKubeletRestart(_ pods: [String], context: BootstrapContext) throws -> [String] {
        var expected: [String: String?] = [:]
        var identities: [(name: String, namespace: String)] = []
        for pod in pods {
            let path = "\(config.kubelet.manifestDir)/\(pod).yaml"
            let text = String(decoding: try context.files.readFile(path)?.data ?? Data(), as: UTF8.self)
            guard let manifest = StaticPod.decodeAsWritten(text) else {
                throw CommandFailure(status: .failure, message: "\(path) is not as the agent writes it")
            }
            expected[pod] = manifest.metadata.annotations?[CertificateRestartAnnotation.key]
            identities.append((pod, manifest.metadata.namespace))
        }
        let client = KubernetesAPIClient(transport: try context.localAPI(), baseURL: config.apiServer.localURL)
        return MirrorPodRestartWait(client: client, clock: SystemClock(), nodeName: node.name)
            .wait(for: identities, expected: expected, timeout: config.apiServer.waitTimeout.seconds)
    }
}
