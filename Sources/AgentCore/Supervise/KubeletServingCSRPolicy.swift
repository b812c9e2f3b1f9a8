/// Whether the supervisor approves a kubelet's serving-certificate request. kube-controller-manager approves the
/// kubelets' client certificates but never their serving ones (anyone who can create a CSR could ask for any name),
/// so the agent checks what kubeadm's docs leave to the operator: the request is from the node it names, for the
/// usages a kubelet serving certificate needs, and only for names that node reports (or the config lists for it).
package enum KubeletServingCSRPolicy {
    /// The signer kubelets ask for serving certificates (`serverTLSBootstrap: true`).
    package static let signerName = "kubernetes.io/kubelet-serving"
    /// The username prefix and group of a kubelet's credentials.
    package static let nodeUserPrefix = "system:node:"
    package static let nodesGroup = "system:nodes"
    /// The usages of an RSA key, and of any key (ECDSA and Ed25519 keys cannot encipher keys).
    package static let rsaUsages: Set<String> = ["digital signature", "key encipherment", "server auth"]
    package static let keyAgnosticUsages: Set<String> = ["digital signature", "server auth"]

    /// The verdict on one request.
    package enum Verdict: Equatable, Sendable {
        /// Approve: every rule holds for Node `node`.
        case approve(node: String)
        /// Leave pending; `reason` says which rule failed, for the log.
        case leavePending(reason: String)
    }

    /// The Node a request claims to come from (`system:node:<n>` as the server recorded the requester), or nil.
    package static func requestingNode(_ csr: CertificateSigningRequestObject) -> String? {
        guard let user = csr.spec.username, user.hasPrefix(nodeUserPrefix) else { return nil }
        let node = String(user.dropFirst(nodeUserPrefix.count))
        return node.isEmpty ? nil : node
    }

    /// The rules that need neither the parsed request nor the Node: the signer, and a requester that is a node in
    /// `system:nodes`. Nil when they hold; callers skip parsing and Node lookups for anything else.
    package static func requesterProblem(_ csr: CertificateSigningRequestObject) -> String? {
        let spec = csr.spec
        guard spec.signerName == signerName else { return "signer is \(spec.signerName), not \(signerName)" }
        let user = spec.username ?? "(none)"
        guard requestingNode(csr) != nil else { return "requester \(user) is not a node (system:node:<name>)" }
        guard spec.groups?.contains(nodesGroup) == true else {
            return "requester \(user) is not in group \(nodesGroup)"
        }
        return nil
    }

    /// The names a master's serving certificate may carry: its name, DNS name and address from the config.
    package static func configuredNames(of master: ClusterConfig.Master) -> [SubjectAltName] {
        [.dns(master.name), .dns(master.dnsName), .ip(master.address.description)]
    }

    /// Decides on `csr`, whose PEM request reads as `request` (nil: unreadable or its signature does not verify);
    /// `knownNames` are the DNS names and IPs Node `<n>` reports plus, for a master, those the config lists
    /// (nil: no such Node). Checks in order and names the first rule that fails.
    package static func decide(
        _ csr: CertificateSigningRequestObject, request: CertificateRequestFacts?, knownNames: [SubjectAltName]?
    ) -> Verdict {
        let spec = csr.spec
        if let problem = requesterProblem(csr) { return .leavePending(reason: problem) }
        let user = spec.username ?? ""
        let node = String(user.dropFirst(nodeUserPrefix.count))
        guard let request else {
            return .leavePending(reason: "spec.request is not a PKCS#10 request whose signature verifies")
        }
        guard request.commonName == user else {
            return .leavePending(
                reason: "the request's CN \(request.commonName ?? "(none)") is not the requester \(user)")
        }
        guard request.organizations == [nodesGroup] else {
            return .leavePending(
                reason: "the request's O is [\(request.organizations.joined(separator: ", "))], not [\(nodesGroup)]")
        }
        if let reason = usageProblem(spec.usages ?? [], key: request.keyAlgorithm) {
            return .leavePending(reason: reason)
        }
        if let kind = request.otherSubjectAltNameKinds.first {
            return .leavePending(
                reason: "the request asks for a \(kind) subjectAltName; only DNS names and IPs are approved")
        }
        guard !request.subjectAltNames.isEmpty else {
            return .leavePending(reason: "the request names no DNS name or IP")
        }
        guard let knownNames else {
            return .leavePending(reason: "there is no Node \(node) to check the requested names against")
        }
        let known = Set(knownNames.map(normalized))
        let unknown = request.subjectAltNames.filter { !known.contains(normalized($0)) }
        guard unknown.isEmpty else {
            let names = unknown.map(\.description).joined(separator: ", ")
            return .leavePending(reason: "\(names) is not an address Node \(node) reports or the config lists for it")
        }
        return .approve(node: node)
    }

    private static func usageProblem(_ usages: [String], key: CertificateRequestFacts.KeyAlgorithm) -> String? {
        let asked = Set(usages)
        if asked.contains("key encipherment") && key != .rsa {
            return "usage key encipherment asked for a \(key) key: key encipherment (RSA only)"
        }
        let allowed = key == .rsa ? [rsaUsages, keyAgnosticUsages] : [keyAgnosticUsages]
        guard allowed.contains(asked), asked.count == usages.count else {
            let wanted =
                key == .rsa ? "digital signature, key encipherment, server auth" : "digital signature, server auth"
            return "usages are [\(usages.joined(separator: ", "))], not exactly [\(wanted)]"
        }
        return nil
    }

    // DNS names compare without case, as DNS does.
    private static func normalized(_ name: SubjectAltName) -> SubjectAltName {
        if case .dns(let text) = name { return .dns(text.lowercased()) }
        return name
    }
}
