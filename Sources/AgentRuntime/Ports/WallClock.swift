import AgentCore
import FoundationEssentials

/// Wall-clock time, only for the timestamps written into lock records for people to read; election
/// decisions use `MonotonicClock`. Injected so tests write fixed times.
package protocol WallClock: AnyObject {
    /// The current wall-clock time.
    func wallNow() -> Date
}
