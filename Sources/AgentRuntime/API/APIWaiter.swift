import AgentCore
import FoundationEssentials

/// Waits until an API server answers `ok` on `/readyz` (or `/healthz` on v1.2): TCP connect probes
/// while its port refuses, then HTTP with jittered backoff, a per-attempt timeout and one deadline.
package struct APIWaiter {
    package let transport: HTTPTransport
    package let probe: TCPConnectProbe
    package let clock: MonotonicClock
    package let random: RandomSource
    /// Sleeps between HTTP attempts.
    package var schedule: BackoffSchedule = .apiReadiness
    /// Seconds between TCP probes while the port refuses.
    package var probeInterval: Double = BackoffSchedule.tcpProbeInterval
    /// Limit for one HTTP attempt (connect + TLS + answer), in seconds; also capped by the deadline.
    package var requestTimeout: Double = 2
    /// Consecutive connection resets on HTTPS after which the wait gives up (a rejected client certificate).
    package var resetLimit: Int = 5

    package init(
        transport: HTTPTransport, probe: TCPConnectProbe, clock: MonotonicClock, random: RandomSource,
        schedule: BackoffSchedule = .apiReadiness, probeInterval: Double = BackoffSchedule.tcpProbeInterval,
        requestTimeout: Double = 2, resetLimit: Int = 5
    ) {
        self.transport = transport
        self.probe = probe
        self.clock = clock
        self.random = random
        self.schedule = schedule
        self.probeInterval = probeInterval
        self.requestTimeout = requestTimeout
        self.resetLimit = resetLimit
    }

    /// Waits for `baseURL` for at most `timeout` seconds, reporting every attempt to `progress`.
    /// Throws `APIWaitError`: `deadline` when time runs out, `tls`/`rejected`/`unusable` at once for
    /// failures that retrying cannot fix.
    package func wait(
        for baseURL: String, timeout: Double,
        progress: (APIWaitProgress) -> Void = { _ in }
    ) throws -> APIWaitResult {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let start = clock.now()
        let deadline = start + timeout
        var result = APIWaitResult(
            url: base, healthPath: "/readyz", secondsRefused: 0, secondsUnready: 0,
            secondsTotal: 0, httpRequests: 0, tcpProbes: 0, lastFailure: nil)
        var stage = APIWaitStage.connecting
        var acceptedAt: Double?
        var attempt = 0
        var resets = 0

        func finish() {
            let now = clock.now()
            result.secondsTotal = now - start
            result.secondsRefused = (acceptedAt ?? now) - start
            result.secondsUnready = acceptedAt.map { now - $0 } ?? 0
        }
        func report(_ reason: String? = nil) {
            progress(
                APIWaitProgress(
                    elapsed: clock.now() - start, stage: stage, reason: reason ?? result.lastFailure,
                    httpRequests: result.httpRequests, tcpProbes: result.tcpProbes))
        }
        func failure(_ code: APIWaitError.Code, _ nextStep: String) -> APIWaitError {
            finish()
            return APIWaitError(
                code: code, url: base, timeout: timeout,
                lastFailure: result.lastFailure ?? "none was made (the timeout is too short)",
                nextStep: nextStep, result: result)
        }

        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            result.lastFailure = "\"\(baseURL)\" is not an http:// or https:// URL"
            throw failure(.unusable, "Check --url or apiServer.localURL.")
        }
        let isHTTPS = scheme == "https"
        let port = components.port ?? (isHTTPS ? 443 : 80)

        while true {
            let remaining = deadline - clock.now()
            guard remaining > 0 else {
                throw failure(
                    .deadline,
                    stage == .connecting
                        ? "Check that the kubelet runs and started the kube-apiserver static pod (journalctl -u kubelet)."
                        : "The API server is up but not ready; check its log and its etcd connection.")
            }
            switch stage {
            case .connecting, .ready:
                result.tcpProbes += 1
                let outcome = probe.canConnect(
                    host: host, port: port, timeout: .milliseconds(Int(min(1, remaining) * 1000)))
                switch outcome {
                case .connected:
                    // The port accepts: go straight to HTTP, no sleep.
                    stage = .starting
                    if acceptedAt == nil { acceptedAt = clock.now() }
                    report("\(host):\(port) accepts connections")
                    continue
                case .refused:
                    result.lastFailure = "connect \(host):\(port): connection refused"
                case .timedOut:
                    result.lastFailure =
                        "connect \(host):\(port): no answer within \(APIWaitError.format(min(1, remaining)))"
                case .failed(let why):
                    result.lastFailure = "connect \(host):\(port): \(why)"
                }
                report()
                clock.sleep(min(probeInterval, max(0, deadline - clock.now())))

            case .starting:
                let url = base + result.healthPath
                let limit = min(requestTimeout, remaining)
                let request = HTTPRequest(
                    method: .get, url: url, headers: ["Accept": "text/plain, */*"],
                    timeout: .milliseconds(max(1, Int(limit * 1000))),
                    connectTimeout: .milliseconds(max(1, Int(min(1, limit) * 1000))))
                result.httpRequests += 1
                var retryAfter: Double?
                do {
                    let response = try transport.send(request)
                    resets = 0
                    switch HealthVerdict.judge(
                        status: response.status, contentType: response.header("content-type"),
                        body: response.bodyText, retryAfterHeader: response.header("retry-after"))
                    {
                    case .ready:
                        stage = .ready
                        finish()
                        progress(
                            APIWaitProgress(
                                elapsed: result.secondsTotal, stage: .ready, reason: "GET \(url): ok",
                                httpRequests: result.httpRequests, tcpProbes: result.tcpProbes))
                        return result
                    case .endpointMissing where result.healthPath == "/readyz":
                        // A server older than v1.16 has no /readyz; /healthz is what it offers.
                        result.healthPath = "/healthz"
                        result.lastFailure = "GET \(url): 404, so this server predates /readyz; asking /healthz"
                        report()
                        continue
                    case .endpointMissing:
                        result.lastFailure = "GET \(url): 404 page not found"
                    case .notReady(let reason, let after):
                        result.lastFailure = "GET \(url): \(reason)"
                        retryAfter = after
                    }
                } catch let error as any HTTPTransportFailure {
                    result.lastFailure = "GET \(url): \(error.cause)"
                    switch error.kind {
                    case .connectionRefused:
                        // The server went away again (a restarting static pod): back to cheap probes.
                        stage = .connecting
                        attempt = 0
                        report()
                        clock.sleep(min(probeInterval, max(0, deadline - clock.now())))
                        continue
                    case .tls:
                        throw failure(.tls, error.nextStep)
                    case .setup, .credentials:
                        throw failure(.unusable, error.nextStep)
                    case .connectionReset:
                        resets += 1
                        if isHTTPS && resets >= resetLimit {
                            result.lastFailure = "GET \(url): \(error.cause), \(resets) times in a row"
                            throw failure(
                                .rejected,
                                "Check whether the server requires a client certificate "
                                    + "(--cert/--key or apiServer.certFile/keyFile) and read its log.")
                        }
                    case .timeout, .dnsFailure, .transport:
                        resets = 0
                    }
                } catch {
                    result.lastFailure = "GET \(url): \(error)"
                }
                report()
                let pause = schedule.delay(
                    attempt: attempt, unit: random.nextUnit(), retryAfter: retryAfter,
                    remaining: max(0, deadline - clock.now()))
                attempt += 1
                clock.sleep(pause)
            }
        }
    }
}
