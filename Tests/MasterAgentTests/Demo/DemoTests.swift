import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Runs scripts/demo, README's "run the main job" command: two nspawn masters install the .deb at the same
/// time, bootstrap against API servers sharing one state, and exactly one of them creates kube-system.
/// Needs root (overlay mounts, systemd-nspawn); skips only without it.
///
/// The .deb is built once: `MASTER_AGENT_DEMO_DEB` if set, else a package in .build-release/deb-tests (built by
/// DebPackageTests earlier in the same run) or dist/ that is newer than every source, else packaging/build-deb.
final class DemoTests: XCTestCase {
    private static let demo = TestSupport.repoRoot.appendingPathComponent("scripts/demo")
    private static var deb: String?
    private static var buildFailure: String?

    override class func setUp() {
        super.setUp()
        guard getuid() == 0 else { return }
        if let given = ProcessInfo.processInfo.environment["MASTER_AGENT_DEMO_DEB"], !given.isEmpty {
            deb = given
            return
        }
        if let fresh = freshPackage() {
            deb = fresh
            return
        }
        do {
            let out = TestSupport.repoRoot.appendingPathComponent(".build-release/deb-tests").path
            let build = try TestSupport.run(
                TestSupport.repoRoot.appendingPathComponent("packaging/build-deb"),
                ["--no-lintian", "--output-dir", out], timeout: 1800)
            if build.status == 0, let last = build.stdout.split(separator: "\n").last {
                deb = String(last)
            } else {
                buildFailure = "packaging/build-deb failed (\(build.status)):\n\(build.stderr.suffix(4000))"
            }
        } catch {
            buildFailure = "could not run packaging/build-deb: \(error)"
        }
    }

    override func setUpWithError() throws {
        if getuid() != 0 {
            throw XCTSkip(
                "needs root: the demo mounts overlays and boots two systemd containers with systemd-nspawn (run `swift test` as root)"
            )
        }
        if let failure = Self.buildFailure { XCTFail(failure); throw XCTSkip("no package to install") }
    }

