import XCTest

@testable import AgentCore
@testable import AgentPlatform
@testable import AgentRuntime

/// OpenSSL's HKDF and AES-256-GCM behind the secrets record, against known answers, and the record's own errors.
final class SecretsCipherTests: XCTestCase {
    private let cipher = OpenSSLSecretsCipher()

    private func hex(_ text: String) -> Data {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return Data(bytes)
    }

    func testHKDFMatchesRFC5869TestCase1() throws {
        let okm = try cipher.hkdfSHA256(
            secret: hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), salt: hex("000102030405060708090a0b0c"),
            info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        XCTAssertEqual(
            okm, hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
    }

    func testAESGCMMatchesAnIndependentImplementation() throws {
        // Computed with Python's `cryptography` (AESGCM.encrypt), which uses its own OpenSSL build.
        let key = Data(0..<32), nonce = Data(0xA0..<0xAC), aad = Data("cluster=kubernetes".utf8)
        let plaintext = Data("one cluster, one set of secrets".utf8)
        let expected = hex(
            "8976190d26a777cc1600f5ff2715aebb50df3c64b2d8244cef6b45f41adf06eb1b0b461f23c40f6e0c034bb85f3862")
        XCTAssertEqual(try cipher.sealAES256GCM(plaintext, key: key, nonce: nonce, authenticatedData: aad), expected)
        XCTAssertEqual(try cipher.openAES256GCM(expected, key: key, nonce: nonce, authenticatedData: aad), plaintext)
        var flipped = expected
        for index in [0, 15, expected.count - 1] {
            flipped[index] ^= 0x01
            XCTAssertNil(try cipher.openAES256GCM(flipped, key: key, nonce: nonce, authenticatedData: aad), "\(index)")
            flipped[index] ^= 0x01
        }
        XCTAssertNil(try cipher.openAES256GCM(expected, key: key, nonce: nonce, authenticatedData: Data("x".utf8)))
        var otherKey = key
        otherKey[0] ^= 0x80
        XCTAssertNil(try cipher.openAES256GCM(expected, key: otherKey, nonce: nonce, authenticatedData: aad))
    }

    func testSHA256() throws {
        XCTAssertEqual(
            try cipher.sha256(Data("abc".utf8)),
            hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    // The record: each failure has its own code.

    private let key = "/master-agent/kubernetes/secrets"
    private let items = SharedSecrets(items: [
        "ca.crt": Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8),
        "apiserver.key": Data("-----BEGIN PRIVATE KEY-----\nsecretkeybytes\n-----END PRIVATE KEY-----\n".utf8),
    ])

    private func token() throws -> JoinToken { try JoinToken(secret: SecureRandom.bytes(32)) }

    private func sealed(with token: JoinToken) throws -> SecretsRecord {
        try SecretsSealer(cipher: cipher).seal(
            items, token: token, clusterName: "kubernetes", etcdKey: key, createdBy: "master01",
            createdAt: "2026-12-06T07:00:00.000000Z")
    }

    private func assertOpenFails(
        _ data: Data, token: JoinToken, cluster: String = "kubernetes", etcdKey: String? = nil,
        _ code: SecretsRecordError.Code, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(
            try SecretsSealer(cipher: cipher).open(
                SecretsRecord.decode(data, key: etcdKey ?? key), token: token, clusterName: cluster,
                etcdKey: etcdKey ?? key), file: file, line: line
        ) {
            XCTAssertEqual(($0 as? SecretsRecordError)?.code, code, "\($0)", file: file, line: line)
        }
    }

    func testRecordRoundTripsAndHoldsNoPlaintext() throws {
        let token = try token()
        let record = try sealed(with: token)
        let stored = record.encoded()
        let text = String(decoding: stored, as: UTF8.self)
        XCTAssertFalse(text.contains("BEGIN"), text)
        XCTAssertFalse(text.contains("secretkeybytes"))
        XCTAssertFalse(text.contains(Data("secretkeybytes".utf8).base64EncodedString()))
        XCTAssertTrue(text.contains("\"createdBy\":\"master01\""), text)
        XCTAssertEqual(
            try SecretsSealer(cipher: cipher).open(
                SecretsRecord.decode(stored, key: key), token: token, clusterName: "kubernetes", etcdKey: key), items)
        XCTAssertNotEqual(try sealed(with: token).encoded(), stored, "a fresh salt and nonce every time")
    }

    func testWrongTokenFlippedByteUnknownVersionAndAnotherKeyEachHaveTheirOwnError() throws {
        let token = try token()
        let record = try sealed(with: token)
        assertOpenFails(record.encoded(), token: try self.token(), .wrongToken)

        var flipped = record
        flipped.ciphertext[flipped.ciphertext.count / 2] ^= 0x04
        assertOpenFails(flipped.encoded(), token: token, .tampered)
        var renamed = record
        renamed.createdBy = "master02"
        assertOpenFails(renamed.encoded(), token: token, .tampered)
        assertOpenFails(record.encoded(), token: token, cluster: "other", .tampered)
        assertOpenFails(record.encoded(), token: token, etcdKey: "/master-agent/other/secrets", .tampered)

        var future = record
        future.version = 2
        assertOpenFails(future.encoded(), token: token, .unknownVersion)
        assertOpenFails(Data("{\"version\":1}".utf8), token: token, .malformed)
        assertOpenFails(Data("not json".utf8), token: token, .malformed)
        XCTAssertTrue(
            SecretsRecordError(code: .wrongToken, key: key, detail: "d").description.contains("join token file"))
    }
}
