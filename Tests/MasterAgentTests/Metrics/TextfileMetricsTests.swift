import Foundation
import Logging
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// The metrics for node_exporter's textfile collector: the exact text format (read back by a strict reader here and
/// by Prometheus' own Python parser), `metrics.textfileDir`, atomic replacement, and nothing written when it is off.
final class TextfileMetricsTests: XCTestCase {
    private static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: - Text format

    func testRenderWritesHelpTypeAndEscapedSamples() {
        let text = PrometheusText.render([
            MetricFamily(
                name: "x_seconds", help: "a \\ help\nline with \"quotes\"",
                samples: [
                    .init([("name", "q\"b\\s\nn"), ("file", "/etc/p.crt")], value: -86_400),
                    .init([("name", "frac")], value: 0.25),
                ]),
            MetricFamily(name: "y", help: "plain", samples: [.init(value: .infinity)]),
        ])
        XCTAssertEqual(
            text,
            """
            # HELP x_seconds a \\\\ help\\nline with "quotes"
            # TYPE x_seconds gauge
            x_seconds{name="q\\"b\\\\s\\nn",file="/etc/p.crt"} -86400
            x_seconds{name="frac"} 0.25
            # HELP y plain
            # TYPE y gauge
            y +Inf

            """)
        XCTAssertFalse(PrometheusText.isMetricName("1x"))
        XCTAssertFalse(PrometheusText.isLabelName("__name"))
        XCTAssertFalse(PrometheusText.isLabelName("a:b"))
        XCTAssertTrue(PrometheusText.isMetricName("a:b_c9"))
    }

    /// Every family the agent writes, read back line by line by the format's grammar.
    func testAgentFamiliesReadBackByAStrictReader() throws {
        let text = PrometheusText.render(Self.agentFamilies())
        let samples = try StrictExpositionReader.read(text)
        XCTAssertEqual(
            samples[
                "master_agent_certificate_expiry_seconds{name=\"apiserver\",file=\"/etc/kubernetes/pki/apiserver.crt\"}"
            ],
            86_400 * 20)
        XCTAssertEqual(
            samples["master_agent_certificate_expiry_seconds{name=\"ca\",file=\"/etc/kubernetes/pki/ca.crt\"}"],
            -1)
        XCTAssertEqual(samples["master_agent_certificate_renewal_success"], 0)
        XCTAssertEqual(samples["master_agent_certificate_renewal_timestamp_seconds"], 1_800_000_000)
        XCTAssertEqual(samples["master_agent_bootstrap_step_duration_seconds{step=\"certs\",status=\"done\"}"], 1.5)
        XCTAssertEqual(samples["master_agent_bootstrap_success"], 1)
        XCTAssertEqual(samples.count, 8)
    }

