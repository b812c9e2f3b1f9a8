import CSystemd
import Foundation
import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime
@testable import MasterAgent

/// SystemdError classification and wording; needs no systemd.
final class SystemdErrorTests: XCTestCase {
    func testMissingSocketIsNoBusWithAdvice() throws {
        XCTAssertThrowsError(try SystemdBus(address: "unix:path=/nonexistent/master-agent/private", busClient: false)) {
            error in
            guard let error = error as? SystemdError else { return XCTFail("not a SystemdError: \(error)") }
            XCTAssertEqual(error.code, .noBus)
            XCTAssertEqual(error.errno, ENOENT)
            XCTAssertEqual(
                error.description,
                "could not connect to unix:path=/nonexistent/master-agent/private: No such file or directory. "
                    + "Is systemd running as PID 1 here? In a chroot or image build, enable the unit offline with --root."
            )
        }
    }

    func testPermissionErrnoSaysRunAsRoot() {
        for number in [EACCES, EPERM] {
            XCTAssertThrowsError(try SystemdError.check(-number, "call StartUnit on", "kubelet.service")) { error in
                XCTAssertEqual((error as? SystemdError)?.code, .permissionDenied)
                XCTAssertTrue("\(error)".hasSuffix("Run master-agent as root."), "\(error)")
            }
        }
    }

    func testBusErrorNameAndMessageAreKept() {
        var busError = csystemd_SD_BUS_ERROR_NULL()
        defer { sd_bus_error_free(&busError) }
        let r = sd_bus_error_set(&busError, "org.freedesktop.systemd1.NoSuchUnit", "Unit networking.service not found.")
        XCTAssertThrowsError(try SystemdError.check(r, "call StartUnit on", "kubelet.service", busError: &busError)) {
            error in
            guard let error = error as? SystemdError else { return XCTFail("not a SystemdError: \(error)") }
            XCTAssertEqual(error.code, .noSuchUnit)
            XCTAssertEqual(error.busErrorName, "org.freedesktop.systemd1.NoSuchUnit")
            XCTAssertEqual(error.cause, "Unit networking.service not found.")
        }
    }

    func testAccessDeniedBusErrorIsPermissionDenied() {
        var busError = csystemd_SD_BUS_ERROR_NULL()
        defer { sd_bus_error_free(&busError) }
        let r = sd_bus_error_set(&busError, "org.freedesktop.DBus.Error.AccessDenied", "Access denied")
        XCTAssertThrowsError(try SystemdError.check(r, "call Reload on", "systemd", busError: &busError)) { error in
            XCTAssertEqual((error as? SystemdError)?.code, .permissionDenied)
        }
    }

    func testNonNegativeResultPassesThrough() throws {
        XCTAssertEqual(try SystemdError.check(1, "call Reload on", "systemd"), 1)
    }
}
