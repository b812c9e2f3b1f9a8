import AgentCore

/// How one look at the lock ended (`LeaderElector.tryAcquireOrRenew`).
package enum ElectionRound: Equatable, Sendable {
    /// The lock did not exist and we created it.
    case created
    /// We held the lock and renewed it.
    case renewed
    /// The lock was released or lapsed and we took it; `unrenewedFor` is how long we saw no change (0 for a released lock).
    case tookOver(previousHolder: String, unrenewedFor: Double)
    /// Another master holds a valid lease; it lapses in `expiresIn` seconds unless renewed.
    case following(holder: String, expiresIn: Double)
    /// Our create or update lost to another master's (409); look again.
    case lostRace(reason: String)

    /// True when we hold the lock after this round.
    package var isLeading: Bool {
        switch self {
        case .created, .renewed, .tookOver: return true
        case .following, .lostRace: return false
        }
    }
}
