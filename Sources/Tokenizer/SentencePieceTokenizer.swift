/// A SentencePiece BPE tokenizer as GGUF files describe it (`tokenizer.ggml.model` "llama"),
/// e.g. Gemma 3's: tokens with scores and types, byte fallback, spaces written "▁".
///
/// Encoding follows llama.cpp (with special tokens not parsed):
/// 1. user-defined tokens (runs of newlines, tabs or spaces, "<b>", ...) are cut out of the
///    raw text whole, the longest one at each position (`UserDefinedTokenMatcher`);
/// 2. each piece in between gets its spaces written as "▁" (and one "▁" in front when the
///    vocabulary adds a space prefix and the piece starts the text or follows a token);
/// 3. BPE by score: repeatedly merge the adjacent pair whose text is a token with the best
///    score, leftmost on a tie (`SentencePieceMerge.swift`); characters left without a token
///    become "<0xNN>" byte tokens.
/// Control tokens such as "<start_of_turn>" are never produced from text: add them by id.
///
/// Decoding writes "▁" back as a space and byte tokens as their bytes, so
/// `decode(encode(text)) == text` for every text without a literal "▁" when the vocabulary
/// adds no space prefix (Gemma 3 adds none). Control tokens decode to their text.
///
/// Thread safety: as `Tokenizer`, immutable apart from per-call workspaces.
public final class SentencePieceTokenizer: Sendable {
    /// Number of tokens in the vocabulary; ids are 0..<vocabularySize.
    public var vocabularySize: Int { tokens.count }
    public let bosTokenID: Int32?
    public let eosTokenID: Int32?
    public let paddingTokenID: Int32?
    public let unknownTokenID: Int32?
    /// Whether the model expects BOS in front of a text (`tokenizer.ggml.add_bos_token`).
    public let addsBOSToken: Bool
    /// Whether a "▁" goes in front of the text (`tokenizer.ggml.add_space_prefix`).
    public let addsSpacePrefix: Bool
    /// 16 lowercase hex digits: the 64-bit FNV-1a hash of every token's UTF-8 followed by
    /// 0x00, one 0xFF byte, every token's score (IEEE bits, little-endian) and type, then the
    /// space-prefix flag. Two tokenizers with the same identity encode and decode identically.
    public let identity: String

    /// The token strings as given ("▁" for spaces), by id.
    public let tokens: [String]
    public let scores: [Float]
    public let tokenTypes: [TokenType]

    private let texts: TokenTextTable
    private let scoreRanks: [Int32]
    /// Token of each byte value: "<0xNN>", else the one-byte token, else the unknown token.
    private let byteTokens: [Int32]
    private let oneByteTokens: [Int32]
    private let userDefined: UserDefinedTokenMatcher
    private let splitter: SegmentSplitter
    /// What each token decodes to.
    private let pieces: TokenByteTable
    private let workspaces = WorkspacePool()
    /// Segments up to this many bytes go through the workspace cache (long ones repeat too:
    /// URLs, rules of "=====").
    private static let maximumCachedSegment = 256

    /// Builds a tokenizer from tokens, their scores and types (all by id). Throws when the
    /// arrays disagree in length, a special id is out of range, or some byte value has
    /// neither a byte token nor an unknown token to fall back on.
    public init(tokens: [String], scores: [Float], tokenTypes: [TokenType], bosTokenID: Int32?, eosTokenID: Int32?,
                paddingTokenID: Int32?, unknownTokenID: Int32?, addsBOSToken: Bool, addsSpacePrefix: Bool) throws {
        try TokenizerError.checkTokenCount(tokens.count)
        guard scores.count == tokens.count, tokenTypes.count == tokens.count else {
            throw TokenizerError.invalidVocabulary(
                reason: "\(tokens.count) tokens but \(scores.count) scores and \(tokenTypes.count) token types")
        }
        let specials = [("BOS", bosTokenID), ("EOS", eosTokenID), ("padding", paddingTokenID), ("unknown", unknownTokenID)]
        try TokenizerError.checkSpecialTokens(specials, vocabularySize: tokens.count)
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.paddingTokenID = paddingTokenID
        self.unknownTokenID = unknownTokenID
        self.addsBOSToken = addsBOSToken
        self.addsSpacePrefix = addsSpacePrefix

        texts = TokenTextTable(tokens: tokens)
        scoreRanks = Self.denseRanks(scores)
        byteTokens = try Self.byteFallback(texts: texts, unknownTokenID: unknownTokenID)
        oneByteTokens = Self.oneByteTokens(texts: texts)
        userDefined = UserDefinedTokenMatcher(tokens: tokenTypes.indices.compactMap {
            tokenTypes[$0] == .userDefined ? (Int32($0), tokens[$0]) : nil
        })
        splitter = SegmentSplitter(tokens: tokens)
        pieces = Self.decodedPieces(tokens: tokens, types: tokenTypes)
        identity = Self.fingerprint(tokens: tokens, scores: scores, types: tokenTypes, addsSpacePrefix: addsSpacePrefix)
    }

