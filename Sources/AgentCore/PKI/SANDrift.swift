/// How a certificate's subjectAltNames differ from the names its spec gives today: what the config added since it
/// was issued, and what the config no longer gives. Both lists are sorted (DNS names first, addresses numerically),
/// so the same drift always reads the same.
package struct SANDrift: Equatable, Sendable {
    /// Names the config gives that the certificate lacks.
    package let added: [SubjectAltName]
    /// Names the certificate carries that the config no longer gives.
    package let removed: [SubjectAltName]

    package init(expected: [SubjectAltName], actual: [SubjectAltName]) {
        let expectedSet = Set(expected), actualSet = Set(actual)
        added = expectedSet.subtracting(actualSet).sorted()
        removed = actualSet.subtracting(expectedSet).sorted()
    }

    /// True when the certificate carries exactly the names of its spec (order aside).
    package var isEmpty: Bool { added.isEmpty && removed.isEmpty }
}
