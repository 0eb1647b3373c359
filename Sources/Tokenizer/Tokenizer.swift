/// SmolLM2's tokenizer: GPT-2 style byte-level BPE.
///
/// Encoding: the UTF-8 text is split into pre-tokens (`PreTokenScanner`: digits one by one,
/// then the GPT-2 pattern), each pre-token's bytes become byte tokens, and merges are
/// applied by rank. Text is always encoded as plain text: special tokens such as
/// "<|endoftext|>" are never produced by `encode` (add `bosTokenID`/`eosTokenID` yourself).
/// Decoding concatenates the bytes of the tokens, so `decode(encode(text)) == text` for
/// every text whose bytes all have tokens.
///
/// Bytes without a token: a vocabulary may lack some byte values (SmolLM2's lacks 21:
/// 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2, 0xF5–0xFF; only the six
/// control characters can occur in valid UTF-8). Encoding text that contains one throws
/// `TokenizerError.unencodableByte` naming the byte and its offset; nothing is dropped or
/// replaced silently.
///
/// Thread safety: the tokenizer is immutable apart from its pre-token caches, which are
/// handed out one per concurrent `encode` call; any number of threads may encode at once.
public final class Tokenizer: Sendable {
    /// Number of tokens in the vocabulary; ids are 0..<vocabularySize.
    public var vocabularySize: Int { tokenBytes.count }
    /// Beginning-of-sequence token id, if the vocabulary has one.
    public let bosTokenID: Int32?
    /// End-of-sequence token id, if the vocabulary has one.
    public let eosTokenID: Int32?
    /// Padding token id, if the vocabulary has one.
    public let paddingTokenID: Int32?
    /// Whether the model expects BOS in front of a text (`tokenizer.ggml.add_bos_token`;
    /// SmolLM2 says no). `encode` never adds it.
    public let addsBOSToken: Bool
    /// 16 lowercase hex digits: the 64-bit FNV-1a hash of every token's UTF-8 followed by a
    /// 0x00 byte, then one 0xFF byte, then every merge's UTF-8 followed by 0x00. Two
    /// tokenizers with the same identity encode and decode identically.
    public let identity: String

    /// The token strings as given (GPT-2 alphabet), by id.
    public let tokens: [String]

    /// Token of each byte value, -1 where the vocabulary has none.
    private let byteTokens: [Int32]
    private let mergeTable: MergeTable
    /// The bytes each token stands for.
    private let tokenBytes: TokenByteTable
    private let characterClasses: CharacterClassTable
    private let workspaces = WorkspacePool()

    /// Builds a tokenizer from a vocabulary (token strings in GPT-2's byte-level alphabet,
    /// by id) and merges ("left right", in rank order). Throws when a merge names a string
    /// that is not in the vocabulary or a special token id is out of range.
    public init(tokens: [String], merges: [String], bosTokenID: Int32?, eosTokenID: Int32?,
                paddingTokenID: Int32?, addsBOSToken: Bool = false) throws {
        try TokenizerError.checkTokenCount(tokens.count)
        try TokenizerError.checkSpecialTokens([("BOS", bosTokenID), ("EOS", eosTokenID), ("padding", paddingTokenID)],
                                              vocabularySize: tokens.count)
        self.tokens = tokens
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.paddingTokenID = paddingTokenID
        self.addsBOSToken = addsBOSToken

        var idByToken: [String: Int32] = [:]
        idByToken.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() where idByToken[token] == nil {
            idByToken[token] = Int32(id)
        }
        byteTokens = (0..<256).map { idByToken[ByteLevelAlphabet.token(forByte: UInt8($0))] ?? -1 }

        var table: [(left: Int32, right: Int32, merged: Int32)] = []
        table.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError.invalidMerge(rank: rank, merge: merge, reason: "expected two tokens separated by one space")
            }
            guard let left = idByToken[String(parts[0])] else {
                throw TokenizerError.invalidMerge(rank: rank, merge: merge, reason: "'\(parts[0])' is not in the vocabulary")
            }
            guard let right = idByToken[String(parts[1])] else {
                throw TokenizerError.invalidMerge(rank: rank, merge: merge, reason: "'\(parts[1])' is not in the vocabulary")
            }
            guard let result = idByToken[String(parts[0] + parts[1])] else {
                throw TokenizerError.invalidMerge(rank: rank, merge: merge, reason: "'\(parts[0] + parts[1])' is not in the vocabulary")
            }
            table.append((left, right, result))
        }
        mergeTable = MergeTable(merges: table)

        tokenBytes = TokenByteTable(tokens) { $1.append(contentsOf: ByteLevelAlphabet.bytes(ofToken: $0)) }
        identity = Self.fingerprint(tokens: tokens, merges: merges)
        characterClasses = CharacterClassTable.shared
    }

    /// Encodes `text` as plain text (no BOS/EOS). Throws `unencodableByte` for a byte the
    /// vocabulary has no token for.
    public func encode(_ text: String) throws -> [Int32] {
        var text = text
        return try text.withUTF8 { try encode(utf8: $0) }
    }

    /// Encodes UTF-8 bytes (no BOS/EOS). Bytes that are not valid UTF-8 are pre-tokenized as
    /// punctuation-like "other" characters, one per byte.
    public func encode(utf8 bytes: UnsafeBufferPointer<UInt8>) throws -> [Int32] {
        var output: [Int32] = []
        guard let base = bytes.baseAddress, bytes.count > 0 else { return output }
        output.reserveCapacity(bytes.count / 3 + 16)
        try workspaces.withWorkspace { workspace in
            try byteTokens.withUnsafeBufferPointer { byteTokens in
                try characterClasses.basicPlane.withUnsafeBufferPointer { classes in
                    try mergeTable.withLookup { merges in
                        var scanner = PreTokenScanner(bytes: base, count: bytes.count, basicPlane: classes.baseAddress!)
                        while let range = scanner.next() {
                            let start = base + range.lowerBound
                            let length = range.count
                            if length == 1 {
                                let id = byteTokens[Int(start.pointee)]
                                guard id >= 0 else {
                                    throw TokenizerError.unencodableByte(byte: start.pointee, offset: range.lowerBound)
                                }
                                output.append(id)
                                continue
                            }
                            let cacheable = length <= EncodingWorkspace.maximumCachedLength
                            if cacheable && workspace.appendCached(start, length, to: &output) { continue }
                            let first = output.count
                            try workspace.encodePreToken(start, count: length, offset: range.lowerBound,
                                                         byteTokens: byteTokens.baseAddress!, merges: merges,
                                                         into: &output)
                            if cacheable {
                                output.withUnsafeBufferPointer {
                                    workspace.insert(start, length, ids: UnsafeBufferPointer(rebasing: $0[first...]))
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// The bytes the tokens stand for, concatenated. Ids outside the vocabulary give the
    /// UTF-8 of U+FFFD.
    public func decodeBytes(_ ids: [Int32]) -> [UInt8] { tokenBytes.concatenated(ids) }

    /// The text the tokens stand for. Exact for the output of `encode`; byte sequences that
    /// are not valid UTF-8 (e.g. a token sequence cut inside a character) become U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// The bytes of one token (empty for an id outside the vocabulary).
    public func bytes(ofToken id: Int32) -> ArraySlice<UInt8> { tokenBytes.bytes(ofToken: id) }

    private static func fingerprint(tokens: [String], merges: [String]) -> String {
        var hash = FNV1aHash()
        hash.feed(terminated: tokens)
        hash.feed(0xFF)
        hash.feed(terminated: merges)
        return hash.hex
    }
}
