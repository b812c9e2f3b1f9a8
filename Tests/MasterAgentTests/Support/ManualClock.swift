@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Virtual time for Runtime tests: `sleep` advances `now` instantly and records the wait.
final class ManualClock: MonotonicClock {
    private(set) var current: Double
    private(set) var sleeps: [Double] = []

    init(start: Double = 1000) { current = start }

    func now() -> Double { current }

    func sleep(_ seconds: Double) {
        sleeps.append(seconds)
        if seconds > 0 { current += seconds }
    }

    /// Moves time forward without a recorded sleep (time spent inside a request, say).
    func advance(_ seconds: Double) { current += seconds }
}

/// A random source returning a fixed sequence (cycled).
final class FixedRandom: RandomSource {
    private let values: [Double]
    private var index = 0

    init(_ values: Double...) { self.values = values.isEmpty ? [0.5] : values }

    func nextUnit() -> Double {
        defer { index += 1 }
        return values[index % values.count]
    }
}
