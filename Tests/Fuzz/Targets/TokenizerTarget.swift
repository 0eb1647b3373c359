import Foundation
import Tokenizer

/// Text for the two real tokenizers, SmolLM2's byte-level BPE and Gemma 3's SentencePiece:
/// the input's bytes are encoded (invalid UTF-8 included, as `encode(utf8:)` takes it), and
/// valid UTF-8 must decode back to the same bytes; the same bytes, read as 32-bit ids, are
/// decoded (out-of-range and negative ids included).
enum TokenizerTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        let text = Array(bytes)
        let isValidUTF8 = String(validating: text, as: UTF8.self) != nil
        let ids = FuzzInput.words(bytes).map { Int32(bitPattern: $0) }
        let bpe = Tokenizers.bytePairEncoding, sentencePiece = Tokenizers.sentencePiece
        text.withUnsafeBufferPointer { utf8 in
            if let encoded = try? bpe.encode(utf8: utf8), isValidUTF8 {
                checkRoundTrip(text, encoded, through: bpe, name: "SmolLM2 BPE")
            }
            let encoded = sentencePiece.encode(utf8: utf8, addingBOS: false)
            // SentencePiece writes spaces as "▁", so a literal "▁" decodes as a space (documented).
            if isValidUTF8, !sentencePiece.addsSpacePrefix, !containsSpaceMarker(text) {
                checkRoundTrip(text, encoded, through: sentencePiece, name: "Gemma 3 SentencePiece")
            }
        }
        _ = bpe.decodeBytes(ids)
        _ = sentencePiece.decodeBytes(ids)
    }

    /// Loads both tokenizers (before the first input, so it is not timed as one).
    static func prepare() {
        _ = Tokenizers.bytePairEncoding
        _ = Tokenizers.sentencePiece
    }

    private static func checkRoundTrip(_ text: [UInt8], _ ids: [Int32], through tokenizer: any TextTokenizer, name: String) {
        let decoded = tokenizer.decodeBytes(ids)
        if decoded != text {
            Finding.report("\(name): decode(encode(text)) != text for the UTF-8 bytes \(text) (decoded \(decoded), ids \(ids))")
        }
    }

    private static func containsSpaceMarker(_ text: [UInt8]) -> Bool {
        let marker: [UInt8] = [0xE2, 0x96, 0x81]  // U+2581 "▁"
        return text.count >= 3 && (0...text.count - 3).contains { text[$0..<$0 + 3].elementsEqual(marker) }
    }
}

/// The real tokenizers, read once from the GGUF files the tests use (`DDK_TEACHER_GGUF`,
/// `DDK_GEMMA_GGUF`, else `data/teacher/...` below the working directory). Without them the
/// target cannot run: it says so and exits non-zero.
enum Tokenizers {
    static let bytePairEncoding: Tokenizer = load("DDK_TEACHER_GGUF", "data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf") {
        try Tokenizer(ggufAt: $0)
    }
    static let sentencePiece: SentencePieceTokenizer = load("DDK_GEMMA_GGUF", "data/teacher/gemma-3-270m-q4_k_m.gguf") {
        try SentencePieceTokenizer(ggufAt: $0)
    }

    private static func load<T>(_ variable: String, _ defaultPath: String, _ open: (String) throws -> T) -> T {
        let path = ProcessInfo.processInfo.environment[variable] ?? defaultPath
        do {
            return try open(path)
        } catch {
            FileHandle.standardError.write(Data("ddk-fuzz tokenizer: cannot load \(path) (\(error)); run launch/fetch-teacher and launch/fetch-teacher --model gemma3, or set \(variable)\n".utf8))
            exit(2)
        }
    }
}
