/// A manifest or kubelet configuration the targets cannot be read from; names the file and the field.
package struct HealthTargetProblem: Error, CustomStringConvertible, Equatable {
    package var description: String
    package init(_ description: String) { self.description = description }
}