    func testTwoMastersInstallAtOnceAndExactlyOneCreatesKubeSystem() throws {
        let run = try runDemo()
        let out = run.stdout
        XCTAssertEqual(run.status, 0, out + run.stderr)
        XCTAssertTrue(
            out.contains(
                "demo: OK: both masters bootstrapped from the .deb; one leader created kube-system exactly once"), out)
        for master in ["master01", "master02"] {
            XCTAssertTrue(out.contains("---- \(master): dpkg -i (exit status 0"), "\(master) install:\n\(out)")
            XCTAssertTrue(
                out.contains(
                    "\(master): kubelet.service enabled, active; manifests 4/4 in /etc/kubernetes/manifests; "
                        + "master-agent status: \(master): healthy (exit 0)"), out)
            XCTAssertTrue(out.contains("master-agent-bootstrap.service success (started +"), out)
            XCTAssertTrue(
                out.contains(
                    "\(master): postinst's run: validate=done preflight=done certs=changed kubelet-unit=changed "
                        + "manifests=changed kubelet-start=changed\n"), "the postinst runs the local part only:\n\(out)"
            )
            // The unit's run comes after the postinst's local part: nothing local is left to change.
            XCTAssertTrue(
                out.contains(
                    "\(master): unit's run: validate=done preflight=done certs=unchanged kubelet-unit=unchanged "
                        + "manifests=unchanged kubelet-start=unchanged wait-api=done"), out)
        }
        XCTAssertEqual(out.components(separatedBy: "led and created kube-system (201 Created)").count - 1, 1, out)
        XCTAssertTrue(
            out.contains(
                "TLS: the CA host's apiserver.key and a certificate verified against its CA on: master01 master02\n"),
            out)

        let leaderLine = try XCTUnwrap(
            out.split(separator: "\n").first { $0.hasPrefix("leader: ") }.map(String.init), out)
        let leader = try XCTUnwrap(
            firstMatch(#"^leader: (master0[12]) created kube-system; "#, in: leaderLine), leaderLine)
        let other = leader == "master01" ? "master02" : "master01"
        // Either the other master followed and waited, or it came after the leader had finished.
        let followed = firstMatch(
            #"; (master0[12]) followed (master0[12]) and waited [0-9.]+s for it$"#, in: leaderLine)
        let cameAfter = leaderLine.contains("; \(other) came after the leader had finished")
        XCTAssertTrue(followed == other || cameAfter, leaderLine)
        if followed != nil { XCTAssertTrue(leaderLine.contains("\(other) followed \(leader)"), leaderLine) }

        // The API's own counters: one create, from the leader's User-Agent, one POST in all.
        let apiLine = try XCTUnwrap(
            out.split(separator: "\n").first { $0.hasPrefix("API (shared state") }.map(String.init), out)
        XCTAssertTrue(
            apiLine.contains(
                ": 1 namespace create(s) (master-agent/\(MasterAgentVersion.current) (node \(leader)): 1) from 1 POST(s)"
            ), apiLine)
        XCTAssertTrue(apiLine.contains("namespaces now: default, kube-system"), apiLine)
        XCTAssertTrue(
            apiLine.contains("default/master-agent-bootstrap"), "the Endpoints lock (v1.2 has no Lease):\n\(apiLine)")
        try assertCleanedUp(run.stdout)
    }

    func testDemoFailsAndCleansUpWhenTheAPIServerNeverComesUp() throws {
        let run = try runDemo(["MASTER_AGENT_DEMO_API_DELAY": "600", "MASTER_AGENT_DEMO_TIMEOUT": "4"])
        let out = run.stdout
        XCTAssertEqual(run.status, 1, out + run.stderr)
        XCTAssertTrue(
            out.contains("demo: FAILED: master01: master-agent-bootstrap.service still running after 4s"), out)
        XCTAssertTrue(out.contains("demo: FAILED: the API counted ? namespace creates (want exactly 1)"), out)
        XCTAssertFalse(out.contains("demo: OK"), out)
        XCTAssertTrue(run.stderr.contains("demo: cleaned up after exit status 1"), run.stderr)
        try assertCleanedUp(out)
    }

    // MARK: - helpers

    private func runDemo(_ extra: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["MASTER_AGENT_DEMO_DEB"] = try XCTUnwrap(Self.deb)
        environment.merge(extra) { _, new in new }
        return try TestSupport.run(
            URL(fileURLWithPath: "/bin/bash"), [Self.demo.path], environment: environment, timeout: 600)
    }

    /// The demo's work folder (named in its output) is gone, and nothing is mounted below it.
    private func assertCleanedUp(_ output: String) throws {
        let work = try XCTUnwrap(firstMatch(#"in (/var/tmp/master-agent-demo\.[A-Za-z0-9]+)/ca"#, in: output), output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work), "\(work) left behind")
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        XCTAssertFalse(mounts.contains(work), "a mount under \(work) left behind")
        let processes = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init)
        for pid in processes {
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let text = String(decoding: cmdline, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            XCTAssertFalse(text.contains(work), "process \(pid) left behind: \(text)")
        }
    }

    private func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// A package of the current version newer than every file it is built from, or nil.
    private static func freshPackage() -> String? {
        let root = TestSupport.repoRoot
        let name = "master-agent_\(MasterAgentVersion.current)_amd64.deb"
        let candidates = [
            root.appendingPathComponent(".build-release/deb-tests/" + name),
            root.appendingPathComponent("dist/" + name),
        ]
        var newestSource = Date.distantPast
        for folder in ["Sources", "packaging"] {
            let enumerator = FileManager.default.enumerator(
                at: root.appendingPathComponent(folder), includingPropertiesForKeys: [.contentModificationDateKey])
            while let url = enumerator?.nextObject() as? URL {
                if let date = modified(url), date > newestSource { newestSource = date }
            }
        }
        for file in ["Package.swift", "Package.resolved"] {
            if let date = modified(root.appendingPathComponent(file)), date > newestSource { newestSource = date }
        }
        return
            candidates
            .compactMap { url in modified(url).map { (url.path, $0) } }
            .filter { $0.1 > newestSource }
            .max { $0.1 < $1.1 }?.0
    }

    private static func modified(_ url: URL) -> Date? {
        (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
    }
}
