import GGUF

extension SentencePieceTokenizer {
    /// Reads the tokenizer of a GGUF file: `tokenizer.ggml.tokens`, `scores`, `token_type`,
    /// the optional `bos_token_id`, `eos_token_id`, `padding_token_id`, `unknown_token_id`,
    /// and the flags `add_bos_token` and `add_space_prefix` (both true when absent, as
    /// llama.cpp reads them). Throws unless `tokenizer.ggml.model` is "llama".
    public convenience init(gguf file: GGUFFile) throws {
        let model = try file.string("tokenizer.ggml.model")
        guard model == "llama" else {
            throw TokenizerError.unsupportedModel(path: file.path, model: model,
                                                  supported: ["SentencePiece BPE ('llama')"])
        }
        func specialID(_ key: String) throws -> Int32? {
            try file.optionalInteger(key).map { Int32(clamping: $0) }
        }
        try self.init(tokens: try file.stringArray("tokenizer.ggml.tokens"),
                      scores: try Self.scores(in: file), tokenTypes: try Self.tokenTypes(in: file),
                      bosTokenID: try specialID("tokenizer.ggml.bos_token_id"),
                      eosTokenID: try specialID("tokenizer.ggml.eos_token_id"),
                      paddingTokenID: try specialID("tokenizer.ggml.padding_token_id"),
                      unknownTokenID: try specialID("tokenizer.ggml.unknown_token_id"),
                      addsBOSToken: try Self.flag("tokenizer.ggml.add_bos_token", in: file),
                      addsSpacePrefix: try Self.flag("tokenizer.ggml.add_space_prefix", in: file))
    }

    /// Reads the tokenizer of the GGUF file at `path` (see `init(gguf:)`).
    public convenience init(ggufAt path: String) throws {
        try self.init(gguf: try GGUFFile(path: path))
    }

    private static func scores(in file: GGUFFile) throws -> [Float] {
        let key = "tokenizer.ggml.scores"
        let invalid = TokenizerError.invalidMetadata(path: file.path, key: key, expected: "an array of numbers")
        guard let values = try file.value(key).array else { throw invalid }
        return try values.map {
            guard let score = $0.double else { throw invalid }
            return Float(score)
        }
    }

    private static func tokenTypes(in file: GGUFFile) throws -> [TokenType] {
        let key = "tokenizer.ggml.token_type"
        return try file.integerArray(key).map { number in
            guard let type = Int32(exactly: number).flatMap(TokenType.init(rawValue:)) else {
                throw TokenizerError.invalidMetadata(path: file.path, key: key, expected: "token types 1...6, not \(number)")
            }
            return type
        }
    }

    private static func flag(_ key: String, in file: GGUFFile) throws -> Bool {
        guard let value = file.metadata[key] else { return true }
        guard let flag = value.bool else {
            throw TokenizerError.invalidMetadata(path: file.path, key: key, expected: "a bool")
        }
        return flag
    }
}
