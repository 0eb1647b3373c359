/// Bad input to the engine (shapes, token ids).
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// The batch shape exceeds what the model was allocated for, or is empty.
    case batchShape(batch: Int, sequence: Int, maxBatch: Int, maxSequence: Int)
    /// A sequence longer than the model's rotary tables (max_position_embeddings).
    case sequenceTooLong(sequence: Int, maxPositions: Int)
    /// A token id outside 0..<V at a flattened position.
    case tokenOutOfRange(token: Int32, position: Int, vocabularySize: Int)
    /// A buffer's length does not match B·T (or B·T·C).
    case lengthMismatch(what: String, expected: Int, actual: Int)
    /// An operation that needs a forward pass first.
    case noForwardPass(operation: String)

    public var description: String {
        switch self {
        case let .batchShape(b, t, mb, mt):
            return "engine: batch \(b)×\(t) is empty or exceeds the allocated \(mb)×\(mt); create the model with a larger batchSize/sequenceLength"
        case let .sequenceTooLong(t, maxPositions):
            return "engine: sequence length \(t) exceeds max_position_embeddings \(maxPositions)"
        case let .tokenOutOfRange(token, position, v):
            return "engine: token id \(token) at position \(position) is outside the vocabulary 0..<\(v)"
        case let .lengthMismatch(what, expected, actual):
            return "engine: \(what) has \(actual) elements, expected \(expected)"
        case let .noForwardPass(operation):
            return "engine: \(operation) needs a forward pass first"
        }
    }
}

func checkTokens(_ tokens: UnsafeBufferPointer<Int32>, vocabularySize: Int) throws {
    for (i, t) in tokens.enumerated() where t < 0 || Int(t) >= vocabularySize {
        throw EngineError.tokenOutOfRange(token: t, position: i, vocabularySize: vocabularySize)
    }
}
