/// Everything that can go wrong reading a GGUF file. Each description is one line naming
/// the file (and the key or tensor) and what is wrong.
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or memory-mapped.
    case cannotOpen(path: String, reason: String)
    /// The first four bytes are not "GGUF".
    case badMagic(path: String, found: UInt32)
    /// A format version other than 2 or 3.
    case unsupportedVersion(path: String, version: UInt32)
    /// The file ends before `needed` bytes at `offset` could be read (reading `what`).
    case truncated(path: String, what: String, offset: Int, needed: Int, fileSize: Int)
    /// A metadata value type id that is not part of the format.
    case unknownValueType(path: String, key: String, rawType: UInt32)
    /// Metadata whose arrays of arrays nest deeper than `limit` levels.
    case arraysNestedTooDeep(path: String, key: String, limit: Int)
    /// Two metadata entries or two tensors with the same name.
    case duplicateName(path: String, name: String)
    /// `general.alignment` is not a positive power of two.
    case invalidAlignment(path: String, alignment: Int)
    /// A tensor type id that is not a ggml type.
    case unknownTensorType(path: String, tensor: String, rawType: UInt32)
    /// A tensor whose shape or offset is inconsistent (zero or overflowing dims, misaligned
    /// offset, a row not made of whole quantization blocks).
    case invalidTensor(path: String, tensor: String, reason: String)
    /// A tensor of a known type that this reader does not dequantize.
    case unsupportedTensorType(path: String, tensor: String, type: GGUFTensorType)
    /// No tensor of that name.
    case missingTensor(path: String, name: String)
    /// No metadata entry of that key.
    case missingKey(path: String, key: String)
    /// A metadata entry whose value is not of the type asked for.
    case wrongValueType(path: String, key: String, expected: String, found: String)
    /// A destination buffer of the wrong size for a tensor.
    case destinationSizeMismatch(path: String, tensor: String, elements: Int, destination: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): cannot open GGUF file: \(reason)"
        case let .badMagic(path, found):
            let hex = String(found, radix: 16, uppercase: true)
            return "\(path): not a GGUF file (magic 0x\(hex), expected 0x46554747 \"GGUF\")"
        case let .unsupportedVersion(path, version):
            return "\(path): GGUF version \(version) is not supported (only versions 2 and 3)"
        case let .truncated(path, what, offset, needed, fileSize):
            return "\(path): truncated GGUF file: \(what) needs \(needed) bytes at offset \(offset) but the file has \(fileSize) bytes"
        case let .unknownValueType(path, key, rawType):
            return "\(path): metadata key '\(key)' has unknown value type \(rawType)"
        case let .arraysNestedTooDeep(path, key, limit):
            return "\(path): metadata '\(key)' nests arrays more than \(limit) deep"
        case let .duplicateName(path, name):
            return "\(path): '\(name)' appears twice"
        case let .invalidAlignment(path, alignment):
            return "\(path): general.alignment \(alignment) is not a positive power of two"
        case let .unknownTensorType(path, tensor, rawType):
            return "\(path): tensor '\(tensor)' has unknown ggml type \(rawType)"
        case let .invalidTensor(path, tensor, reason):
            return "\(path): tensor '\(tensor)': \(reason)"
        case let .unsupportedTensorType(path, tensor, type):
            let supported = GGUFTensorType.allCases.filter(\.canDequantize).map(\.name).joined(separator: ", ")
            return "\(path): tensor '\(tensor)' has type \(type.name), which cannot be dequantized (supported: \(supported))"
        case let .missingTensor(path, name):
            return "\(path): no tensor named '\(name)'"
        case let .missingKey(path, key):
            return "\(path): no metadata key '\(key)'"
        case let .wrongValueType(path, key, expected, found):
            return "\(path): metadata key '\(key)' is \(found), expected \(expected)"
        case let .destinationSizeMismatch(path, tensor, elements, destination):
            return "\(path): tensor '\(tensor)' has \(elements) elements but the destination holds \(destination)"
        }
    }
}
