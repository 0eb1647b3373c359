import GGUF
import LanguageModels
import MappedFiles
import Tokenizer

/// A GGUF file as `ModelSource` opens one: header, metadata and tensor table, the model
/// config from the metadata, the tokenizer and its alignment with the embedding rows; then
/// every tensor dequantized (what loading the weights does) and the tokenizer used once.
enum GGUFTarget {
    static let path = "fuzz-input.gguf"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let file = Finding.expectingErrors(naming: path, { try GGUFFile(file: MappedFile(copying: bytes, path: path)) })
        else { return }
        Finding.expectingErrors(naming: path) { _ = try ModelArchitecture(gguf: file) }
        Finding.expectingErrors(naming: path) { _ = try file.vocabularyAlignment() }
        if file.metadata["tokenizer.ggml.model"] != nil,
           let tokenizer = Finding.expectingErrors(naming: path, { try GGUFTokenizer.load(from: file) }) {
            use(tokenizer)
        }
        for tensor in file.tensors where tensor.type.canDequantize {
            Finding.expectingErrors(naming: path) { try dequantize(tensor, of: file) }
        }
    }

    /// The tensor's values; the parser bounds a tensor by the file's size, so this allocates
    /// at most a small multiple of the input.
    private static func dequantize(_ tensor: GGUFTensorInfo, of file: GGUFFile) throws {
        var values = [Float](repeating: 0, count: tensor.elementCount)
        try values.withUnsafeMutableBufferPointer { try file.dequantize(tensor, into: $0) }
        if tensor.rows > 1 {
            var lastRow = [Float](repeating: 0, count: tensor.columns)
            try lastRow.withUnsafeMutableBufferPointer { try file.dequantize(tensor, rows: tensor.rows - 1..<tensor.rows, into: $0) }
        }
    }

    /// A vocabulary read from arbitrary metadata must still encode and decode without crashing.
    private static func use(_ tokenizer: any TextTokenizer) {
        _ = try? tokenizer.encode("Hello, world! 123 héllo\n\t  x\u{1F600}")
        let last = Int32(clamping: tokenizer.vocabularySize - 1)
        _ = tokenizer.decode([0, last, -1, Int32.max, last / 2])
    }
}
