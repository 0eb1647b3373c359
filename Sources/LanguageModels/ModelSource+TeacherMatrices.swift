import Engine
import GGUF

extension ModelSource {
    /// The LM-head matrix (V,C) and, when `withEmbeddings`, the input-embedding table (V,C)
    /// that the dual-space objectives read on every student, for V = the model's vocabulary.
    /// From a GGUF file only these tensors are dequantized (Gemma 3 270M's (262,144, 640)
    /// table is 671 MB in Float32; the rest of the model is never read). With tied
    /// embeddings both are the same array, stored once.
    public func headAndEmbeddings(withEmbeddings: Bool) throws -> (head: [Float], embeddings: [Float]?) {
        let rows = architecture.vocabularySize
        switch format {
        case .gguf(let file):
            let embeddingTensor = try file.tensor(named: "token_embd.weight")
            let embeddings = try Self.firstRows(rows, of: embeddingTensor, in: file)
            guard file.containsTensor(named: "output.weight") else { return (embeddings, withEmbeddings ? embeddings : nil) }
            let head = try Self.firstRows(rows, of: try file.tensor(named: "output.weight"), in: file)
            return (head, withEmbeddings ? embeddings : nil)
        case .checkpoint:
            let frozen = try load(1, 1)
            let count = rows * architecture.hiddenSize
            let head = Array(frozen.parameters.slice(offset: frozen.layout.lmHead, count: count))
            guard withEmbeddings else { return (head, nil) }
            return (head, Array(try frozen.parameter(named: "model.embed_tokens.weight").prefix(count)))
        }
    }

    /// The first `rows` rows of a (rows ≥ `rows`, C) tensor, dequantized.
    private static func firstRows(_ rows: Int, of tensor: GGUFTensorInfo, in file: GGUFFile) throws -> [Float] {
        guard tensor.rows >= rows else {
            throw GGUFModelError(path: file.path, subject: tensor.name, problem: "has \(tensor.rows) rows, the vocabulary \(rows)")
        }
        return try [Float](unsafeUninitializedCapacity: rows * tensor.columns) { buffer, initialized in
            try file.dequantize(tensor, rows: 0..<rows, into: buffer)
            initialized = rows * tensor.columns
        }
    }
}
