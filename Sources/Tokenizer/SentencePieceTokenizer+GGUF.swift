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
        let tokens = try file.stringArray("tokenizer.ggml.tokens")
        let scores = try Self.scores(in: file), tokenTypes = try Self.tokenTypes(in: file)
        let bos = try specialID("tokenizer.ggml.bos_token_id"), eos = try specialID("tokenizer.ggml.eos_token_id")
        let padding = try specialID("tokenizer.ggml.padding_token_id"), unknown = try specialID("tokenizer.ggml.unknown_token_id")
        let addsBOS = try Self.flag("tokenizer.ggml.add_bos_token", in: file)
        let addsSpacePrefix = try Self.flag("tokenizer.ggml.add_space_prefix", in: file)
        do {
            try self.init(tokens: tokens, scores: scores, tokenTypes: tokenTypes, bosTokenID: bos, eosTokenID: eos,
                          paddingTokenID: padding, unknownTokenID: unknown, addsBOSToken: addsBOS, addsSpacePrefix: addsSpacePrefix)
        } catch let error as TokenizerError {
            throw TokenizerError.invalidGGUFVocabulary(path: file.path, problem: error)  // name the file
        }
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
