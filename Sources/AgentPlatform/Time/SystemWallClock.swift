import AgentCore
import AgentRuntime
import FoundationEssentials

/// The real wall clock (gettimeofday via Foundation), as a `WallClock`.
package final class SystemWallClock: WallClock {
    package init() {}

    package func wallNow() -> Date { Date() }
}
