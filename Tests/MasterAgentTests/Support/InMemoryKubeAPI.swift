import Foundation

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// A scripted, in-memory Kubernetes API for Runtime unit tests: namespaces, leases and endpoints with
/// increasing resourceVersions, Status errors with the real reasons (NotFound, AlreadyExists, Conflict),
/// discovery of coordination.k8s.io/v1 (404 in legacy mode), a request log, and a hook that runs before
/// each request so a test can make "another master" act at an exact moment or answer in its place.
final class InMemoryKubeAPI: HTTPTransport {
    /// Objects by API path (e.g. `/api/v1/namespaces/kube-system`), as JSON dictionaries.
    private(set) var objects: [String: [String: Any]] = [:]
    /// Every request received, in order.
    private(set) var requests: [HTTPRequest] = []
    /// Runs before each request is served; return a response to answer instead of the store.
    var beforeRequest: ((HTTPRequest, InMemoryKubeAPI) -> HTTPResponse?)?
    /// True to behave like v1.2: no coordination.k8s.io group.
    let legacy: Bool
    private var resourceVersion = 100

    /// A server with `default` (and kube-system when `kubeSystem`) namespaces.
    init(legacy: Bool = false, kubeSystem: Bool = false) {
        self.legacy = legacy
        store("/api/v1/namespaces/default", ["metadata": ["name": "default"]])
        if kubeSystem { store("/api/v1/namespaces/kube-system", ["metadata": ["name": "kube-system"]]) }
    }

    /// Requests whose method and path (without the base URL) match.
    func count(_ method: HTTPMethod, _ path: String) -> Int {
        requests.filter { $0.method == method && Self.path(of: $0.url) == path }.count
    }

    /// Writes `object` at `path` as another client would, bumping the resourceVersion.
    @discardableResult
    func store(_ path: String, _ object: [String: Any]) -> [String: Any] {
        var object = object
        // As the real server: every object it returns names its kind and apiVersion.
        let resource = path.split(separator: "/").dropLast().last.map(String.init) ?? ""
        let kinds = [
            "namespaces": ("v1", "Namespace"), "endpoints": ("v1", "Endpoints"),
            "leases": ("coordination.k8s.io/v1", "Lease"), "nodes": ("v1", "Node"),
            "clusterrolebindings": ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
            "certificatesigningrequests": ("certificates.k8s.io/v1", "CertificateSigningRequest"),
        ]
        if let (apiVersion, kind) = kinds[resource] {
            object["apiVersion"] = apiVersion
            object["kind"] = kind
        }
        var meta = object["metadata"] as? [String: Any] ?? [:]
        resourceVersion += 1
        meta["resourceVersion"] = String(resourceVersion)
        object["metadata"] = meta
        objects[path] = object
        return object
    }

    /// The object at `path` decoded as `T`.
    func object<T: Decodable>(_ type: T.Type, at path: String) throws -> T? {
        guard let object = objects[path] else { return nil }
        return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// Another master writing a Lease record (as its own elector would).
    func writeLease(
        _ record: LeaderElectionRecord, name: String = "master-agent-bootstrap", namespace: String = "default"
    ) throws {
        let lease = LeaseObject(name: name, namespace: namespace, resourceVersion: nil, record: record)
        store(
            "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases/\(name)",
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(lease)) as! [String: Any])
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        requests.append(request)
        if let answer = beforeRequest?(request, self) { return answer }
        let path = Self.path(of: request.url)
        if path == "/apis/coordination.k8s.io/v1" {
            return legacy
                ? Self.response(404, text: "404 page not found\n")
                : Self.response(200, json: ["kind": "APIResourceList"])
        }
        if legacy && path.hasPrefix("/apis/coordination.k8s.io") {
            return Self.response(404, text: "404 page not found\n")
        }
        let body = request.body.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        let resource = path.split(separator: "/").dropLast().last.map(String.init) ?? ""
        switch request.method {
        case .get:
            guard let object = objects[path] else {
                return Self.status(404, "NotFound", "\(resource) \"\(Self.name(path))\" not found")
            }
            return Self.response(200, json: object)
        case .post:
            guard var body, let name = (body["metadata"] as? [String: Any])?["name"] as? String else {
                return Self.status(400, "BadRequest", "no name")
            }
            let target = "\(path)/\(name)"
            if objects[target] != nil {
                return Self.status(
                    409, "AlreadyExists", "\(path.split(separator: "/").last!) \"\(name)\" already exists")
            }
            body["metadata"] = (body["metadata"] as? [String: Any] ?? [:]).merging(["uid": UUID().uuidString]) { a, _ in
                a
            }
            return Self.response(201, json: store(target, body))
        case .put:
            guard let body else { return Self.status(400, "BadRequest", "no body") }
            guard let existing = objects[path] else {
                return Self.status(404, "NotFound", "\(resource) \"\(Self.name(path))\" not found")
            }
            let sent = (body["metadata"] as? [String: Any])?["resourceVersion"] as? String
            let current = (existing["metadata"] as? [String: Any])?["resourceVersion"] as? String
            guard sent == current else {
                return Self.status(
                    409, "Conflict",
                    "Operation cannot be fulfilled on \(resource) \"\(Self.name(path))\": the object has been modified; please apply your changes to the latest version and try again"
                )
            }
            return Self.response(200, json: store(path, body))
        case .patch:
            // JSON merge patch (RFC 7386), the only patch type the agent sends.
            guard request.headers["Content-Type"] == "application/merge-patch+json" else {
                return Self.status(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
            }
            guard let body else { return Self.status(400, "BadRequest", "no body") }
            guard let existing = objects[path] else {
                return Self.status(404, "NotFound", "\(resource) \"\(Self.name(path))\" not found")
            }
            let merged = Self.mergePatch(existing, body)
            return Self.response(
                200,
                json: NSDictionary(dictionary: merged) == NSDictionary(dictionary: existing)
                    ? existing : store(path, merged))
        default:
            return Self.status(
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        }
    }

    /// `patch` applied to `target` as RFC 7386 says: null removes, objects merge, anything else replaces.
    static func mergePatch(_ target: [String: Any], _ patch: [String: Any]) -> [String: Any] {
        var out = target
        for (key, value) in patch {
            if value is NSNull {
                out.removeValue(forKey: key)
            } else if let inner = value as? [String: Any] {
                out[key] = mergePatch(out[key] as? [String: Any] ?? [:], inner)
            } else {
                out[key] = value
            }
        }
        return out
    }

    /// The path of `url` after scheme and authority.
    static func path(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }

    private static func name(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }

    /// A JSON response.
    static func response(_ status: Int, json: Any) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["content-type": "application/json"],
            body: try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), timing: zeroTiming)
    }

    /// A text response.
    static func response(_ status: Int, text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "text/plain"], body: Data(text.utf8), timing: zeroTiming)
    }

    /// A Kubernetes Status failure.
    static func status(_ code: Int, _ reason: String, _ message: String) -> HTTPResponse {
        response(
            code,
            json: [
                "kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure",
                "message": message, "reason": reason, "code": code,
            ])
    }

    private static let zeroTiming = HTTPResponse.Timing(
        total: .zero, nameLookup: .zero, connect: .zero, tlsHandshake: .zero,
        firstByte: .zero, newConnections: 0)
}
