import Foundation

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A wall clock for tests: a fixed date that tests move by hand (or tie to a ManualClock).
final class FixedWallClock: WallClock {
    var date: Date
    private let manual: ManualClock?

    /// A clock reading `date` plus, when `following` is given, the time that clock has advanced since.
    init(_ date: Date = Date(timeIntervalSince1970: 1_795_000_000), following manual: ManualClock? = nil) {
        self.date = manual.map { date.addingTimeInterval(-$0.now()) } ?? date
        self.manual = manual
    }

    func wallNow() -> Date { manual.map { date.addingTimeInterval($0.now()) } ?? date }
}
