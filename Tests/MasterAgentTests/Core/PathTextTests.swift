import Foundation
import XCTest
@testable import AgentCore

/// The one path helper still kept (`String.lastPathComponent`) answers as NSString does.
final class PathTextTests: XCTestCase {
    func testLastPathComponentMatchesNSString() {
        let paths = ["/etc/kubernetes/manifests/kube-proxy.yaml", "/etc/systemd/system/kubelet.service", "/a/b/", "/a//b",
                     "/a", "/", "a/b", "/a/b//", "./x", "/.hidden/", "/ä/ö.yaml", "scratch", ""]
        for path in paths {
            XCTAssertEqual(path.lastPathComponent, (path as NSString).lastPathComponent, "last of '\(path)'")
        }
    }
}
