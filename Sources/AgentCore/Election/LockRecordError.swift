/// A lock object whose leader-election record cannot be read.
package struct LockRecordError: Error, CustomStringConvertible, Equatable {
    /// What is wrong; tests compare this.
    package enum Code: Equatable {
        /// The Endpoints annotation is not LeaderElectionRecord JSON.
        case malformedAnnotation
        /// A Lease time field is not RFC 3339 / MicroTime.
        case malformedLeaseTime
    }

    /// What is wrong.
    package let code: Code
    /// The lock object, e.g. `endpoints default/master-agent-bootstrap`.
    package let object: String
    /// The decoder's words.
    package let cause: String

    /// Builds the error.
    package init(_ code: Code, object: String, cause: String) {
        self.code = code
        self.object = object
        self.cause = cause
    }

    /// Reads "could not read the leader record of OBJECT: CAUSE. NEXT STEP".
    package var description: String {
        "could not read the leader record of \(object): \(cause). Delete the lock object if nothing else uses it; the masters recreate it."
    }
}
