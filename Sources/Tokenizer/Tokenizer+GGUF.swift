import GGUF

extension Tokenizer {
    /// Reads the tokenizer of a GGUF file: `tokenizer.ggml.tokens`, `tokenizer.ggml.merges`
    /// and the optional `tokenizer.ggml.bos_token_id`, `eos_token_id`, `padding_token_id`,
    /// `add_bos_token` (false when absent).
    /// Throws unless `tokenizer.ggml.model` is "gpt2" (byte-level BPE).
    public convenience init(gguf file: GGUFFile) throws {
        let model = try file.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw TokenizerError.unsupportedModel(path: file.path, model: model, supported: ["byte-level BPE ('gpt2')"])
        }
        func specialID(_ key: String) throws -> Int32? {
            try file.optionalInteger(key).map { Int32(clamping: $0) }
        }
        let tokens = try file.stringArray("tokenizer.ggml.tokens"), merges = try file.stringArray("tokenizer.ggml.merges")
        let bos = try specialID("tokenizer.ggml.bos_token_id"), eos = try specialID("tokenizer.ggml.eos_token_id")
        let padding = try specialID("tokenizer.ggml.padding_token_id")
        do {
            try self.init(tokens: tokens, merges: merges, bosTokenID: bos, eosTokenID: eos, paddingTokenID: padding,
                          addsBOSToken: file.metadata["tokenizer.ggml.add_bos_token"]?.bool ?? false)
        } catch let error as TokenizerError {
            throw TokenizerError.invalidGGUFVocabulary(path: file.path, problem: error)  // name the file
        }
    }

    /// Reads the tokenizer of the GGUF file at `path` (see `init(gguf:)`).
    public convenience init(ggufAt path: String) throws {
        try self.init(gguf: try GGUFFile(path: path))
    }
}
