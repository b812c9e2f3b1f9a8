/// Turns the evidence of a control plane that did not become healthy into causes, most basic first: the kubelet
/// unit, then what the kubelet logged (runtime, cgroup driver, images), then each unhealthy component's own
/// answer (credentials, certificate name, etcd), then who holds its port. Pure: no I/O, same evidence, same causes.
package enum StallDiagnosis {
    /// The causes the evidence shows; at least one (`not-healthy` with the last answers when nothing matched).
    package static func classify(_ evidence: ControlPlaneEvidence) -> [ControlPlaneDiagnosis] {
        var causes: [ControlPlaneDiagnosis] = []
        if let kubelet = evidence.kubelet {
            causes += unitCauses(
                kubelet,
                kubeletHealthy: evidence.components.first { $0.target.component == "kubelet" }?.healthy ?? false)
            causes += journalCauses(kubelet.journal)
        }
        for component in evidence.components where !component.healthy {
            if let cause = answerCause(component, readyzVerbose: evidence.readyzVerbose) {
                causes.append(cause)
            } else if let cause = portCause(component) {
                causes.append(cause)
            }
        }
        if causes.isEmpty {
            causes = evidence.components.filter { !$0.healthy }.map { component in
                ControlPlaneDiagnosis(
                    cause: .notHealthy, component: component.target.component,
                    detail: "\(component.url): \(component.detail)",
                    nextStep: component.target.component == "kubelet"
                        ? "Read journalctl -u kubelet."
                        : "Check its container: crictl ps -a --name \(component.target.component), then crictl logs.")
            }
        }
        return causes
    }

    // MARK: - The kubelet unit

    private static func unitCauses(_ kubelet: KubeletEvidence, kubeletHealthy: Bool) -> [ControlPlaneDiagnosis] {
        let state =
            "\(kubelet.unit) is \(kubelet.activeState) (\(kubelet.subState)"
            + "\(kubelet.result.map { ", result \($0)" } ?? ""), restarted \(kubelet.restarts) time(s)"
        let log = lastLines(kubelet.journal)
        if kubelet.subState == "auto-restart" || (kubelet.restarts > 0 && !kubeletHealthy) {
            return [
                ControlPlaneDiagnosis(
                    cause: .kubeletRestarting, component: "kubelet", detail: state + log,
                    nextStep: "The kubelet keeps exiting: read journalctl -u \(kubelet.unit) for the first error.")
            ]
        }
        if kubelet.activeState != "active" && kubelet.activeState != "activating" {
            return [
                ControlPlaneDiagnosis(
                    cause: .kubeletNotRunning, component: "kubelet", detail: state + log,
                    nextStep:
                        "Start it (master-agent bootstrap --steps kubelet-start) and read journalctl -u \(kubelet.unit)."
                )
            ]
        }
        return []
    }

    private static func lastLines(_ journal: [String]) -> String {
        journal.isEmpty
            ? "; no journal lines"
            : "; last log lines: " + journal.suffix(3).map { "\"\(clip($0, 200))\"" }.joined(separator: " ")
    }

    // MARK: - What the kubelet logged

    /// The kubelet's own words (k8s.io/kubernetes pkg/kubelet, cri/remote, and runc's through the runtime).
    private static let runtimeMarkers = [
        "validate service connection", "CRI v1 runtime API", "container runtime is down",
        "container runtime status check may not have completed yet",
    ]
    private static let cgroupMarkers = [
        "misconfiguration: kubelet cgroup driver", "expected cgroupsPath to be of format",
    ]
    private static let imageMarkers = [
        "ErrImagePull", "ImagePullBackOff", "Failed to pull image", "PullImage from image service failed",
        "failed to pull and unpack image", "Back-off pulling image",
    ]

    private static func journalCauses(_ journal: [String]) -> [ControlPlaneDiagnosis] {
        var causes: [ControlPlaneDiagnosis] = []
        if let line = journal.last(where: { line in runtimeMarkers.contains { line.contains($0) } }) {
            causes.append(
                ControlPlaneDiagnosis(
                    cause: .containerRuntimeUnreachable, component: "kubelet",
                    detail: "the kubelet cannot reach its container runtime: \"\(clip(line, 300))\"",
                    nextStep: "Check that containerd runs (systemctl status containerd) and that its socket matches "
                        + "kubelet.containerRuntimeEndpoint in the config."))
        }
        if let line = journal.last(where: { line in cgroupMarkers.contains { line.contains($0) } }) {
            causes.append(
                ControlPlaneDiagnosis(
                    cause: .cgroupDriverMismatch, component: "kubelet",
                    detail:
                        "the kubelet and the container runtime use different cgroup drivers: \"\(clip(line, 300))\"",
                    nextStep: "The kubelet uses systemd: set SystemdCgroup = true in /etc/containerd/config.toml "
                        + "(runc options) and restart containerd, then the kubelet."))
        }
        var images: [String] = []
        for line in journal where imageMarkers.contains(where: { line.contains($0) }) {
            if let image = imageName(in: line), !images.contains(image) { images.append(image) }
        }
        if !images.isEmpty || journal.contains(where: { line in imageMarkers.contains { line.contains($0) } }) {
            let named = images.isEmpty ? "an image (not named in the log)" : images.joined(separator: ", ")
            causes.append(
                ControlPlaneDiagnosis(
                    cause: .imagePullFailed, component: nil, detail: "cannot pull \(named)",
                    nextStep: "Check kubernetes.version and kubernetes.imageRepository in the config, the registry's "
                        + "reachability and proxy, or load the image beforehand (crictl pull / ctr -n k8s.io images import)."
                ))
        }
        return causes
    }

    /// The image a kubelet pull-error line names: klog's `image="..."` field, else the quoted name after "image".
    package static func imageName(in line: String) -> String? {
        if let range = line.range(of: "image=\"") {
            let rest = line[range.upperBound...]
            if let end = rest.firstIndex(of: "\"") { return String(rest[..<end]) }
        }
        for marker in ["pull and unpack image ", "pull image ", "pulling image "] {
            guard let range = line.range(of: marker) else { continue }
            // The name is quoted once per level of error wrapping: \"name\" or \\\"name\\\".
            let rest = line[range.upperBound...].drop { $0 == "\\" || $0 == "\"" }
            let name = rest.prefix { $0 != "\\" && $0 != "\"" && $0 != " " }
            if !name.isEmpty { return String(name) }
        }
        return nil
    }

    // MARK: - One component's answer

    private static func answerCause(_ component: ComponentEvidence, readyzVerbose: String?) -> ControlPlaneDiagnosis? {
        let name = component.target.component
        if let status = component.status, status == 401 || status == 403 {
            let credentials =
                component.target.access == .localAPI
                ? "the agent's API credentials (apiServer.certFile/keyFile or tokenFile; super-admin.conf on modern)"
                : "anonymous access to its health path"
            return ControlPlaneDiagnosis(
                cause: .credentialsRejected, component: name,
                detail:
                    "\(component.url) answered \(status) \(status == 401 ? "Unauthorized" : "Forbidden"): \(clip(component.detail, 200))",
                nextStep: status == 401
                    ? "It does not accept \(credentials): check that they are signed by the cluster CA and not expired."
                    : "It knows who the agent is but does not allow it: check the RBAC bindings and --authorization-always-allow-paths."
            )
        }
        if component.failure == .tls, isNameMismatch(component.detail) {
            let served =
                component.servedNames.map { $0.isEmpty ? "no names" : $0.joined(separator: ", ") }
                ?? "names the agent could not read"
            return ControlPlaneDiagnosis(
                cause: .apiServerCertificateName, component: name,
                detail: "the certificate on \(component.target.host):\(component.target.port) does not name "
                    + "\(component.target.host) (it names \(served)): \(clip(component.detail, 200))",
                nextStep:
                    "Add \(sanText(component.target.host)) to pki.extraSANs (or dial a name the certificate has in "
                    + "apiServer.localURL) and run master-agent bootstrap --steps certs.")
        }
        let body = [readyzVerbose, component.detail].compactMap { $0 }.joined(separator: "\n")
        if component.target.access == .localAPI, component.status == 500,
            let check = failingEtcdCheck(body)
        {
            return ControlPlaneDiagnosis(
                cause: .etcdUnavailable, component: name,
                detail:
                    "the API server answers but its \(check) check fails: etcd is unreachable or refuses its client certificate",
                nextStep: "Check etcd's health (etcdctl endpoint health with etcd.caFile/certFile/keyFile), "
                    + "that etcd.endpoints are right, and that etcd trusts the CA of etcd.certFile; the API server's log says which."
            )
        }
        return nil
    }

    private static func isNameMismatch(_ text: String) -> Bool {
        [
            "no alternative certificate subject name matches", "does not match target host name", "hostname mismatch",
            "Hostname mismatch", "subject name does not match",
        ].contains { text.contains($0) }
    }

    private static func sanText(_ host: String) -> String {
        host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? "IP \(host)" : "DNS name \(host)"
    }

    /// `etcd` or `etcd-readiness` when a `[-]etcd... failed` line is in a health body.
    private static func failingEtcdCheck(_ body: String) -> String? {
        for line in body.split(whereSeparator: \.isNewline) where line.hasPrefix("[-]etcd") {
            return line.dropFirst(3).split(separator: " ").first.map(String.init)
        }
        return nil
    }

    // MARK: - Who holds the port

    private static func portCause(_ component: ComponentEvidence) -> ControlPlaneDiagnosis? {
        guard let listener = component.listener, let program = listener.program,
            !program.hasPrefix(component.target.program) && !component.target.program.hasPrefix(program)
        else { return nil }
        let owner = "\(program)\(listener.pid.map { " (pid \($0))" } ?? "")"
        return ControlPlaneDiagnosis(
            cause: .portInUse, component: component.target.component,
            detail: "port \(listener.port) is held by \(owner), not \(component.target.program)"
                + "\(listener.commandLine.map { ": \(clip($0, 120))" } ?? "")",
            nextStep:
                "Stop \(owner) or move it to another port; \(component.target.component) cannot bind \(listener.port) while it is taken."
        )
    }

    private static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "..."
    }
}
