import XCTest
@testable import MasterAgent

final class SkeletonTests: XCTestCase {
    func testBuilds() { XCTAssertTrue(true) }
}