    /// Encodes `text`, with BOS in front when `addingBOS` and the vocabulary has one.
    public func encode(_ text: String, addingBOS: Bool) -> [Int32] {
        var text = text
        return text.withUTF8 { encode(utf8: $0, addingBOS: addingBOS) }
    }

    /// Encodes `text` without BOS (as `Tokenizer.encode`).
    public func encode(_ text: String) -> [Int32] {
        encode(text, addingBOS: false)
    }

    /// Encodes UTF-8 bytes, with BOS in front when `addingBOS` and the vocabulary has one.
    /// Bytes that are not valid UTF-8 become byte tokens.
    public func encode(utf8 bytes: UnsafeBufferPointer<UInt8>, addingBOS: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 16)
        if addingBOS, let bosTokenID { output.append(bosTokenID) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return output }
        var fragment = EscapedFragment()
        defer { fragment.deallocate() }
        workspaces.withWorkspace { workspace in
            withLookup { vocabulary in
                var fragmentStart = 0
                var index = 0
                var followsToken = true
                func encodeFragment(upTo end: Int) {
                    guard end > fragmentStart else { return }
                    fragment.fill(base + fragmentStart, count: end - fragmentStart, spacePrefix: addsSpacePrefix && followsToken)
                    encodeSegments(of: fragment, workspace: workspace, vocabulary: vocabulary, into: &output)
                    followsToken = false
                }
                while index < bytes.count {
                    guard let match = userDefined.longestMatch(base + index, count: bytes.count - index) else {
                        index += 1
                        continue
                    }
                    encodeFragment(upTo: index)
                    output.append(match.id)
                    index += match.length
                    fragmentStart = index
                    followsToken = true
                }
                encodeFragment(upTo: bytes.count)
            }
        }
        return output
    }

    /// The bytes the tokens stand for, concatenated. Ids outside the vocabulary give the
    /// UTF-8 of U+FFFD.
    public func decodeBytes(_ ids: [Int32]) -> [UInt8] { pieces.concatenated(ids) }

    /// The text the tokens stand for; byte sequences that are not valid UTF-8 (e.g. a
    /// character whose byte tokens were cut apart) become U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// What one token decodes to (empty for an id outside the vocabulary).
    public func bytes(ofToken id: Int32) -> ArraySlice<UInt8> { pieces.bytes(ofToken: id) }

    /// Appends the tokens of an escaped fragment, segment by segment through the workspace cache.
    private func encodeSegments(of fragment: EscapedFragment, workspace: EncodingWorkspace,
                                vocabulary: SentencePieceLookup, into output: inout [Int32]) {
        let text = fragment.text
        func encodeSegment(from start: Int, to end: Int) {
            let segment = text + start, length = end - start
            let cacheable = length <= Self.maximumCachedSegment
            if cacheable && workspace.appendCached(segment, length, to: &output) { return }
            let first = output.count
            workspace.encodeSentencePieceSegment(segment, count: length, vocabulary: vocabulary, into: &output)
            if cacheable {
                output.withUnsafeBufferPointer {
                    workspace.insert(segment, length, ids: UnsafeBufferPointer(rebasing: $0[first...]))
                }
            }
        }
        var start = 0
        if splitter.cutsAtSpaces {
            for index in 0..<fragment.spaceCount {
                let space = Int(fragment.spaces[index])
                if splitter.allowsCut(text, count: fragment.count, at: space) {
                    encodeSegment(from: start, to: space)
                    start = space
                }
            }
        }
        encodeSegment(from: start, to: fragment.count)
    }

    private func withLookup<Result>(_ body: (SentencePieceLookup) throws -> Result) rethrows -> Result {
        try texts.withLookup { texts in
            try scoreRanks.withUnsafeBufferPointer { ranks in
                try byteTokens.withUnsafeBufferPointer { byteTokens in
                    try oneByteTokens.withUnsafeBufferPointer { oneByteTokens in
                        try body(SentencePieceLookup(texts: texts, scoreRanks: ranks.baseAddress!,
                                                     byteTokens: byteTokens.baseAddress!,
                                                     oneByteTokens: oneByteTokens.baseAddress!))
                    }
                }
            }
        }
    }
}
