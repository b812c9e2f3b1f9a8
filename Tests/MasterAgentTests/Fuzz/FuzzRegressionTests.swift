import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// Replays every input under Fixtures/fuzz-regressions through the function its fuzz target calls
/// (config/ through `ConfigLoader.load`, status/ through `KubernetesStatus.decode`, lease/ through the
/// Lease, Endpoints and annotation decoders), with the same
/// contract the targets in Fuzz/ check. A crashing input found by `scripts/fuzz` is copied here.
final class FuzzRegressionTests: XCTestCase {
    private func inputs(_ folder: String) throws -> [(name: String, data: Data)] {
        let dir = TestSupport.fixture("fuzz-regressions/\(folder)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return try names.map { ($0, try Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    /// Decodes bytes exactly as the fuzz target does (invalid UTF-8 becomes U+FFFD).
    private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    private func problems(_ yaml: String) -> [ConfigProblem]? {
        do {
            _ = try ConfigLoader.load(yaml: yaml, file: "fuzz.yaml")
            return nil
        } catch let error as ConfigError {
            return error.problems
        } catch {
            XCTFail("ConfigLoader threw \(type(of: error)), not ConfigError: \(error)")
            return []
        }
    }

    func testEveryConfigRegressionInputIsLoadedOrRejectedWithProblems() throws {
        let all = try inputs("config")
        XCTAssertGreaterThanOrEqual(all.count, 10)
        for input in all {
            let yaml = text(input.data)
            if let problems = problems(yaml) {
                XCTAssertFalse(problems.isEmpty, "\(input.name): rejected without a problem")
            } else {
                let config = try ConfigLoader.load(yaml: yaml, file: "fuzz.yaml")
                for node in config.masters {
                    XCTAssertEqual(
                        try ManifestRenderer.all(config: config, node: node),
                        try ManifestRenderer.all(config: config, node: node), input.name)
                }
            }
        }
    }

    func testCraftedConfigInputsAreRejectedForTheirReason() throws {
        let expected: [String: String] = [
            "billion-laughs-key.yaml": "an alias bomb?",
            "billion-laughs-fields.yaml": "an alias bomb?",
            "alias-big-scalar-keys.yaml": "an alias bomb?",
            "deep-flow-sequence.yaml": "more than 500 flow lists or mappings",
            "deep-flow-mapping.yaml": "nests too deeply",
            "deep-block-mapping.yaml": "nests too deeply",
            "deep-block-nel-breaks.yaml": "nests too deeply",
            "deep-compact-sequence.yaml": "nests too deeply",
            "huge-numbers.yaml":
                "apiServer.securePort: \"99999999999999999999999999999999999999\" is not a whole number",
            "many-documents.yaml": "is not valid YAML",
            "odd-unicode.yaml": "is not valid YAML",
            "empty.yaml": "the file is empty",
            "odd-unicode-parsable.yaml": "masters[0].address: \"١٠.0.0.1\" is not an IPv4 address",
            "tags-and-merge-keys.yaml": "base: unknown field",
            "near-limits-nesting.yaml": "masters[0]: must be a mapping of fields",
            // Mappings 700 levels deep, just within both nesting bounds: Yams composes them by recursion.
            "near-limits-mapping-nesting.yaml": "masters: must be a list (line 2)",
            "list-as-key.yaml": "has a list or mapping as a key; keys are plain field names (line 2)",
        ]
        let files = Dictionary(uniqueKeysWithValues: try inputs("config").map { ($0.name, $0.data) })
        for (name, phrase) in expected.sorted(by: { $0.key < $1.key }) {
            let data = try XCTUnwrap(files[name], "missing fixture \(name)")
            let problems = try XCTUnwrap(problems(text(data)), "\(name) loaded")
            XCTAssertTrue(
                problems.contains { $0.description.contains(phrase) }, "\(name): no \"\(phrase)\" in \(problems)")
        }
    }

    func testNestingAndExpansionLimitsAreReportedAloneWithTheirLine() throws {
        let deep = text(try XCTUnwrap(inputs("config").first { $0.name == "deep-block-mapping.yaml" }).data)
        let problems = try XCTUnwrap(problems(deep))
        // 2 * indentation + one ':' passes 200 on the line indented 100 columns (line 101).
        XCTAssertEqual(problems, [ConfigProblem(path: "", message: problems[0].message, line: 101)])
        let bomb = text(try XCTUnwrap(inputs("config").first { $0.name == "billion-laughs-key.yaml" }).data)
        XCTAssertEqual(self.problems(bomb)?.count, 1)
    }

    func testAliasesWithinTheBudgetStillLoad() throws {
        let seed = try TestSupport.fixtureText("seed-cluster.yaml")
        let aliased =
            seed
            .replacingOccurrences(of: "  caFile: /etc/ssl/etcd/ca.crt", with: "  caFile: &etcdCA /etc/ssl/etcd/ca.crt")
            .replacingOccurrences(of: "  securePort: 443", with: "  securePort: 443\n  clientCAFile: *etcdCA")
        XCTAssertNotEqual(aliased, seed)
        let config = try ConfigLoader.load(yaml: aliased, file: "aliased.yaml")
        XCTAssertEqual(config.apiServer.clientCAFile, "/etc/ssl/etcd/ca.crt")
        XCTAssertEqual(config, try ConfigLoader.load(yaml: seed, file: "seed.yaml"))
    }

    func testLargestReadableFileWithoutAliasesIsWithinTheExpansionLimit() throws {
        // The command layer reads at most 1 MiB; such a file must meet its field problems, not the limit.
        let yaml = "huge: \"" + String(repeating: "x", count: (1 << 20) - 10) + "\"\n"
        let problems = try XCTUnwrap(problems(yaml))
        XCTAssertTrue(problems.contains { $0.description.hasPrefix("huge: unknown field") }, "\(problems)")
        XCTAssertFalse(problems.contains { $0.message.contains("alias bomb") })
    }

    func testEveryStatusRegressionInputDecodesToAStatusOrNil() throws {
        let all = try inputs("status")
        XCTAssertGreaterThanOrEqual(all.count, 5)
        var decoded = 0
        for input in all {
            guard let status = KubernetesStatus.decode(from: input.data) else { continue }
            decoded += 1
            XCTAssertEqual(status.kind, "Status", input.name)
            XCTAssertEqual(KubernetesStatus.decode(from: try JSONEncoder().encode(status)), status, input.name)
        }
        // lone-surrogate.json and invalid-utf8.json are Status objects with mangled text, not garbage.
        XCTAssertGreaterThanOrEqual(decoded, 1)
    }

    func testEveryLeaseRegressionInputDecodesOrThrowsAndTimesRoundTrip() throws {
        let all = try inputs("lease")
        XCTAssertGreaterThanOrEqual(all.count, 5)
        var snapshots: [String: LockSnapshot] = [:]
        for input in all {
            // Read as the kind it says it is, as the locks do (a Lease has no annotation, an Endpoints no spec).
            let decoder = JSONDecoder()
            let kind = (try? JSONSerialization.jsonObject(with: input.data) as? [String: Any])?["kind"] as? String
            if kind == "Lease", let lease = try? decoder.decode(LeaseObject.self, from: input.data),
                let snapshot = try? lease.snapshot()
            {
                snapshots[input.name] = snapshot
            }
            if kind == "Endpoints", let endpoints = try? decoder.decode(EndpointsObject.self, from: input.data),
                let snapshot = try? endpoints.snapshot()
            {
                snapshots[input.name] = snapshot
            }
            if let record = try? LeaderElectionRecord.fromAnnotation(text(input.data), object: "endpoints fuzz/fuzz") {
                let written = record.annotationValue()
                XCTAssertEqual(
                    try LeaderElectionRecord.fromAnnotation(written, object: "endpoints fuzz/fuzz").annotationValue(),
                    written, input.name)
            }
        }
        for (name, snapshot) in snapshots {
            for date in [snapshot.record.acquireTime, snapshot.record.renewTime].compactMap({ $0 }) {
                let formatted = MicroTime.format(date)
                XCTAssertEqual(MicroTime.parse(formatted).map(MicroTime.format), formatted, name)
            }
        }
        // The valid v1.2 Endpoints record is read with its holder; the broken annotation is not taken for a record.
        XCTAssertEqual(snapshots["endpoints-annotation-valid.json"]?.record.holderIdentity, "master02")
        XCTAssertNil(snapshots["endpoints-annotation-not-json.json"])
        XCTAssertThrowsError(
            try JSONDecoder().decode(
                EndpointsObject.self,
                from: try XCTUnwrap(all.first { $0.name == "endpoints-annotation-not-json.json" }).data
            ).snapshot()
        ) {
            XCTAssertEqual(($0 as? LockRecordError)?.code, .malformedAnnotation)
        }
    }
}