    /// Prometheus' own parser (python3-prometheus-client) agrees on every sample.
    func testPrometheusClientParsesEverySample() throws {
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        let probe = try TestSupport.run(python, ["-c", "import prometheus_client"])
        guard probe.status == 0 else {
            throw XCTSkip("python3-prometheus-client is not installed (scripts/setup installs it)")
        }
        let text = PrometheusText.render(Self.agentFamilies())
        let script = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                assert family.type == "gauge", family
                for s in family.samples:
                    out.append([family.name, family.documentation, s.name, sorted(s.labels.items()), s.value])
            print(json.dumps(out))
            """
        let result = try TestSupport.run(python, ["-c", script], input: text)
        XCTAssertEqual(result.status, 0, result.stderr)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Any]])
        var expected: [String] = []
        for family in Self.agentFamilies() {
            for sample in family.samples {
                let labels = sample.labels.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value)" }
                expected.append("\(family.name) \(family.help) \(labels) \(sample.value)")
            }
        }
        let got = parsed.map { row -> String in
            let labels = (row[3] as! [[String]]).map { "\($0[0])=\($0[1])" }
            XCTAssertEqual(row[0] as? String, row[2] as? String)
            return "\(row[0]) \(row[1]) \(labels) \((row[4] as! NSNumber).doubleValue)"
        }
        XCTAssertEqual(got, expected)
    }

    static func agentFamilies() -> [MetricFamily] {
        let expiries = [
            AgentMetrics.CertificateExpiry(
                name: "apiserver", file: "/etc/kubernetes/pki/apiserver.crt",
                notAfter: epoch.addingTimeInterval(86_400 * 20)),
            AgentMetrics.CertificateExpiry(
                name: "ca", file: "/etc/kubernetes/pki/ca.crt", notAfter: epoch.addingTimeInterval(-0.5)),
            AgentMetrics.CertificateExpiry(
                name: "we\"ird\\name", file: "/etc/kubernetes/a\nb.conf", notAfter: epoch),
        ]
        return AgentMetrics.certificates(expiries, now: epoch)
            + AgentMetrics.renewal(succeeded: false, finishedAt: epoch)
            + AgentMetrics.bootstrap(
                [.init(step: "certs", status: "done", seconds: 1.5)], succeeded: true, finishedAt: epoch)
    }

    // MARK: - Config

    func testTextfileDirIsOffByDefaultAndMustBeAbsolute() throws {
        XCTAssertNil(try ModernCertsTestSupport.config().metrics.textfileDir)
        let on = try ModernCertsTestSupport.config { $0 + "\nmetrics:\n  textfileDir: /var/lib/node_exporter\n" }
        XCTAssertEqual(on.metrics.textfileDir, "/var/lib/node_exporter")
        for bad in ["textfile", "/var/../etc"] {
            XCTAssertThrowsError(
                try ModernCertsTestSupport.config { $0 + "\nmetrics:\n  textfileDir: \(bad)\n" }
            ) { error in
                let problems = (error as? ConfigError)?.problems.map(\.description) ?? []
                XCTAssertTrue(
                    problems.contains { $0.contains("metrics.textfileDir") }, "\(error)")
            }
        }
        XCTAssertThrowsError(try ModernCertsTestSupport.config { $0 + "\nmetrics:\n  textfiledir: /x\n" })
    }

    // MARK: - Writing

    func testNothingIsWrittenWhenTheConfigNamesNoDirectory() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "off")
        let config = try ModernCertsTestSupport.config()
        let writer = TextfileMetricsWriter(
            config: config, files: RootedFileSystem(root: root.path), logger: Logger(label: "test"))
        XCTAssertNil(writer.write(Self.agentFamilies(), to: AgentMetrics.certificatesFile))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [])
    }

    /// A reader polling the `*.prom` file while it is replaced over and over sees only whole files, and no
    /// temporary file is left (nor named `*.prom`, which the collector would read).
    func testReplacementIsAtomic() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "atomic")
        let dir = "/var/lib/node_exporter"
        try FileManager.default.createDirectory(atPath: root.path + dir, withIntermediateDirectories: true)
        let config = try ModernCertsTestSupport.config { $0 + "\nmetrics:\n  textfileDir: \(dir)\n" }
        let writer = TextfileMetricsWriter(
            config: config, files: RootedFileSystem(root: root.path), logger: Logger(label: "test"))
        let big = (0..<1000).map {
            AgentMetrics.CertificateExpiry(name: "c\($0)", file: "/p/c\($0).crt", notAfter: Self.epoch)
        }
        let versions = [
            PrometheusText.render(AgentMetrics.certificates(big, now: Self.epoch)),
            PrometheusText.render(AgentMetrics.certificates(big, now: Self.epoch.addingTimeInterval(-1))),
        ]
        let path = root.path + dir + "/" + AgentMetrics.certificatesFile
        XCTAssertEqual(
            writer.write(AgentMetrics.certificates(big, now: Self.epoch), to: AgentMetrics.certificatesFile),
            dir + "/" + AgentMetrics.certificatesFile)
        let done = Atomic(false)
        let torn = Atomic(0)
        let reads = Atomic(0)
        let reader = Thread {
            while !done.value {
                if let data = FileManager.default.contents(atPath: path) {
                    reads.add(1)
                    if !versions.contains(String(decoding: data, as: UTF8.self)) { torn.add(1) }
                }
            }
        }
        reader.start()
        for round in 0..<40 {
            let now = round % 2 == 0 ? Self.epoch.addingTimeInterval(-1) : Self.epoch
            writer.write(AgentMetrics.certificates(big, now: now), to: AgentMetrics.certificatesFile)
        }
        done.set(true)
        while !reader.isFinished { usleep(1000) }
        XCTAssertEqual(torn.value, 0, "a reader saw a partial file")
        XCTAssertGreaterThan(reads.value, 0)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: root.path + dir), [AgentMetrics.certificatesFile])
        XCTAssertFalse(TemporaryFileName.make(for: AgentMetrics.certificatesFile, unique: "1").hasSuffix(".prom"))
    }

    // MARK: - The commands

    /// `certs check`, `certs renew --due` and `bootstrap` under `--root`, as processes, with and without the field.
    func testCommandsWriteTheirFilesOnlyWhenConfigured() throws {
        let dir = "/var/lib/node_exporter"
        let text = try TestSupport.fixtureText("modern-cluster.yaml")
            .replacingOccurrences(of: "keyType: rsa-2048", with: "keyType: ecdsa-p256")
            .replacingOccurrences(of: "https://192.168.0.", with: "https://127.0.0.")
        let configDir = try TestSupport.makeTemporaryDirectory(self, name: "config")
        let off = configDir.path + "/off.yaml", on = configDir.path + "/on.yaml"
        try text.write(toFile: off, atomically: true, encoding: .utf8)
        try (text + "\nmetrics:\n  textfileDir: \(dir)\n").write(toFile: on, atomically: true, encoding: .utf8)
        let root = try TestSupport.makeTemporaryDirectory(self, name: "root")
        try ModernCertsTestSupport.run(try ConfigLoader.load(yaml: text, file: off), node: "master01", root: root)
        try FileManager.default.createDirectory(atPath: root.path + dir, withIntermediateDirectories: true)
        let node = ["--node", "master01", "--root", root.path]

        let quiet = try TestSupport.agent(["certs", "check", "--config", off] + node)
        XCTAssertEqual(quiet.status, 0, quiet.stdout + quiet.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path + dir), [], "off by default")

        let check = try TestSupport.agent(["certs", "check", "--config", on, "--output", "json"] + node)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        // Every certificate row, the CAs' included, carries its days left and its end of validity.
        let rows = try XCTUnwrap(
            (JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])?["rows"]
                as? [[String: Any]])
        let certificates = rows.filter { ($0["file"] as! String).hasSuffix(".crt") }
        XCTAssertTrue(certificates.contains { $0["file"] as? String == "/etc/kubernetes/pki/ca.crt" })
        for row in certificates {
            XCTAssertNotNil(row["expiresInDays"] as? Int, "\(row)")
            XCTAssertNotNil((row["notAfter"] as? String).flatMap { try? Date.ISO8601FormatStyle().parse($0) }, "\(row)")
        }
        let expiries = try StrictExpositionReader.read(
            String(contentsOfFile: root.path + dir + "/" + AgentMetrics.certificatesFile, encoding: .utf8))
        XCTAssertEqual(expiries.count, rows.filter { $0["notAfter"] != nil }.count)
        let caSeconds = try XCTUnwrap(
            expiries["master_agent_certificate_expiry_seconds{name=\"ca\",file=\"/etc/kubernetes/pki/ca.crt\"}"],
            "\(expiries.keys.sorted())")
        let caDays =
            try XCTUnwrap(certificates.first { $0["file"] as? String == "/etc/kubernetes/pki/ca.crt" })[
                "expiresInDays"] as? Int
        XCTAssertEqual(Int((caSeconds / 86_400).rounded(.down)), caDays)
        XCTAssertNotNil(
            expiries[
                "master_agent_certificate_expiry_seconds{name=\"admin.conf\",file=\"/etc/kubernetes/admin.conf\"}"])

        let renew = try TestSupport.agent(["certs", "renew", "--due", "--config", on] + node)
        XCTAssertEqual(renew.status, 0, renew.stdout + renew.stderr)
        let renewal = try StrictExpositionReader.read(
            String(contentsOfFile: root.path + dir + "/" + AgentMetrics.renewalFile, encoding: .utf8))
        XCTAssertEqual(renewal["master_agent_certificate_renewal_success"], 1)
        let finished = try XCTUnwrap(renewal["master_agent_certificate_renewal_timestamp_seconds"])
        XCTAssertLessThan(abs(finished - Date().timeIntervalSince1970), 120)

        let bootstrap = try TestSupport.agent(["bootstrap", "--steps", "certs", "--offline", "--config", on] + node)
        XCTAssertEqual(bootstrap.status, 0, bootstrap.stdout + bootstrap.stderr)
        let steps = try StrictExpositionReader.read(
            String(contentsOfFile: root.path + dir + "/" + AgentMetrics.bootstrapFile, encoding: .utf8))
        XCTAssertNotNil(steps["master_agent_bootstrap_step_duration_seconds{step=\"certs\",status=\"unchanged\"}"])
        XCTAssertNotNil(steps["master_agent_bootstrap_step_duration_seconds{step=\"validate\",status=\"done\"}"])
        XCTAssertEqual(steps["master_agent_bootstrap_success"], 1)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: root.path + dir)),
            [AgentMetrics.certificatesFile, AgentMetrics.renewalFile, AgentMetrics.bootstrapFile])
    }

    func testMissingDirectoryIsReportedNotCreatedAndDoesNotThrow() throws {
        let root = try TestSupport.makeTemporaryDirectory(self, name: "missing")
        let config = try ModernCertsTestSupport.config { $0 + "\nmetrics:\n  textfileDir: /nowhere\n" }
        let writer = TextfileMetricsWriter(
            config: config, files: RootedFileSystem(root: root.path), logger: Logger(label: "test"))
        XCTAssertNil(writer.write(Self.agentFamilies(), to: AgentMetrics.bootstrapFile))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/nowhere"))
    }
}

/// A lock-protected value shared with the reader thread.
private final class Atomic<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
}

extension Atomic where Value == Int {
    func add(_ delta: Int) { lock.withLock { stored += delta } }
}

/// Reads Prometheus text exposition (0.0.4) strictly: each family is `# HELP`, then `# TYPE name gauge`, then its
/// samples `name{label="value",...} value` with only the format's escapes; anything else throws. Returns the
/// samples by their line's series text.
enum StrictExpositionReader {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func read(_ text: String) throws -> [String: Double] {
        guard text.hasSuffix("\n") else { throw Failure(description: "no final line feed") }
        var samples: [String: Double] = [:]
        var family: String?
        var typed = false
        var seen: Set<String> = []
        for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                guard PrometheusText.isMetricName(name), !seen.contains(name) else {
                    throw Failure(description: "bad or repeated HELP: \(line)")
                }
                try checkEscapes(String(rest.dropFirst(name.count + 1)), allowQuote: true, line: line)
                family = name
                typed = false
                seen.insert(name)
            } else if line.hasPrefix("# TYPE ") {
                guard let family, !typed, line == "# TYPE \(family) gauge" else {
                    throw Failure(description: "TYPE not right after its HELP: \(line)")
                }
                typed = true
            } else {
                guard let family, typed else { throw Failure(description: "sample before HELP and TYPE: \(line)") }
                guard let space = line.lastIndex(of: " ") else { throw Failure(description: "no value: \(line)") }
                let series = String(line[..<space])
                let valueText = String(line[line.index(after: space)...])
                guard let value = Double(valueText.replacingOccurrences(of: "Inf", with: "inf")) else {
                    throw Failure(description: "bad value: \(line)")
                }
                guard series == family || series.hasPrefix(family + "{") else {
                    throw Failure(description: "sample of another family: \(line)")
                }
                if series != family { try checkLabels(String(series.dropFirst(family.count)), line: line) }
                guard samples.updateValue(value, forKey: series) == nil else {
                    throw Failure(description: "repeated series: \(line)")
                }
            }
        }
        return samples
    }

    /// `{name="value",...}` with valid names and escaped values.
    private static func checkLabels(_ text: String, line: String) throws {
        var rest = Substring(text)
        guard rest.hasPrefix("{"), rest.hasSuffix("}") else { throw Failure(description: "bad labels: \(line)") }
        rest = rest.dropFirst().dropLast()
        while !rest.isEmpty {
            let name = rest.prefix { $0 != "=" }
            guard PrometheusText.isLabelName(String(name)) else { throw Failure(description: "bad label: \(line)") }
            rest = rest.dropFirst(name.count)
            guard rest.hasPrefix("=\"") else { throw Failure(description: "unquoted value: \(line)") }
            rest = rest.dropFirst(2)
            var value = ""
            var escaped = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if escaped {
                    guard "\\\"n".contains(c) else { throw Failure(description: "bad escape \\\(c): \(line)") }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    break
                } else if c == "\n" {
                    throw Failure(description: "raw line feed: \(line)")
                }
                value.append(c)
            }
            if rest.hasPrefix(",") {
                rest = rest.dropFirst()
            } else if !rest.isEmpty {
                throw Failure(description: "no comma between labels: \(line)")
            }
        }
    }

    private static func checkEscapes(_ text: String, allowQuote: Bool, line: String) throws {
        var escaped = false
        for c in text {
            if escaped {
                guard c == "\\" || c == "n" else { throw Failure(description: "bad escape in HELP: \(line)") }
                escaped = false
            } else if c == "\\" {
                escaped = true
            }
        }
        if escaped { throw Failure(description: "dangling backslash: \(line)") }
    }
}
