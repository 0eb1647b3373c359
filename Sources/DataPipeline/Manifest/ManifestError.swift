/// A domain manifest that cannot be used; every description names the file and
/// the key, line or domain at fault.
public struct ManifestError: Error, CustomStringConvertible, Equatable {
    /// The manifest file.
    public let path: String
    /// What is wrong, and where possible how to fix it.
    public let problem: String

    public var description: String { "\(path): \(problem)" }
}
