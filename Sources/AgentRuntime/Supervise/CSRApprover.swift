import AgentCore
import FoundationEssentials
import Logging

/// What one approval pass did.
package struct CSRApprovalPass: Equatable, Sendable {
    /// CSRs approved in this pass, by name.
    package var approved: [String] = []
    /// Pending kubelet-serving or other CSRs left alone, by name, with the reason.
    package var leftPending: [String: String] = [:]
}

/// Approves kubelet serving-certificate requests that pass `KubeletServingCSRPolicy`: lists every CSR, decides on
/// each pending one, and approves with the `/approval` subresource. Each request left pending is logged once
/// (with its reason) for as long as it exists, so a forged request does not flood the journal.
package final class CSRApprover {
    private let client: KubernetesAPIClient
    private let reader: SigningRequestReader
    private let masters: [ClusterConfig.Master]
    private let logger: Logger
    // CSR uid (or name) -> the reason already logged; pruned to the CSRs of the latest list so it stays bounded.
    private var reported: [String: String] = [:]
    // CSR key -> the approval error already logged, so credentials that may not approve do not log every second.
    private var approvalFailures: [String: String] = [:]

    /// An approver reading and approving through `client` (credentials that may approve: super-admin.conf);
    /// `masters` add the config's names for master Nodes.
    package init(
        client: KubernetesAPIClient, reader: SigningRequestReader, masters: [ClusterConfig.Master], logger: Logger
    ) {
        self.client = client
        self.reader = reader
        self.masters = masters
        self.logger = logger
    }

    /// One pass. Throws `APIError` or `HTTPTransportFailure` when the list fails; a failed approval of one CSR is
    /// logged and retried next pass (a 409 Conflict means it changed since the list).
    package func pass() throws -> CSRApprovalPass {
        let list = try CertificateSigningRequestList(
            listJSON: try client.getJSON(CertificateSigningRequestObject.collectionPath))
        var result = CSRApprovalPass()
        var seen: Set<String> = []
        for item in list.items where item.object.decision == nil {
            let csr = item.object
            let key = csr.metadata.uid ?? csr.metadata.name
            seen.insert(key)
            switch decide(csr) {
            case .approve(let node):
                if approve(item, node: node, key: key) { result.approved.append(csr.metadata.name) }
            case .leavePending(let reason):
                result.leftPending[csr.metadata.name] = reason
                if reported[key] != reason {
                    reported[key] = reason
                    logger.notice(
                        "left a certificate signing request pending",
                        metadata: [
                            "csr": "\(csr.metadata.name)", "signer": "\(csr.spec.signerName)",
                            "requester": "\(csr.spec.username ?? "")", "reason": "\(reason)",
                        ])
                }
            }
        }
        reported = reported.filter { seen.contains($0.key) }
        approvalFailures = approvalFailures.filter { seen.contains($0.key) }
        return result
    }

    private func decide(_ csr: CertificateSigningRequestObject) -> KubeletServingCSRPolicy.Verdict {
        // The cheap rules first: a request for another signer or from a non-node needs no Node lookup or parsing.
        if let problem = KubeletServingCSRPolicy.requesterProblem(csr) { return .leavePending(reason: problem) }
        guard let node = KubeletServingCSRPolicy.requestingNode(csr) else {
            return .leavePending(reason: "the requester is not a node")
        }
        let facts = csr.requestPEM.flatMap { try? reader.readSigningRequest($0) }
        do {
            return KubeletServingCSRPolicy.decide(csr, request: facts, knownNames: try knownNames(of: node))
        } catch {
            return .leavePending(reason: "could not read Node \(node): \(error)")
        }
    }

    // What Node `node` reports, plus the config's names when it is a master; nil when neither knows it.
    private func knownNames(of node: String) throws -> [SubjectAltName]? {
        let reported = try client.getIfPresent(NodeObject.self, NodeObject.path(node))?.subjectAltNames
        let configured = masters.first { $0.name == node }.map(KubeletServingCSRPolicy.configuredNames)
        if reported == nil && configured == nil { return nil }
        return (reported ?? []) + (configured ?? [])
    }

    private func approve(_ item: CertificateSigningRequestList.Item, node: String, key: String) -> Bool {
        let name = item.object.metadata.name
        do {
            let body = try CSRApprovalBody.approving(
                item.json, reason: "MasterAgentApprove",
                message: "master-agent supervise: kubelet serving certificate for Node \(node) with names it reports")
            _ = try client.putJSON(
                body, at: "\(CertificateSigningRequestObject.collectionPath)/\(name)/approval",
                returning: CertificateSigningRequestObject.self)
            logger.info(
                "approved a kubelet serving certificate request",
                metadata: ["csr": "\(name)", "node": "\(node)"])
            return true
        } catch {
            let text = "\(error)"
            if approvalFailures[key] != text {
                approvalFailures[key] = text
                logger.warning(
                    "could not approve a certificate signing request; retrying every pass",
                    metadata: ["csr": "\(name)", "error": "\(text)"])
            }
            return false
        }
    }
}
