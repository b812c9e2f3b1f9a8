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

    func testTheModernProfileReadsItsTokenBeforeContactingEtcd() throws {
        let files = InMemoryFileStore()
        XCTAssertThrowsError(try ClusterSecretsStep().run(context(try etcdConfig("modern-cluster.yaml"), files: files)))
        {
            XCTAssertTrue("\($0)".contains("master-agent token generate"), "\($0)")
        }
        XCTAssertEqual(files.writes, [])
    }

    func testTheModernSetIsTheSharedFilesOfTheModernTree() throws {
        let config = try etcdConfig("modern-cluster.yaml")
        let set = SharedSecretSet.forConfig(config)
        let tree = PKITree.modern(ModernPKIInputs(config, node: config.masters[1]))
        XCTAssertEqual(Set(set.items.map(\.path)), Set(ModernPKIPaths(config).sharedFiles(tree)))
        XCTAssertEqual(set.items.filter(\.isOptional).map(\.name), ["ca.key", "front-proxy-ca.key"])
        XCTAssertEqual(set.caCertificate, "ca.crt")
        XCTAssertEqual(set.serviceAccountKey, "sa.key")
    }

    func testTheEncryptionKeyItemReadsAndWritesTheEncryptionConfig() throws {
        let item = try XCTUnwrap(
            SharedSecretSet.forConfig(try etcdConfig("modern-cluster.yaml")).items.first { $0.kind == .encryptionKey })
        XCTAssertEqual(item.path, "/etc/kubernetes/encryption-config.yaml")
        let key = Data((0..<32).map { UInt8($0) })
        let file = try item.fileContents(for: key)
        let spec = EncryptionKeySpec(name: "key1", provider: "secretbox", byteCount: 32, scope: .shared)
        XCTAssertEqual(file, Data(try EncryptionConfiguration(secretboxKey: spec, key: key).yaml().utf8))
        XCTAssertEqual(try item.value(inFile: file), key)
        let short = try EncryptionConfiguration(secretboxKey: spec, key: Data(count: 16)).yaml()
        XCTAssertThrowsError(try item.value(inFile: Data(short.utf8))) {
            XCTAssertTrue("\($0)".contains("/etc/kubernetes/encryption-config.yaml"), "\($0)")
            XCTAssertTrue("\($0)".contains("32 bytes"), "\($0)")
        }
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
