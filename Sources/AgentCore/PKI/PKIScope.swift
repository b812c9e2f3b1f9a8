/// Where an item of the PKI tree is made: once for the cluster, or on each master.
package enum PKIScope: String, CaseIterable, Sendable {
    /// The same on every master (CAs, sa.key/sa.pub, the encryption key): made once by the master holding the CA key,
    /// copied to the others, never rewritten.
    case shared
    /// Made on each master for that master (apiserver, its clients, the kubeconfigs).
    case perNode = "per-node"
}
