import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// `KubernetesAPIClient.getIfPresent`: absent objects are nil, every other failure still throws.
final class KubernetesAPIClientTests: XCTestCase {
    private func client(_ api: InMemoryKubeAPI) -> KubernetesAPIClient {
        KubernetesAPIClient(transport: api, baseURL: "http://127.0.0.1:8080")
    }

    func testPresentObjectIsDecoded() throws {
        let api = InMemoryKubeAPI(kubeSystem: true)
        let namespace = try client(api).getIfPresent(NamespaceObject.self, "/api/v1/namespaces/kube-system")
        XCTAssertEqual(namespace?.metadata.name, "kube-system")
    }

    func testNotFoundStatusIsNil() throws {
        let api = InMemoryKubeAPI()
        XCTAssertNil(try client(api).getIfPresent(NamespaceObject.self, "/api/v1/namespaces/kube-system"))
        XCTAssertEqual(api.count(.get, "/api/v1/namespaces/kube-system"), 1)
    }

    func testBare404FromAnOldServerIsNil() throws {
        let api = InMemoryKubeAPI(legacy: true)
        XCTAssertNil(
            try client(api).getIfPresent(LeaseObject.self, "/apis/coordination.k8s.io/v1/namespaces/default/leases/x"))
    }

    func testOtherFailuresStillThrow() throws {
        let api = InMemoryKubeAPI(kubeSystem: true)
        api.beforeRequest = { _, _ in
            InMemoryKubeAPI.status(403, "Forbidden", "namespaces \"kube-system\" is forbidden")
        }
        XCTAssertThrowsError(try client(api).getIfPresent(NamespaceObject.self, "/api/v1/namespaces/kube-system")) {
            error in
            XCTAssertEqual((error as? APIError)?.statusReason, .forbidden, "\(error)")
        }
    }
}
