import AgentCore
import FoundationEssentials

/// Reads and writes Kubernetes objects as JSON over an `HTTPTransport`. Non-2xx answers become
/// `APIError` (its `statusReason` tells NotFound, AlreadyExists and Conflict apart); transport
/// failures stay `HTTPTransportFailure`.
package final class KubernetesAPIClient {
    /// Base URL of the API server without a trailing slash, e.g. `http://127.0.0.1:8080`.
    package let baseURL: String
    private let transport: HTTPTransport
    private let timeout: Duration

    /// A client for `baseURL` (the config's `apiServer.localURL`) over `transport`; `timeout` bounds each request.
    package init(transport: HTTPTransport, baseURL: String, timeout: Duration = .seconds(10)) {
        self.transport = transport
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeout = timeout
    }

    /// GET `path` decoded as `T`; throws `APIError` (NotFound for a missing object) or `HTTPTransportFailure`.
    package func get<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        let request = HTTPRequest(
            method: .get, url: baseURL + path, headers: ["Accept": "application/json"], timeout: timeout)
        return try APIError.decode(T.self, from: try transport.send(request), for: request)
    }

    /// GET `path` decoded as `T`, or nil when the object is absent (NotFound, or a bare 404 from a server without that
    /// path); throws `APIError` for any other failure or `HTTPTransportFailure`.
    package func getIfPresent<T: Decodable>(_ type: T.Type, _ path: String) throws -> T? {
        do {
            return try get(T.self, path)
        } catch let error as APIError where error.statusReason == .notFound {
            return nil
        }
    }

    /// POST `object` to the collection at `path` and return what the server stored; throws `APIError`
    /// (AlreadyExists when the name is taken) or `HTTPTransportFailure`.
    package func create<T: Codable>(_ object: T, in path: String) throws -> T {
        let request = try HTTPRequest.json(.post, url: baseURL + path, body: object, timeout: timeout)
        return try APIError.decode(T.self, from: try transport.send(request), for: request)
    }

    /// PUT `object` at `path` (it carries the resourceVersion it was read with) and return the stored object;
    /// throws `APIError` (Conflict when the object changed since) or `HTTPTransportFailure`.
    package func update<T: Codable>(_ object: T, at path: String) throws -> T {
        let request = try HTTPRequest.json(.put, url: baseURL + path, body: object, timeout: timeout)
        return try APIError.decode(T.self, from: try transport.send(request), for: request)
    }

    /// GET `path` and return the body as sent (for JSON that goes back to the server, such as a CSR to approve);
    /// throws `APIError` for a non-2xx answer or `HTTPTransportFailure`.
    package func getJSON(_ path: String) throws -> Data {
        let request = HTTPRequest(
            method: .get, url: baseURL + path, headers: ["Accept": "application/json"], timeout: timeout)
        return try APIError.check(try transport.send(request), for: request).body
    }

    /// PUT the JSON `body` at `path` and return the stored object as `T`; throws `APIError` or `HTTPTransportFailure`.
    package func putJSON<T: Decodable>(_ body: Data, at path: String, returning type: T.Type) throws -> T {
        let request = HTTPRequest(
            method: .put, url: baseURL + path,
            headers: ["Content-Type": "application/json", "Accept": "application/json"], body: body, timeout: timeout)
        return try APIError.decode(T.self, from: try transport.send(request), for: request)
    }

    /// PATCH `path` with a JSON merge patch (RFC 7386; `application/merge-patch+json`) and return the stored
    /// object; throws `APIError` (NotFound for a missing object) or `HTTPTransportFailure`.
    package func mergePatch<T: Decodable>(_ patch: Data, at path: String, returning type: T.Type) throws -> T {
        let request = HTTPRequest(
            method: .patch, url: baseURL + path,
            headers: ["Content-Type": "application/merge-patch+json", "Accept": "application/json"], body: patch,
            timeout: timeout)
        return try APIError.decode(T.self, from: try transport.send(request), for: request)
    }

    /// API discovery: true when GET `path` answers 2xx, false on 404; throws `APIError` for any other
    /// status or `HTTPTransportFailure`.
    package func serves(_ path: String) throws -> Bool {
        let request = HTTPRequest(
            method: .get, url: baseURL + path, headers: ["Accept": "application/json"], timeout: timeout)
        let response = try transport.send(request)
        if response.status == 404 { return false }
        try APIError.check(response, for: request)
        return true
    }
}
