import FoundationEssentials

/// A `coordination.k8s.io/v1` Lease, the lock on servers that serve that API.
package struct LeaseObject: Codable, Equatable, Sendable {
    /// The Lease `spec` (times are MicroTime text, exactly six fractional digits).
    package struct Spec: Codable, Equatable, Sendable {
        package var holderIdentity: String?
        package var leaseDurationSeconds: Int?
        package var acquireTime: String?
        package var renewTime: String?
        package var leaseTransitions: Int?
    }

    /// Always `coordination.k8s.io/v1`.
    package var apiVersion: String = "coordination.k8s.io/v1"
    /// Always `Lease`.
    package var kind: String = "Lease"
    /// Name, namespace and resourceVersion.
    package var metadata: ObjectMeta
    /// Holder and times; nil in a Lease nobody ever wrote.
    package var spec: Spec?

    /// A Lease carrying `record`; `resourceVersion` nil for a create, the observed one for an update.
    package init(name: String, namespace: String, resourceVersion: String?, record: LeaderElectionRecord) {
        metadata = ObjectMeta(name: name, namespace: namespace, resourceVersion: resourceVersion)
        spec = Spec(
            holderIdentity: record.holderIdentity, leaseDurationSeconds: record.leaseDurationSeconds,
            acquireTime: record.acquireTime.map(MicroTime.format), renewTime: record.renewTime.map(MicroTime.format),
            leaseTransitions: record.leaderTransitions)
    }

    /// The record and resourceVersion this Lease holds; throws `LockRecordError` (`malformedLeaseTime`).
    package func snapshot() throws -> LockSnapshot {
        let object = "lease \(metadata.namespace ?? "")/\(metadata.name)"
        func time(_ text: String?, _ field: String) throws -> Date? {
            guard let text else { return nil }
            guard let date = MicroTime.parse(text) else {
                throw LockRecordError(
                    .malformedLeaseTime, object: object, cause: "spec.\(field) \"\(text)\" is not a MicroTime")
            }
            return date
        }
        let record = LeaderElectionRecord(
            holderIdentity: spec?.holderIdentity ?? "",
            leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
            acquireTime: try time(spec?.acquireTime, "acquireTime"),
            renewTime: try time(spec?.renewTime, "renewTime"),
            leaderTransitions: spec?.leaseTransitions ?? 0)
        return LockSnapshot(record: record, resourceVersion: metadata.resourceVersion ?? "")
    }
}
