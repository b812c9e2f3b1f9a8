import Foundation

// libFuzzer entry for the leader-election lock decoding (branch `election`): the same bytes are read
// as a coordination.k8s.io/v1 Lease, as a v1 Endpoints lock and as the bare annotation record.
// Each either yields a LockSnapshot or throws; a trap is a finding. Every time that was read must
// format to MicroTime text that parses back to the same text, because the elector writes back what
// it read when it renews.

/// Checks that `date` survives MicroTime.format -> parse -> format unchanged.
private func checkMicroTimeRoundTrip(_ date: Date?) {
    guard let date else { return }
    let text = MicroTime.format(date)
    guard let again = MicroTime.parse(text) else { preconditionFailure("MicroTime.format wrote unparsable \(text)") }
    precondition(MicroTime.format(again) == text, "MicroTime round trip changed \(text) into \(MicroTime.format(again))")
}

/// Checks the times of a snapshot.
private func checkSnapshot(_ snapshot: LockSnapshot) {
    checkMicroTimeRoundTrip(snapshot.record.acquireTime)
    checkMicroTimeRoundTrip(snapshot.record.renewTime)
}

/// Feeds one input to the Lease, Endpoints and annotation decoders; always returns 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func leaseFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = Data(bytes: bytes, count: count)
    let decoder = JSONDecoder()
    if let lease = try? decoder.decode(LeaseObject.self, from: body), let snapshot = try? lease.snapshot() {
        checkSnapshot(snapshot)
    }
    if let endpoints = try? decoder.decode(EndpointsObject.self, from: body), let snapshot = try? endpoints.snapshot() {
        checkSnapshot(snapshot)
    }
    let text = String(decoding: body, as: UTF8.self)
    if let record = try? LeaderElectionRecord.fromAnnotation(text, object: "endpoints fuzz/fuzz") {
        checkMicroTimeRoundTrip(record.acquireTime)
        checkMicroTimeRoundTrip(record.renewTime)
        // What the elector writes must read back as the same record.
        let written = record.annotationValue()
        guard let reread = try? LeaderElectionRecord.fromAnnotation(written, object: "endpoints fuzz/fuzz") else {
            preconditionFailure("annotationValue() wrote text fromAnnotation rejects: \(written)")
        }
        precondition(reread.annotationValue() == written, "annotation round trip changed \(written)")
    }
    return 0
}
