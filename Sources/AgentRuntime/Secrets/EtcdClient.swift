import AgentCore
import FoundationEssentials

/// etcd's v3 KV API through its JSON gateway (`POST /v3/kv/range`, `POST /v3/kv/txn`) over an HTTP transport
/// with the config's mutual TLS. Works with etcd 3.4 and 3.5 (both serve `/v3/`). Each call tries the endpoints
/// in turn, starting with the last one that answered; `retrying` repeats calls while etcd is unavailable.
package final class EtcdClient {
    private let transport: HTTPTransport
    private let endpoints: [String]
    private var preferred = 0

    /// A client for `endpoints` (`https://host:port`, as `etcd.endpoints` holds them).
    package init(transport: HTTPTransport, endpoints: [String]) {
        self.transport = transport
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// The endpoint that answered last, for messages.
    package var currentEndpoint: String { endpoints.isEmpty ? "" : endpoints[preferred] }

    /// The pair at `key`, or nil when the key does not exist. Throws `EtcdError`.
    package func get(_ key: String) throws -> EtcdKeyValue? {
        let response: EtcdRangeResponse = try call("kv/range", body: EtcdRangeRequest(key: key), key: key)
        return response.kvs.first
    }

    /// What `createIfAbsent` found.
    package enum CreateResult: Equatable {
        /// This call created the key, at this store revision.
        case created(revision: Int64)
        /// The key existed already (another master won): its current pair.
        case exists(EtcdKeyValue)
    }

    /// Writes `value` at `key` only when the key does not exist, in one transaction (compare create_revision
    /// == 0); when it exists, returns the value that is there. Throws `EtcdError`.
    package func createIfAbsent(_ key: String, value: Data) throws -> CreateResult {
        let response: EtcdTxnResponse = try call(
            "kv/txn", body: EtcdCreateIfAbsentRequest(key: key, value: value), key: key)
        if response.succeeded { return .created(revision: response.revision) }
        guard let existing = response.rangeResults.first?.kvs.first else {
            // The key was deleted between the compare and the range of the same transaction: impossible in one
            // txn, so this is not an etcd we understand.
            throw EtcdError(
                code: .unexpectedAnswer, endpoint: currentEndpoint, key: key,
                cause: "the transaction failed its create_revision == 0 comparison but returned no value")
        }
        return .exists(existing)
    }

    /// Runs `body` until it succeeds, fails for a reason other than etcd being unavailable, or `deadline`
    /// (on `clock`) passes; sleeps by `schedule` (jittered with `random`) in between. The last error is thrown.
    package func retrying<T>(
        until deadline: Double, clock: MonotonicClock, random: RandomSource,
        schedule: BackoffSchedule = EtcdClient.retrySchedule, onRetry: (EtcdError, Double) -> Void = { _, _ in },
        _ body: () throws -> T
    ) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as EtcdError where error.code == .unavailable {
                let remaining = deadline - clock.now()
                guard remaining > 0 else { throw error.gaveUp(afterDeadline: true) }
                let wait = schedule.delay(attempt: attempt, unit: random.nextUnit(), remaining: remaining)
                onRetry(error, wait)
                clock.sleep(wait)
                attempt += 1
            }
        }
    }

    /// Between attempts while etcd is unavailable: 0.2 s growing to 2 s, so a restarting etcd is seen within
    /// about 2 s and a down one costs a few requests per second across all masters.
    package static let retrySchedule = try! BackoffSchedule(initial: 0.2, cap: 2, multiplier: 2)

    // POSTs `body` to `/v3/<path>` on each endpoint in turn until one answers 200. When none does, the error
    // thrown is `unavailable` (worth retrying) if any endpoint was merely down: refused, timed out, reset, or a 5xx
    // (etcd without a leader, a gateway unable to dial etcd); else the last refusal (TLS, 4xx) is thrown.
    private func call<Request: Encodable, Response: Decodable>(_ path: String, body: Request, key: String) throws
        -> Response
    {
        guard !endpoints.isEmpty else {
            throw EtcdError(code: .rejected, endpoint: "", key: key, cause: "etcd.endpoints is empty")
        }
        var failures: [EtcdError] = []
        for offset in 0..<endpoints.count {
            let index = (preferred + offset) % endpoints.count
            let endpoint = endpoints[index]
            let request = try HTTPRequest.json(
                .post, url: "\(endpoint)/v3/\(path)", body: body, timeout: .seconds(5), connectTimeout: .seconds(2))
            let response: HTTPResponse
            do {
                response = try transport.send(request)
            } catch let failure as HTTPTransportFailure {
                // A certificate etcd refuses, or one we cannot read, stays wrong however often it is retried.
                let refused = [.setup, .credentials, .tls].contains(failure.kind)
                failures.append(
                    EtcdError(
                        code: refused ? .rejected : .unavailable, endpoint: endpoint, key: key, cause: failure.cause,
                        nextStep: failure.nextStep))
                continue
            }
            guard response.status == 200 else {
                failures.append(
                    EtcdError(
                        code: response.status >= 500 ? .unavailable : .rejected, endpoint: endpoint, key: key,
                        cause: "POST /v3/\(path) answered \(response.status) \(Self.excerpt(response))"))
                continue
            }
            preferred = index
            do {
                return try JSONDecoder().decode(Response.self, from: response.body)
            } catch {
                throw EtcdError(
                    code: .unexpectedAnswer, endpoint: endpoint, key: key,
                    cause: "POST /v3/\(path) answered a body that is not etcd's JSON (\(error)): "
                        + Self.excerpt(response))
            }
        }
        var error = failures.last { $0.code == .unavailable } ?? failures.last!
        error.endpointsTried = endpoints.count
        throw error
    }

    private static func excerpt(_ response: HTTPResponse) -> String {
        String(response.bodyText.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// An etcd call that did not give an answer the agent can use.
package struct EtcdError: Error, Equatable, CustomStringConvertible {
    package enum Code: String, Equatable, Sendable {
        /// No endpoint answered (refused, timed out, TLS, 5xx): worth retrying.
        case unavailable
        /// An endpoint refused the request itself (4xx, unreadable credentials): retrying will not help.
        case rejected
        /// An answer that is not etcd's gateway JSON.
        case unexpectedAnswer
    }

    package let code: Code
    /// The endpoint that gave the last answer (or failure).
    package let endpoint: String
    /// The key the call was about.
    package let key: String
    package let cause: String
    package var nextStep = ""
    /// Set when the retries ran out, for the message.
    package var deadlinePassed = false
    /// How many endpoints the last call tried.
    package var endpointsTried = 1

    func gaveUp(afterDeadline: Bool) -> EtcdError {
        var copy = self
        copy.deadlinePassed = afterDeadline
        return copy
    }

    package var description: String {
        let when = deadlinePassed ? " before secrets.waitTimeout ran out" : ""
        let next: String
        switch code {
        case .unavailable:
            next =
                nextStep.isEmpty
                ? "Check that etcd runs and that etcd.endpoints, etcd.caFile, etcd.certFile and etcd.keyFile are right "
                    + "(etcd 3.5's gateway answers 503 unless etcd's serving certificate also has the clientAuth usage)."
                : nextStep
        case .rejected:
            next =
                nextStep.isEmpty
                ? "Check that etcd.certFile is a client certificate etcd accepts and that it may read and write \(key)."
                : nextStep
        case .unexpectedAnswer:
            next = "Check that etcd.endpoints name etcd's client URLs (etcd 3.4 or later)."
        }
        let tried = endpointsTried > 1 ? " (all \(endpointsTried) endpoints failed)" : ""
        return "could not reach \(key) in etcd\(when)\(tried): last attempt \(endpoint): \(cause). \(next)"
    }
}
