import AgentCore
import FoundationEssentials

// The JSON of etcd's v3 gateway (grpc-gateway over etcdserverpb): keys and values base64, int64 fields as
// strings, fields at their default value (false, 0, empty) left out. etcd 3.4 and 3.5 write the proto field
// names (`create_revision`); the lowerCamel spelling is read too, as grpc-gateway accepts both.

/// One key-value pair as `/v3/kv/range` returns it.
package struct EtcdKeyValue: Equatable, Sendable {
    package var key: String
    package var value: Data
    /// The revision that created the key (0 never appears for an existing key).
    package var createRevision: Int64
    /// The revision of the last change.
    package var modRevision: Int64
    /// How many times the key was written since it was created (1 for a key written once).
    package var version: Int64
}

/// A member of a gateway document, read under either JSON spelling.
struct GatewayKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == GatewayKey {
    /// The first spelling present, decoded; nil when none is.
    func optional<T: Decodable>(_ type: T.Type, _ names: String...) throws -> T? {
        for name in names where contains(GatewayKey(stringValue: name)) {
            return try decodeIfPresent(T.self, forKey: GatewayKey(stringValue: name))
        }
        return nil
    }

    /// An int64 field (a JSON string, or a number), 0 when left out.
    func int64(_ names: String...) throws -> Int64 {
        for name in names where contains(GatewayKey(stringValue: name)) {
            let key = GatewayKey(stringValue: name)
            if let text = try? decode(String.self, forKey: key), let value = Int64(text) { return value }
            return try decode(Int64.self, forKey: key)
        }
        return 0
    }

    /// A base64 field, empty when left out.
    func bytes(_ names: String...) throws -> Data {
        for name in names where contains(GatewayKey(stringValue: name)) {
            let key = GatewayKey(stringValue: name)
            guard let data = Data(base64Encoded: try decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64")
            }
            return data
        }
        return Data()
    }
}

extension EtcdKeyValue: Decodable {
    package init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: GatewayKey.self)
        key = String(decoding: try container.bytes("key"), as: UTF8.self)
        value = try container.bytes("value")
        createRevision = try container.int64("create_revision", "createRevision")
        modRevision = try container.int64("mod_revision", "modRevision")
        version = try container.int64("version")
    }
}

/// The answer to `/v3/kv/range`.
struct EtcdRangeResponse: Decodable {
    var kvs: [EtcdKeyValue]
    var revision: Int64

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: GatewayKey.self)
        kvs = try container.optional([EtcdKeyValue].self, "kvs") ?? []
        let header = try container.optional(EtcdHeader.self, "header")
        revision = header?.revision ?? 0
    }
}

/// The response header; only the store's revision is used.
struct EtcdHeader: Decodable {
    var revision: Int64
    init(from decoder: Decoder) throws {
        revision = try decoder.container(keyedBy: GatewayKey.self).int64("revision")
    }
}

/// The answer to `/v3/kv/txn`: whether the comparison held, and the failure branch's range when it did not.
struct EtcdTxnResponse: Decodable {
    var succeeded: Bool
    var revision: Int64
    var rangeResults: [EtcdRangeResponse]

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: GatewayKey.self)
        succeeded = try container.optional(Bool.self, "succeeded") ?? false
        revision = try container.optional(EtcdHeader.self, "header")?.revision ?? 0
        let responses = try container.optional([EtcdResponseOp].self, "responses") ?? []
        rangeResults = responses.compactMap(\.range)
    }
}

/// One entry of a txn's `responses`.
struct EtcdResponseOp: Decodable {
    var range: EtcdRangeResponse?
    init(from decoder: Decoder) throws {
        range = try decoder.container(keyedBy: GatewayKey.self).optional(
            EtcdRangeResponse.self, "response_range", "responseRange")
    }
}

/// `/v3/kv/range` for one key.
struct EtcdRangeRequest: Encodable {
    var key: String

    init(key: String) { self.key = Data(key.utf8).base64EncodedString() }
}

/// `/v3/kv/txn` that puts `value` at `key` only when the key does not exist (its create_revision is 0), and
/// otherwise reads the key back, so the loser of a race learns the winner's value in the same round trip.
/// Proto field names, which etcd 3.4 and 3.5 both accept.
struct EtcdCreateIfAbsentRequest: Encodable {
    struct Compare: Encodable {
        var key: String
        var target = "CREATE"
        var result = "EQUAL"
        var createRevision = "0"

        enum CodingKeys: String, CodingKey {
            case key, target, result
            case createRevision = "create_revision"
        }
    }
    struct Put: Encodable {
        var key: String
        var value: String
    }
    struct PutOp: Encodable {
        var put: Put
        enum CodingKeys: String, CodingKey { case put = "request_put" }
    }
    struct RangeOp: Encodable {
        var range: EtcdRangeRequest
        enum CodingKeys: String, CodingKey { case range = "request_range" }
    }

    var compare: [Compare]
    var success: [PutOp]
    var failure: [RangeOp]

    init(key: String, value: Data) {
        let encodedKey = Data(key.utf8).base64EncodedString()
        compare = [Compare(key: encodedKey)]
        success = [PutOp(put: Put(key: encodedKey, value: value.base64EncodedString()))]
        failure = [RangeOp(range: EtcdRangeRequest(key: key))]
    }
}
