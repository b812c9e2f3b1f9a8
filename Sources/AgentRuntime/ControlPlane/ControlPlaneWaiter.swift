import AgentCore
import FoundationEssentials

/// Asks every control-plane component for its health, round after round with wait-api's schedule, until all
/// answered `ok` or the deadline passed. Components are asked side by side, so each one's time to healthy is
/// its own, not the sum of the ones before it.
package struct ControlPlaneWaiter {
    /// The transport for `.localAPI` targets (the API server: its CA and the agent's credentials).
    package let localAPI: () throws -> HTTPTransport
    /// The transport for `.loopback` targets (plain HTTP; HTTPS without verification).
    package let loopback: () throws -> HTTPTransport
    package let clock: MonotonicClock
    package let random: RandomSource
    /// Sleeps between rounds: the same fast, bounded schedule as wait-api.
    package var schedule: BackoffSchedule = .apiReadiness
    /// Limit for one request, in seconds; also capped by the deadline.
    package var requestTimeout: Double = 2
    /// Consecutive attempts of one target that failed TLS verification or got 401, after which the wait ends
    /// early: the served certificate and the verdict on the agent's credentials do not change by waiting.
    /// (403 is not among them: a starting API server denies health paths until its RBAC roles exist.)
    package var unfixableLimit = 5

    package init(
        localAPI: @escaping () throws -> HTTPTransport, loopback: @escaping () throws -> HTTPTransport,
        clock: MonotonicClock, random: RandomSource
    ) {
        self.localAPI = localAPI
        self.loopback = loopback
        self.clock = clock
        self.random = random
    }

    /// Where one target stands.
    package struct Progress: Equatable, Sendable {
        package var target: HealthTarget
        /// Index into `target.urls` of the next URL to ask; `urls.count` once healthy.
        package var nextURL = 0
        package var secondsToHealthy: Double?
        package var attempts = 0
        /// The last attempt that failed.
        package var last: Attempt?
        /// Attempts in a row that failed in a way retrying cannot fix (TLS verification, 401).
        package var unfixableStreak = 0

        package var healthy: Bool { secondsToHealthy != nil }
    }

    /// One failed attempt: URL, HTTP status (nil without an answer), what it said, and the failure kind.
    package struct Attempt: Equatable, Sendable {
        package var url: String
        package var status: Int?
        package var detail: String
        package var failure: ComponentEvidence.FailureKind?

        package var line: String { "GET \(url): \(status.map { "\($0) " } ?? "")\(detail)" }
    }

    /// Waits for `targets` for at most `timeout` seconds; returns every target's progress (all healthy unless the
    /// deadline passed or `gaveUp`) and the seconds spent. `gaveUp` is true when a target failed `unfixableLimit`
    /// times in a row in a way retrying cannot fix. `became` is called once per target when it turns healthy.
    /// Throws only when a transport cannot be built (unreadable credentials, libcurl setup).
    package func wait(
        for targets: [HealthTarget], timeout: Double, became: (Progress) -> Void = { _ in }
    ) throws -> (progress: [Progress], seconds: Double, gaveUp: Bool) {
        let start = clock.now()
        let deadline = start + timeout
        var progress = targets.map { Progress(target: $0) }
        var round = 0
        while true {
            for index in progress.indices where !progress[index].healthy {
                try ask(&progress[index], start: start, deadline: deadline)
                if progress[index].healthy { became(progress[index]) }
            }
            let remaining = deadline - clock.now()
            let gaveUp = progress.contains { $0.unfixableStreak >= unfixableLimit }
            if progress.allSatisfy(\.healthy) || remaining <= 0 || gaveUp {
                return (progress, clock.now() - start, gaveUp)
            }
            clock.sleep(schedule.delay(attempt: round, unit: random.nextUnit(), remaining: remaining))
            round += 1
        }
    }

    // Asks the target's next URLs until one is not ok (a component is healthy once each URL said ok).
    private func ask(_ item: inout Progress, start: Double, deadline: Double) throws {
        let transport = try item.target.access == .localAPI ? localAPI() : loopback()
        while item.nextURL < item.target.urls.count {
            let url = item.target.urls[item.nextURL]
            let limit = max(0.001, min(requestTimeout, deadline - clock.now()))
            let request = HTTPRequest(
                method: .get, url: url, headers: ["Accept": "text/plain, */*"],
                timeout: .milliseconds(Int(limit * 1000)), connectTimeout: .milliseconds(Int(min(1, limit) * 1000)))
            item.attempts += 1
            do {
                let response = try transport.send(request)
                let verdict = HealthVerdict.judge(
                    status: response.status, contentType: response.header("content-type"), body: response.bodyText,
                    retryAfterHeader: nil)
                guard verdict != .ready else {
                    item.nextURL += 1
                    continue
                }
                item.last = Attempt(
                    url: url, status: response.status, detail: Self.clip(response.bodyText), failure: nil)
                item.unfixableStreak = response.status == 401 ? item.unfixableStreak + 1 : 0
            } catch let error as any HTTPTransportFailure {
                // A request cut short by the deadline says nothing about the component; the answer before it does.
                if error.kind == .timeout && limit < requestTimeout && item.last != nil { return }
                item.last = Attempt(url: url, status: nil, detail: error.cause, failure: Self.kind(error.kind))
                item.unfixableStreak = error.kind == .tls ? item.unfixableStreak + 1 : 0
            }
            return
        }
        item.secondsToHealthy = clock.now() - start
    }

    private static func kind(_ kind: HTTPTransportFailureKind) -> ComponentEvidence.FailureKind {
        switch kind {
        case .connectionRefused: return .refused
        case .timeout: return .timeout
        case .tls: return .tls
        case .connectionReset: return .reset
        case .dnsFailure, .transport, .setup, .credentials: return .other
        }
    }

    private static func clip(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count <= 600 ? trimmed : String(trimmed.prefix(600)) + "..."
    }
}
