import AgentCore
import FoundationEssentials

/// Checks what the later steps rely on before anything is written: root, readable files, the kubelet
/// binary, the manifest directory, etcd's health. Problems are listed together, each with its fix.
package struct PreflightStep: BootstrapStepRunner {

    package init() {
    }
    /// Everything preflight found wrong.
    package struct Failed: Error, CustomStringConvertible {
        package let problems: [String]
        package var description: String {
            "could not start the bootstrap, \(problems.count == 1 ? "1 problem" : "\(problems.count) problems"):\n"
                + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    package func run(_ context: BootstrapContext) throws -> StepOutcome {
        let config = context.config
        var problems: [String] = []
        var warnings: [String] = []

        if !context.runningAsRoot && !context.usesAlternateRoot {
            problems.append(
                "not running as root: the agent writes under /etc and talks to systemd. Run it with sudo, or pass --root DIR to write elsewhere."
            )
        }
        // Files the API server pod mounts; a missing one makes the pod crash-loop much later, far from the cause.
        var mounted = [
            ("etcd.caFile", config.etcd.caFile), ("etcd.certFile", config.etcd.certFile),
            ("etcd.keyFile", config.etcd.keyFile),
        ]
        // Under modern the API server trusts <pki.dir>/ca.crt, which the certs step makes; the field is legacy's.
        if config.kubernetes.profile == .legacyHyperkube {
            mounted.append(("apiServer.clientCAFile", config.apiServer.clientCAFile))
        }
        for (field, path) in mounted {
            problems += try readableFile(context, field: field, path: path)
        }
        for (field, path) in [
            ("apiServer.caFile", config.apiServer.caFile), ("apiServer.certFile", config.apiServer.certFile),
            ("apiServer.keyFile", config.apiServer.keyFile), ("apiServer.tokenFile", config.apiServer.tokenFile),
            ("pki.caCert", config.pki.caCert), ("pki.caKey", config.pki.caKey),
        ] {
            if let path { problems += try readableFile(context, field: field, path: path) }
        }
        // The cluster-secrets step checks its mode and contents; a missing token is listed here with the rest.
        if config.secrets.store == .etcd {
            problems += try readableFile(context, field: "secrets.tokenFile", path: config.secrets.tokenFile)
        }
        if let binary = try context.files.attributes(config.kubelet.binary) {
            if binary.isDirectory || binary.mode & 0o111 == 0 {
                problems.append(
                    "kubelet.binary \(config.kubelet.binary) is not executable (chmod 755 \(config.kubelet.binary)).")
            }
        } else {
            problems.append(
                "kubelet.binary \(config.kubelet.binary) does not exist. Install the kubelet there or set kubelet.binary in the config."
            )
        }
        problems += try usableDirectory(context, field: "kubelet.manifestDir", path: config.kubelet.manifestDir)
        problems += try usableDirectory(context, field: "pki.dir", path: config.pki.dir)

        var etcdSummary = "etcd not checked"
        if let makeEtcd = context.makeEtcdTransport {
            let (healthy, failures) = checkEtcd(config, transport: try makeEtcd())
            etcdSummary = "etcd \(healthy)/\(config.etcd.endpoints.count) healthy"
            if context.strict { problems += failures } else { warnings += failures }
        }
        for warning in warnings { context.logger.warning("preflight", metadata: ["warning": "\(warning)"]) }
        guard problems.isEmpty else { throw Failed(problems: problems) }
        let tail = warnings.isEmpty ? "" : "; \(warnings.count) warning(s): " + warnings.joined(separator: "; ")
        return StepOutcome(
            step: .preflight, status: .done,
            message: "files, kubelet binary and directories usable; \(etcdSummary)\(tail)")
    }

    private func readableFile(_ context: BootstrapContext, field: String, path: String) throws -> [String] {
        guard let attributes = try context.files.attributes(path) else {
            return ["\(field) \(path) does not exist. Copy the file there or fix \(field) in the config."]
        }
        if attributes.isDirectory { return ["\(field) \(path) is a directory, not a file."] }
        return attributes.readable
            ? [] : ["\(field) \(path) is not readable by this user. Run as root or fix its permissions."]
    }

    private func usableDirectory(_ context: BootstrapContext, field: String, path: String) throws -> [String] {
        // A missing directory is fine (the agent creates it); an existing one must be a writable directory.
        var probe = path
        while true {
            if let attributes = try context.files.attributes(probe) {
                if !attributes.isDirectory { return ["\(field) \(path): \(probe) is a file, not a directory."] }
                return attributes.writable
                    ? [] : ["\(field) \(path): \(probe) is not writable by this user. Run as root."]
            }
            guard let slash = probe.lastIndex(of: "/"), slash != probe.startIndex else { return [] }
            probe = String(probe[..<slash])
        }
    }

    /// GET /health on each endpoint over the configured mutual TLS; etcd answers {"health":"true"}.
    private func checkEtcd(_ config: ClusterConfig, transport: HTTPTransport) -> (Int, [String]) {
        var healthy = 0
        var failures: [String] = []
        for endpoint in config.etcd.endpoints {
            let url = endpoint.hasSuffix("/") ? "\(endpoint)health" : "\(endpoint)/health"
            do {
                let response = try transport.send(
                    HTTPRequest(url: url, timeout: .seconds(3), connectTimeout: .seconds(2)))
                let body = String(decoding: response.body, as: UTF8.self)
                if response.status == 200 && body.contains("\"health\":\"true\"") {
                    healthy += 1
                } else {
                    failures.append(
                        "etcd \(endpoint) is not healthy: GET /health answered \(response.status) \(body.prefix(120))")
                }
            } catch {
                failures.append("etcd \(endpoint) is not reachable: \(error)")
            }
        }
        return (healthy, failures)
    }
}
