import Foundation

/// A `certificates.k8s.io/v1` CertificateSigningRequest: the fields the supervisor decides on. Approving sends
/// the object back as the server gave it (`CSRApprovalBody`), so fields this type ignores are never lost.
package struct CertificateSigningRequestObject: Codable, Equatable, Sendable {
    /// The `spec`: what is asked for and, set by the server from the credentials, by whom.
    package struct Spec: Codable, Equatable, Sendable {
        /// The PKCS#10 request as base64 of its PEM text (a `[]byte` field in JSON).
        package var request: String
        /// Which signer is asked, e.g. `kubernetes.io/kubelet-serving`.
        package var signerName: String
        /// Requested key usages, e.g. `digital signature`, `server auth`.
        package var usages: [String]?
        /// The authenticated requester, set by the server (never the requester's own claim).
        package var username: String?
        /// The requester's groups, set by the server.
        package var groups: [String]?

        package init(
            request: String, signerName: String, usages: [String]?, username: String? = nil, groups: [String]? = nil
        ) {
            self.request = request
            self.signerName = signerName
            self.usages = usages
            self.username = username
            self.groups = groups
        }
    }

    /// One entry of `status.conditions`.
    package struct Condition: Codable, Equatable, Sendable {
        /// `Approved`, `Denied` or `Failed`.
        package var type: String
        /// `True`, `False` or `Unknown`.
        package var status: String
        package var reason: String?
        package var message: String?

        package init(type: String, status: String, reason: String? = nil, message: String? = nil) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
        }
    }

    /// The `status`: decisions and, once signed, the certificate.
    package struct Status: Codable, Equatable, Sendable {
        package var conditions: [Condition]?
        package var certificate: String?
    }

    /// `certificates.k8s.io/v1` (absent on items of a list).
    package var apiVersion: String?
    /// `CertificateSigningRequest` (absent on items of a list).
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec
    package var status: Status?

    package init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.apiVersion = "certificates.k8s.io/v1"
        self.kind = "CertificateSigningRequest"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The collection path.
    package static let collectionPath = "/apis/certificates.k8s.io/v1/certificatesigningrequests"

    /// The PEM request, or nil when `spec.request` is not base64.
    package var requestPEM: Data? { Data(base64Encoded: spec.request) }

    /// The decision already taken (`Approved`, `Denied` or `Failed` with status True), or nil while pending.
    package var decision: String? {
        status?.conditions?.first { ["Approved", "Denied", "Failed"].contains($0.type) && $0.status == "True" }?.type
    }
}

/// A `certificatesigningrequests` list: the items as typed objects and as the JSON the server sent.
package struct CertificateSigningRequestList: Sendable {
    /// One item: what the supervisor decides on, and the server's JSON to send back when approving.
    package struct Item: Sendable {
        package var object: CertificateSigningRequestObject
        package var json: Data
    }

    /// The list's `metadata.resourceVersion`.
    package var resourceVersion: String?
    package var items: [Item]

    /// Parses a list answer; throws `DecodingError` (or Foundation's JSON error) when it is not one.
    package init(listJSON: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: listJSON) as? [String: Any],
            let items = root["items"] as? [Any]
        else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "not a CertificateSigningRequestList (no items)"))
        }
        resourceVersion = (root["metadata"] as? [String: Any])?["resourceVersion"] as? String
        self.items = try items.map { item in
            let json = try JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])
            return Item(object: try JSONDecoder().decode(CertificateSigningRequestObject.self, from: json), json: json)
        }
    }
}

/// Builds the body of `PUT .../certificatesigningrequests/NAME/approval`, as `kubectl certificate approve` does: the
/// object as read (its resourceVersion makes the write conditional) with an `Approved` condition appended.
package enum CSRApprovalBody {
    /// `objectJSON` with `{"type":"Approved","status":"True","reason":reason,"message":message}` appended to
    /// `status.conditions` and apiVersion/kind filled in (list items carry neither). Throws when it is not a JSON object.
    package static func approving(_ objectJSON: Data, reason: String, message: String) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: objectJSON) as? [String: Any] else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON object"))
        }
        object["apiVersion"] = "certificates.k8s.io/v1"
        object["kind"] = "CertificateSigningRequest"
        var status = object["status"] as? [String: Any] ?? [:]
        var conditions = status["conditions"] as? [Any] ?? []
        conditions.append(["type": "Approved", "status": "True", "reason": reason, "message": message])
        status["conditions"] = conditions
        object["status"] = status
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
