import AgentCore

/// Time as the runtime sees it: a monotonic reading and a way to wait. Injected so unit tests
/// run in virtual time (a manual clock whose `sleep` only advances `now`).
package protocol MonotonicClock: AnyObject {
    /// Seconds since an arbitrary fixed point; never goes backwards.
    func now() -> Double
    /// Waits `seconds` (returns at once for zero or less).
    func sleep(_ seconds: Double)
}

/// A source of uniform random numbers in [0, 1), injected for jitter so tests are repeatable.
package protocol RandomSource: AnyObject {
    func nextUnit() -> Double
}
