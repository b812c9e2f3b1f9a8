import AgentCore
import AgentPlatform
import AgentRuntime
import Foundation
import Logging

/// `certs renew --due`: what is due is renewed, what is not is listed with its days left. Under `--root DIR` (an
/// image build or a test tree) the renewal is local: no Lease, nothing restarted, and the output says so.
struct RenewDue {
    let options: NodeOptions
    let config: ClusterConfig
    let node: ClusterConfig.Master
    let newKey: Bool
    let commandLineCA: Bool
    let logger: Logger

    struct Result: Encodable {
        let root: String
        /// False: no Lease was taken and no static pod restarted.
        let coordinated: Bool
        let note: String
        let rows: [RenewalRow]
    }

    /// Runs the renewal; `renewLegacy` reissues apiserver.crt the way plain `certs renew` does.
    func run(renewLegacy: () throws -> Void) throws {
        guard options.root != "/" else {
            throw CommandFailure(
                status: .notImplemented,
                message:
                    "certs renew --due on a running system (Lease master-agent-certs, restart of the affected static pods, health wait) is not implemented yet; nothing was renewed. Use --root DIR for a local renewal of a tree that is not running."
            )
        }
        if commandLineCA && config.kubernetes.profile == .modern {
            throw CommandFailure(
                status: .usage,
                message:
                    "--ca-cert/--ca-key are not used by certs renew --due under the modern profile: it signs with the CAs in \(config.pki.dir)"
            )
        }
        // The legacy renewal takes the node lock itself.
        let rows = try config.kubernetes.profile == .modern ? renewModern() : renewLegacyIfDue(renewLegacy)
        let note = "renewed locally under --root \(options.root): no Lease taken, nothing restarted"
        print(rows: rows, note: note)
        let stuck = rows.filter { $0.outcome == .needsCAHost }
        if !stuck.isEmpty {
            throw CommandFailure(
                status: .failure,
                message:
                    "\(stuck.map(\.file).joined(separator: ", ")) due but the CA key is not in \(config.pki.dir); renew through the CA host (certs sign --csr-dir, certs import --dir)"
            )
        }
    }

    private func renewModern() throws -> [RenewalRow] {
        let lock = try NodeLock.acquire(root: options.root, timeout: 120, logger: logger)
        defer { lock.release() }
        do {
            let result = try ModernCertificateRenewer(
                files: RootedFileSystem(root: options.root), pki: OpenSSLToolkit(), config: config, node: node,
                now: Date(), newKey: newKey
            ).renewDue()
            for row in result.rows where row.outcome == .renewed {
                logger.notice("renewed certificate", metadata: ["file": "\(row.file)", "daysLeft": "\(row.daysLeft)"])
            }
            return result.rows
        } catch {
            throw CommandFailure(status: .failure, message: "\(error)")
        }
    }

    /// Legacy: apiserver.crt is the only leaf this master owns.
    private func renewLegacyIfDue(_ renew: () throws -> Void) throws -> [RenewalRow] {
        let path = PKIPaths(config).certificate
        let notAfter = try legacyNotAfter(path)
        let daysLeft = RenewalPolicy.daysLeft(notAfter: notAfter, now: Date())
        guard RenewalPolicy.isDue(notAfter: notAfter, now: Date(), renewBefore: config.pki.renewBefore.seconds) else {
            return [RenewalRow(name: "apiserver", file: path, daysLeft: daysLeft, outcome: .notDue)]
        }
        try renew()
        let renewedNotAfter = try legacyNotAfter(path)
        return [
            RenewalRow(
                name: "apiserver", file: path, daysLeft: daysLeft, outcome: .renewed,
                newDaysLeft: RenewalPolicy.daysLeft(notAfter: renewedNotAfter, now: Date()))
        ]
    }

    private func legacyNotAfter(_ path: String) throws -> Date {
        guard let file = try RootedFileSystem(root: options.root).readFile(path) else {
            throw CommandFailure(
                status: .failure, message: "\(path) is missing; run master-agent bootstrap to make it first")
        }
        do {
            guard let leaf = try OpenSSLToolkit().inspect(certificatesPEM: file.data, source: path).first else {
                throw CommandFailure(status: .failure, message: "\(path) holds no certificate")
            }
            return leaf.notAfter
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(status: .failure, message: "could not read \(path): \(error)")
        }
    }

    private func print(rows: [RenewalRow], note: String) {
        let printer = OutputPrinter(format: options.output)
        func column(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.utf16.count + 1), withPad: " ", startingAt: 0)
        }
        printer.text(column("NAME", 26) + column("FILE", 44) + column("DAYS LEFT", 11) + "RESULT")
        for row in rows {
            let result = row.newDaysLeft.map { "\(row.outcome.rawValue) (now \($0) days)" } ?? row.outcome.rawValue
            printer.text(column(row.name, 26) + column(row.file, 44) + column("\(row.daysLeft)", 11) + result)
        }
        printer.text(note)
        printer.json(Result(root: options.root, coordinated: false, note: note, rows: rows))
    }
}
