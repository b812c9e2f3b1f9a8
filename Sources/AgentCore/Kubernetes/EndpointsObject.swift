/// A v1 Endpoints object used as a lock, as client-go did before Leases existed (the v1.2 servers of the
/// legacy profile): the record lives in the `control-plane.alpha.kubernetes.io/leader` annotation.
package struct EndpointsObject: Codable, Equatable, Sendable {
    /// Always `v1`.
    package var apiVersion: String = "v1"
    /// Always `Endpoints`.
    package var kind: String = "Endpoints"
    /// Name, namespace, resourceVersion and the annotations holding the record.
    package var metadata: ObjectMeta

    /// An Endpoints object carrying `record`, keeping the other annotations of `existing` when given.
    package init(
        name: String, namespace: String, resourceVersion: String?, record: LeaderElectionRecord,
        existing: ObjectMeta? = nil
    ) {
        var annotations = existing?.annotations ?? [:]
        annotations[LeaderElectionRecord.annotationKey] = record.annotationValue()
        metadata = ObjectMeta(
            name: name, namespace: namespace, resourceVersion: resourceVersion,
            labels: existing?.labels, annotations: annotations)
    }

    /// The record and resourceVersion; an object without the annotation holds a released record.
    /// Throws `LockRecordError` (`malformedAnnotation`).
    package func snapshot() throws -> LockSnapshot {
        let version = metadata.resourceVersion ?? ""
        guard let text = metadata.annotations?[LeaderElectionRecord.annotationKey] else {
            return LockSnapshot(
                record: LeaderElectionRecord(
                    holderIdentity: "", leaseDurationSeconds: 0, acquireTime: nil,
                    renewTime: nil, leaderTransitions: 0),
                resourceVersion: version)
        }
        let record = try LeaderElectionRecord.fromAnnotation(
            text, object: "endpoints \(metadata.namespace ?? "")/\(metadata.name)")
        return LockSnapshot(record: record, resourceVersion: version)
    }
}
