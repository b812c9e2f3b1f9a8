import Foundation
import XCTest
import Yams

@testable import AgentCore

/// The annotation that makes the kubelet restart exactly the static pods whose certificates were renewed.
final class CertificateRestartAnnotationTests: XCTestCase {
    private func modern() throws -> (ClusterConfig, ClusterConfig.Master) {
        let config = try ConfigLoader.load(
            yaml: TestSupport.fixtureText("modern-cluster.yaml"), file: "modern-cluster.yaml")
        return (config, config.masters[0])
    }

    func testAffectedPodsFollowTheFlagsOfEachComponent() {
        XCTAssertEqual(CertificateRestartAnnotation.affectedPods(by: ["front-proxy-client"]), ["kube-apiserver"])
        XCTAssertEqual(
            CertificateRestartAnnotation.affectedPods(by: ["scheduler.conf", "admin.conf"]), ["kube-scheduler"])
        XCTAssertEqual(CertificateRestartAnnotation.affectedPods(by: ["admin.conf", "kubelet.conf"]), [])
        XCTAssertEqual(
            CertificateRestartAnnotation.affectedPods(by: ["apiserver", "controller-manager.conf", "proxy.conf"]),
            ["kube-apiserver", "kube-controller-manager", "kube-proxy"])
        // Every kubeconfig a pod's command names is among its entries.
        let (config, node) = try! modern()
        for pod in ModernProfile().staticPods(config: config, node: node) {
            let command = pod.spec.containers.flatMap { $0.command }.joined(separator: " ")
            for conf in ["controller-manager.conf", "scheduler.conf", "proxy.conf"]
            where command.contains("/etc/kubernetes/\(conf)") {
                XCTAssertTrue(
                    CertificateRestartAnnotation.entriesByPod[pod.metadata.name]?.contains(conf) == true,
                    "\(pod.metadata.name) reads \(conf)")
            }
        }
    }

    func testManifestsChangeOnlyInTheAnnotation() throws {
        let (config, node) = try modern()
        let plain = ModernProfile().staticPods(config: config, node: node)
        XCTAssertEqual(plain, ModernProfile().staticPods(config: config, node: node, certificateDigests: [:]))
        let digests = ["apiserver": "aa11", "front-proxy-client": "bb22", "scheduler.conf": "cc33"]
        let annotated = ModernProfile().staticPods(config: config, node: node, certificateDigests: digests)
        for (before, after) in zip(plain, annotated) {
            let name = before.metadata.name
            let beforeText = try ManifestRenderer.yaml(before), afterText = try ManifestRenderer.yaml(after)
            switch name {
            case "kube-apiserver", "kube-scheduler":
                let value = name == "kube-apiserver" ? "apiserver=aa11,front-proxy-client=bb22" : "scheduler.conf=cc33"
                XCTAssertEqual(after.metadata.annotations, [CertificateRestartAnnotation.key: value])
                // Removing the annotation's two lines gives the plain manifest back, byte for byte.
                let lines = afterText.components(separatedBy: "\n")
                let stripped = lines.filter {
                    $0 != "  annotations:" && $0 != "    \(CertificateRestartAnnotation.key): \(value)"
                }
                XCTAssertEqual(lines.count - stripped.count, 2, afterText)
                XCTAssertEqual(stripped.joined(separator: "\n"), beforeText, name)
                // The kubelet and the agent read it back.
                let decoded = try YAMLDecoder().decode(StaticPod.self, from: afterText)
                XCTAssertEqual(decoded.metadata.annotations?[CertificateRestartAnnotation.key], value)
            default:
                XCTAssertEqual(afterText, beforeText, "\(name) has no renewed certificate and stays as it was")
            }
        }
        // A new digest changes the value, hence the pod the kubelet sees.
        let renewedAgain = ModernProfile().staticPods(
            config: config, node: node, certificateDigests: digests.merging(["apiserver": "dd44"]) { $1 })
        XCTAssertNotEqual(renewedAgain[0].metadata.annotations, annotated[0].metadata.annotations)
    }
}
