import FoundationEssentials

/// The real wall clock (gettimeofday via Foundation), as a `WallClock`.
final class SystemWallClock: WallClock {
    func wallNow() -> Date { Date() }
}
