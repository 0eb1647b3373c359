import GGUF

extension SentencePieceTokenizer {
    /// Reads the tokenizer of a GGUF file: `tokenizer.ggml.tokens`, `scores`, `token_type`,
    /// the optional `bos_token_id`, `eos_token_id`, `padding_token_id`, `unknown_token_id`,
    /// and the flags `add_bos_token` and `add_space_prefix` (both true when absent, as
    /// llama.cpp reads them). Throws unless `tokenizer.ggml.model` is "llama".
    public convenience init(gguf file: GGUFFile) throws {
        let model = try file.string("tokenizer.ggml.model")
        guard model == "llama" else {
            throw TokenizerError.unsupportedModel(path: file.path, model: model, supported: ["SentencePiece BPE ('llama')"])
        }
        func specialID(_ key: String) throws -> Int32? {
            try file.optionalInteger(key).map { Int32(clamping: $0) }
        }
        func flag(_ key: String) throws -> Bool {
            guard let value = file.metadata[key] else { return true }
            guard let flag = value.bool else { throw TokenizerError.invalidMetadata(path: file.path, key: key, expected: "a bool") }
            return flag
        }
        let scoresKey = "tokenizer.ggml.scores", typesKey = "tokenizer.ggml.token_type"
        let scores = try (try file.value(scoresKey).array ?? []).map { value -> Float in
            guard let score = value.double else {
                throw TokenizerError.invalidMetadata(path: file.path, key: scoresKey, expected: "an array of numbers")
            }
            return Float(score)
        }
        let types = try file.integerArray(typesKey).map { number -> TokenType in
            guard let type = Int32(exactly: number).flatMap(TokenType.init(rawValue:)) else {
                throw TokenizerError.invalidMetadata(path: file.path, key: typesKey, expected: "token types 1...6, not \(number)")
            }
            return type
        }
        try self.init(tokens: try file.stringArray("tokenizer.ggml.tokens"), scores: scores, tokenTypes: types,
                      bosTokenID: try specialID("tokenizer.ggml.bos_token_id"),
                      eosTokenID: try specialID("tokenizer.ggml.eos_token_id"),
                      paddingTokenID: try specialID("tokenizer.ggml.padding_token_id"),
                      unknownTokenID: try specialID("tokenizer.ggml.unknown_token_id"),
                      addsBOSToken: try flag("tokenizer.ggml.add_bos_token"),
                      addsSpacePrefix: try flag("tokenizer.ggml.add_space_prefix"))
    }

    /// Reads the tokenizer of the GGUF file at `path` (see `init(gguf:)`).
    public convenience init(ggufAt path: String) throws {
        try self.init(gguf: try GGUFFile(path: path))
    }
}
