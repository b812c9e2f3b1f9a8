import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Runs scripts/demo, README's "run the main job" command: two nspawn masters install the .deb, get one join
/// token (made on master01, the only file handed to master02) and bootstrap at the same time against a real etcd
/// and API servers sharing one state: one encrypted record of secrets is written once, both end with the same
/// shared files, and exactly one of them creates kube-system. Needs root (overlay mounts, systemd-nspawn) and
/// /usr/bin/etcd (scripts/setup); skips only without root.
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
                "demo: OK: both masters bootstrapped from the .deb; one record of secrets in etcd, only the token "
                    + "handed over; one leader created kube-system exactly once"), out)
        for master in ["master01", "master02"] {
            XCTAssertTrue(out.contains("---- \(master): dpkg -i (exit status 0"), "\(master) install:\n\(out)")
            XCTAssertTrue(
                out.contains("---- \(master): dpkg-reconfigure master-agent (exit status 0"),
                "\(master) bootstrap:\n\(out)")
            XCTAssertTrue(
                out.contains(
                    "\(master): kubelet.service enabled, active; manifests 4/4 in /etc/kubernetes/manifests; "
                        + "master-agent status: \(master): healthy (exit 0)"), out)
            XCTAssertTrue(out.contains("master-agent-bootstrap.service success (started +"), out)
            XCTAssertTrue(
                out.contains(
                    "\(master): postinst's run: validate=done preflight=done cluster-secrets=changed certs=unchanged "
                        + "kubelet-unit=changed manifests=changed kubelet-start=changed\n"),
                "the postinst runs the local part only, the shared files come from etcd:\n\(out)"
            )
            // The unit's run comes after the postinst's local part: nothing local is left to change.
            XCTAssertTrue(
                out.contains(
                    "\(master): unit's run: validate=done preflight=done cluster-secrets=unchanged certs=unchanged "
                        + "kubelet-unit=unchanged manifests=unchanged kubelet-start=unchanged wait-api=done"), out)
        }
        try assertSecretsSharedOnce(out)
        XCTAssertEqual(out.components(separatedBy: "led and created kube-system (201 Created)").count - 1, 1, out)
        XCTAssertTrue(
            out.contains(
                "TLS: apiserver.crt verified against the CA host's CA and holding apiserver.key's public key on: "
                    + "master01 master02\n"), out)

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

    /// One record in etcd, written once by the master whose compare-and-swap won, holding no plaintext; both
    /// masters' shared files byte-identical and matching it; only the token handed from master to master.
    private func assertSecretsSharedOnce(_ out: String) throws {
        let creators = ["master01", "master02"].filter {
            firstMatch(
                "^(\($0)): cluster-secrets: changed: created /master-agent/kubernetes/secrets in etcd "
                    + #"\(revision [0-9]+\) from this master's ca\.crt, apiserver\.key, apiserver\.crt "#
                    + #"\(its compare-and-swap created the record\)$"#, in: out) != nil
        }
        XCTAssertEqual(creators.count, 1, out)
        let creator = try XCTUnwrap(creators.first, out)
        let other = creator == "master01" ? "master02" : "master01"
        XCTAssertTrue(
            out.contains(
                "\(other): cluster-secrets: changed: ca.crt, apiserver.key, apiserver.crt as in "
                    + "/master-agent/kubernetes/secrets, made by \(creator) at "), out)
        let etcdLine = try XCTUnwrap(
            out.split(separator: "\n").first { $0.hasPrefix("etcd: keys in etcd:") }.map(String.init), out)
        XCTAssertNotNil(
            firstMatch(
                #"^etcd: keys in etcd: 1 \(/master-agent/kubernetes/secrets\); /master-agent/kubernetes/secrets: "#
                    + #"created by (master0[12]), create revision ([0-9]+), mod revision \2, version 1; "#
                    + #"etcd revision now \2; [0-9]+ bytes of JSON, no PEM or key text in it$"#, in: etcdLine), etcdLine
        )
        XCTAssertTrue(etcdLine.contains("created by \(creator),"), etcdLine)
        for master in ["master01", "master02"] {
            let status = try XCTUnwrap(
                out.split(separator: "\n").first { $0.hasPrefix("\(master): master-agent secrets status: ") }
                    .map(String.init), out)
            XCTAssertTrue(
                status.hasPrefix(
                    "\(master): master-agent secrets status: healthy (exit 0); record present, created by \(creator) at "
                ), status)
            XCTAssertTrue(
                status.hasSuffix(
                    "/etc/kubernetes/ssl/ca.crt matches, /etc/kubernetes/ssl/apiserver.key matches, "
                        + "/etc/kubernetes/ssl/apiserver.crt matches"), status)
        }
        for file in ["ca.crt", "apiserver.key", "apiserver.crt"] {
            XCTAssertNotNil(
                firstMatch(
                    #"^shared: /etc/kubernetes/ssl/"# + NSRegularExpression.escapedPattern(for: file)
                        + #" sha256 ([0-9a-f]{64}) on master01 master02 \(identical\)$"#, in: out), out)
        }
        XCTAssertTrue(
            out.contains(
                "handed from master to master: /etc/master-agent/join-token (master01 -> master02); nothing else"), out)
    }

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
