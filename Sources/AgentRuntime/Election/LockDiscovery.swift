import AgentCore
import Logging

/// Picks the lock kind by API discovery: a Lease where the server serves `coordination.k8s.io/v1`, else
/// the Endpoints lock client-go used on servers without it (v1.2).
package enum LockDiscovery {
    /// The discovery path of the Lease API.
    package static let leaseAPIPath = "/apis/coordination.k8s.io/v1"

    /// GETs `/apis/coordination.k8s.io/v1`: 200 gives a `LeaseLock`, 404 an `EndpointsLock`, and logs which.
    /// Throws `ElectionError` (`discovery`) for any other status, `HTTPTransportFailure` when the server is unreachable.
    package static func chooseLock(client: KubernetesAPIClient, namespace: String, name: String, logger: Logger) throws
        -> ResourceLock
    {
        let served: Bool
        do {
            served = try client.serves(leaseAPIPath)
        } catch let error as APIError {
            throw ElectionError(.discovery, object: "\(namespace)/\(name)", cause: "\(error)")
        }
        let lock: ResourceLock =
            served
            ? LeaseLock(client: client, namespace: namespace, name: name)
            : EndpointsLock(client: client, namespace: namespace, name: name)
        logger.info(
            "chose the election lock kind",
            metadata: [
                "lock": "\(lock.objectDescription)",
                "why":
                    "\(served ? "the server serves coordination.k8s.io/v1" : "the server has no coordination.k8s.io/v1 (404)")",
            ])
        return lock
    }
}
