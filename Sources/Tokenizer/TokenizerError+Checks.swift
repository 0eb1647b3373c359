/// The checks both tokenizers make on what they are built from.
extension TokenizerError {
    /// Throws `invalidVocabulary` unless there are tokens and their ids fit Int32.
    static func checkTokenCount(_ count: Int) throws {
        guard count > 0, count < Int(Int32.max) else {
            throw TokenizerError.invalidVocabulary(reason: "\(count) tokens")
        }
    }

    /// Throws `specialTokenOutOfRange` for the first given id outside `0..<vocabularySize`.
    static func checkSpecialTokens(_ specials: [(name: String, id: Int32?)], vocabularySize: Int) throws {
        for (name, id) in specials {
            if let id, id < 0 || Int(id) >= vocabularySize {
                throw TokenizerError.specialTokenOutOfRange(name: name, id: id, vocabularySize: vocabularySize)
            }
        }
    }
}
