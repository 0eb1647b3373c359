/// The tables `SentencePieceTokenizer.init` derives from the vocabulary.
extension SentencePieceTokenizer {
    /// Rank of each score, 0 for the highest; equal scores share a rank, so a tie between
    /// two candidate merges is broken by position alone, as in llama.cpp.
    static func denseRanks(_ scores: [Float]) -> [Int32] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var ranks = [Int32](repeating: 0, count: scores.count)
        var rank: Int32 = 0
        for (position, id) in order.enumerated() {
            if position > 0 && scores[id] != scores[order[position - 1]] { rank += 1 }
            ranks[id] = rank
        }
        return ranks
    }

    /// The token of each byte value: "<0xNN>", else a token whose text is that one byte,
    /// else the unknown token. Throws when a byte has none of them.
    static func byteFallback(texts: TokenTextTable, unknownTokenID: Int32?) throws -> [Int32] {
        try texts.withLookup { lookup in
            try (0..<256).map { byte in
                let hex = String(byte, radix: 16, uppercase: true)
                let name = Array("<0x\(hex.count == 1 ? "0" + hex : hex)>".utf8)
                let named = name.withUnsafeBufferPointer { lookup.id($0.baseAddress!, $0.count) }
                if named >= 0 { return named }
                let plain = withUnsafePointer(to: UInt8(byte)) { lookup.id($0, 1) }
                if plain >= 0 { return plain }
                guard let unknownTokenID else {
                    throw TokenizerError.invalidVocabulary(
                        reason: "no token <0x\(hex.count == 1 ? "0" + hex : hex)> and no unknown token to fall back on")
                }
                return unknownTokenID
            }
        }
    }

    /// The token whose text is each byte value alone, -1 where none.
    static func oneByteTokens(texts: TokenTextTable) -> [Int32] {
        texts.withLookup { lookup in
            (0..<256).map { byte in withUnsafePointer(to: UInt8(byte)) { lookup.id($0, 1) } }
        }
    }

    /// What each token decodes to: a byte token its byte, a user-defined token its text as
    /// is, any other token its text with "▁" as a space.
    static func decodedPieces(tokens: [String], types: [TokenType]) -> TokenByteTable {
        TokenByteTable(zip(tokens, types)) { tokenAndType, pieces in
            let (token, type) = tokenAndType
            let bytes = Array(token.utf8)
            if type == .byte, bytes.count == 6, let byte = UInt8(String(decoding: bytes[3..<5], as: UTF8.self), radix: 16) {
                pieces.append(byte)
            } else if type == .userDefined {
                pieces.append(contentsOf: bytes)
            } else {
                var index = 0
                while index < bytes.count {
                    if index + 3 <= bytes.count && bytes[index] == 0xE2 && bytes[index + 1] == 0x96 && bytes[index + 2] == 0x81 {
                        pieces.append(0x20)
                        index += 3
                    } else {
                        pieces.append(bytes[index])
                        index += 1
                    }
                }
            }
        }
    }

    static func fingerprint(tokens: [String], scores: [Float], types: [TokenType], addsSpacePrefix: Bool) -> String {
        var hash = FNV1aHash()
        hash.feed(terminated: tokens)
        hash.feed(0xFF)
        for (score, type) in zip(scores, types) {
            var bits = score.bitPattern
            for _ in 0..<4 {
                hash.feed(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
            hash.feed(UInt8(type.rawValue))
        }
        hash.feed(addsSpacePrefix ? 1 : 0)
        return hash.hex
    }
}
