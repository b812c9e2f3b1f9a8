import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The cluster-secrets step's decisions that need no etcd: skipped, not implemented, the token file's rules.
final class ClusterSecretsStepUnitTests: XCTestCase {
    private func context(_ config: ClusterConfig, files: InMemoryFileStore = InMemoryFileStore()) -> BootstrapContext {
        let context = BootstrapContext(
            config: config, node: config.masters[0], files: files, dryRun: false, logger: Logger(label: "t"),
            clock: ManualClock(), random: FixedRandom(0.5), makeAPITransport: { throw UsageError("no API here") })
        context.secretsCipher = OpenSSLSecretsCipher()
        context.wallClock = FixedWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        context.makeEtcdTransport = {
            XCTFail("etcd must not be contacted"); throw UsageError("no etcd here")
        }
        return context
    }

    private func etcdConfig(_ fixture: String = "seed-cluster.yaml") throws -> ClusterConfig {
        try ConfigLoader.load(
            yaml: TestSupport.fixtureText(fixture) + "\nsecrets:\n  store: etcd\n", file: fixture)
    }

    func testStoreNoneIsSkippedWithTheReason() throws {
        let outcome = try ClusterSecretsStep().run(context(try TestSupport.seedConfig()))
        XCTAssertEqual(outcome.status, .skipped)
        XCTAssertTrue(outcome.message.contains("secrets.store is none"), outcome.message)
    }

    func testTheModernProfilesItemsAreNotImplementedYet() throws {
        let outcome = try ClusterSecretsStep().run(context(try etcdConfig("modern-cluster.yaml")))
        XCTAssertEqual(outcome.status, .notImplemented, outcome.message)
        XCTAssertTrue(outcome.message.contains("nothing was read or written"), outcome.message)
    }

    func testAMissingTokenFileSaysHowToMakeOne() throws {
        let files = InMemoryFileStore()
        XCTAssertThrowsError(try ClusterSecretsStep().run(context(try etcdConfig(), files: files))) {
            XCTAssertTrue("\($0)".contains("master-agent token generate --out /etc/master-agent/join-token"), "\($0)")
        }
        XCTAssertEqual(files.writes, [])
    }

    func testTokenFileModeAndOwnerAreChecked() throws {
        let token = Data((try JoinToken(secret: Data(count: 32)).text + "\n").utf8)
        let path = "/etc/master-agent/join-token"
        let cases: [(UInt16, UInt32, String)] = [
            (0o644, 0, "chmod 600"), (0o640, 0, "chmod 600"), (0o700, 0, "chmod 600"), (0o600, 1000, "chown root"),
        ]
        for (mode, owner, words) in cases {
            let files = InMemoryFileStore()
            files.files[path] = ExistingFile(data: token, mode: mode, ownerUID: owner)
            XCTAssertThrowsError(try JoinTokenFile.read(files, path: path), "\(mode) \(owner)") {
                XCTAssertTrue("\($0)".contains(words), "\($0)")
                XCTAssertFalse("\($0)".contains("mat1-"), "the token is never quoted")
            }
        }
        let files = InMemoryFileStore()
        files.files[path] = ExistingFile(data: token, mode: 0o600, ownerUID: 1000)
        files.writesAsRoot = false
        XCTAssertNoThrow(try JoinTokenFile.read(files, path: path), "not root (--root tests): any owner")
        files.files[path] = ExistingFile(data: token, mode: 0o400, ownerUID: 0)
        XCTAssertNoThrow(try JoinTokenFile.read(files, path: path), "read-only for root is fine too")
    }

    func testPreflightListsAMissingTokenFileUnderStoreEtcd() throws {
        let files = InMemoryFileStore()
        for path in ["/etc/ssl/etcd/ca.crt", "/etc/ssl/etcd/etcd-client.crt", "/etc/ssl/etcd/etcd-client.key"] {
            files.files[path] = ExistingFile(data: Data("x".utf8), mode: 0o600, ownerUID: 0)
        }
        files.files["/usr/local/bin/kubelet"] = ExistingFile(data: Data(), mode: 0o755, ownerUID: 0)
        // No etcd health check here: preflight's own tests cover it.
        let withoutSecrets = context(try TestSupport.seedConfig(), files: files)
        withoutSecrets.makeEtcdTransport = nil
        XCTAssertNoThrow(try PreflightStep().run(withoutSecrets))
        let withSecrets = context(try etcdConfig(), files: files)
        withSecrets.makeEtcdTransport = nil
        XCTAssertThrowsError(try PreflightStep().run(withSecrets)) {
            XCTAssertTrue(
                "\($0)".contains("secrets.tokenFile /etc/master-agent/join-token does not exist"), "\($0)")
        }
    }
}
