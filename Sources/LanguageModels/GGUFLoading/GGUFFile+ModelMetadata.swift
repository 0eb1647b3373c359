import GGUF

/// What every architecture's config reads the same way from a GGUF file.
extension GGUFFile {
    /// An error about this file, naming the metadata key or tensor concerned.
    func modelError(_ subject: String?, _ problem: String) -> GGUFModelError {
        GGUFModelError(path: path, subject: subject, problem: problem)
    }

    /// Throws unless `general.architecture` is `expected`; `loadedAs` ends the message.
    func requireArchitecture(_ expected: String, loadedAs: String = "") throws {
        let architecture = self.architecture ?? "(none)"
        guard architecture == expected else {
            throw modelError("general.architecture", "is '\(architecture)'; only '\(expected)' models can be loaded\(loadedAs)")
        }
    }

}
