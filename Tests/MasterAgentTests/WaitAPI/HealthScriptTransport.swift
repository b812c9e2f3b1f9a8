import Foundation

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A scripted `HTTPTransport` for wait-api unit tests: answers from a function of the request and
/// the virtual time, advances the manual clock by each exchange's cost, and records every request.
final class HealthScriptTransport: HTTPTransport {
    /// What one exchange gives: a response or a transport error, and how long it takes.
    enum Reply {
        case answer(Int, String, headers: [String: String] = [:])
        case fail(HTTPClientError.Code)
    }

    private let clock: ManualClock
    private let script: (HTTPRequest, Double) -> Reply
    /// Seconds each exchange takes in virtual time (a timeout takes the request's timeout instead).
    var cost = 0.002
    private(set) var requests: [(request: HTTPRequest, at: Double)] = []

    init(clock: ManualClock, script: @escaping (HTTPRequest, Double) -> Reply) {
        self.clock = clock
        self.script = script
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let at = clock.now()
        requests.append((request, at))
        let reply = script(request, at)
        if case .fail(.timeout) = reply {
            clock.advance(
                Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18)
        } else {
            clock.advance(cost)
        }
        switch reply {
        case .answer(let status, let body, let headers):
            var lowered = ["content-type": "text/plain; charset=utf-8"]
            for (name, value) in headers { lowered[name.lowercased()] = value }
            let timing = HTTPResponse.Timing(
                total: .zero, nameLookup: .zero, connect: .zero, tlsHandshake: .zero,
                firstByte: .zero, newConnections: 0)
            return HTTPResponse(status: status, headers: lowered, body: Data(body.utf8), timing: timing)
        case .fail(let code):
            throw HTTPClientError(
                code: code, method: request.method.rawValue, url: request.url, curlCode: 99,
                curlMessage: "scripted \(code)",
                tlsVerifyResult: code == .tls ? "unable to get local issuer certificate" : nil,
                osErrno: 0)
        }
    }
}

/// A TCP probe that refuses until a virtual time, then connects; records each probe.
final class ScriptedTCPProbe: TCPConnectProbe {
    private let clock: ManualClock
    private let listensFrom: Double
    private(set) var probes: [Double] = []

    init(clock: ManualClock, listensFrom: Double) {
        self.clock = clock
        self.listensFrom = listensFrom
    }

    func canConnect(host: String, port: Int, timeout: Duration) -> TCPConnectResult {
        probes.append(clock.now())
        return clock.now() >= listensFrom ? .connected : .refused
    }
}
