import AgentCore
import AgentRuntime
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The real monotonic clock (CLOCK_MONOTONIC) and nanosleep.
package final class SystemClock: MonotonicClock {
    package init() {}

    package func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    package func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// The system random generator, as a `RandomSource`.
package final class SystemRandom: RandomSource {
    package init() {}

    package func nextUnit() -> Double { Double.random(in: 0..<1) }
}
