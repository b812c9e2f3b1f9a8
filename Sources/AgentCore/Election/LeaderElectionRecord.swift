import FoundationEssentials

/// The record a leader-election lock holds, as client-go's `LeaderElectionRecord`: who holds the
/// lock, for how long a holder that stops renewing keeps it, and when it was taken and renewed.
/// Times are the holder's wall clock, written for people; decisions never compare them across nodes.
package struct LeaderElectionRecord: Codable, Equatable, Sendable {
    /// Node name of the holder; empty when the lock was released.
    package var holderIdentity: String
    /// Seconds a follower waits after it last saw the record change before taking over.
    package var leaseDurationSeconds: Int
    /// When the current holder took the lock.
    package var acquireTime: Date?
    /// When the current holder last renewed.
    package var renewTime: Date?
    /// How many times the lock changed hands.
    package var leaderTransitions: Int

    /// The Endpoints lock's annotation key (client-go's `LeaderElectionRecordAnnotationKey`).
    package static let annotationKey = "control-plane.alpha.kubernetes.io/leader"

    /// Builds a record from its parts.
    package init(
        holderIdentity: String, leaseDurationSeconds: Int, acquireTime: Date?, renewTime: Date?, leaderTransitions: Int
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaderTransitions = leaderTransitions
    }

    /// True when nobody holds the lock (never held, or released).
    package var isReleased: Bool { holderIdentity.isEmpty }

    private enum CodingKeys: String, CodingKey {
        case holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaderTransitions
    }

    /// Decodes the annotation JSON; times may carry any fraction (old writers used whole seconds).
    /// Throws `DecodingError` for a malformed time or a wrong type.
    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        holderIdentity = try c.decodeIfPresent(String.self, forKey: .holderIdentity) ?? ""
        leaseDurationSeconds = try c.decodeIfPresent(Int.self, forKey: .leaseDurationSeconds) ?? 0
        leaderTransitions = try c.decodeIfPresent(Int.self, forKey: .leaderTransitions) ?? 0
        func time(_ key: CodingKeys) throws -> Date? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = MicroTime.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "\"\(text)\" is not an RFC 3339 time")
            }
            return date
        }
        acquireTime = try time(.acquireTime)
        renewTime = try time(.renewTime)
    }

    /// Encodes as client-go does, times as MicroTime text (null when unset).
    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(holderIdentity, forKey: .holderIdentity)
        try c.encode(leaseDurationSeconds, forKey: .leaseDurationSeconds)
        try c.encode(acquireTime.map(MicroTime.format), forKey: .acquireTime)
        try c.encode(renewTime.map(MicroTime.format), forKey: .renewTime)
        try c.encode(leaderTransitions, forKey: .leaderTransitions)
    }

    /// The JSON text stored in the Endpoints annotation (keys sorted, so equal records give equal text).
    package func annotationValue() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of strings and integers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads the Endpoints annotation value; throws `LockRecordError` (`malformedAnnotation`) when it is not a record.
    package static func fromAnnotation(_ text: String, object: String) throws -> LeaderElectionRecord {
        do {
            return try JSONDecoder().decode(LeaderElectionRecord.self, from: Data(text.utf8))
        } catch {
            throw LockRecordError(.malformedAnnotation, object: object, cause: "\(error)")
        }
    }
}
