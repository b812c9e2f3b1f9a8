import Foundation

// libFuzzer entry for the API error body decoder: any bytes give a Status or nil, never a trap.
// A decoded Status must survive an encode/decode round trip unchanged, since the runtime logs and
// compares what it decoded.

/// Feeds one input to `KubernetesStatus.decode(from:)` and checks the round trip; always returns 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func kubernetesStatusFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = Data(bytes: bytes, count: count)
    guard let status = KubernetesStatus.decode(from: body) else { return 0 }
    precondition(status.kind == "Status", "decode(from:) returned a non-Status kind")
    let encoded: Data
    do {
        encoded = try JSONEncoder().encode(status)
    } catch {
        preconditionFailure("a decoded Status does not encode: \(error)")
    }
    precondition(KubernetesStatus.decode(from: encoded) == status, "Status changed in an encode/decode round trip")
    return 0
}
