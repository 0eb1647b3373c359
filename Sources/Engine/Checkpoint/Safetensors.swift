import MappedFiles
import Foundation

// The safetensors format (Hugging Face), written to its specification:
//   8 bytes   little-endian UInt64 N: header length
//   N bytes   UTF-8 JSON object: name → {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}
//             plus optionally "__metadata__": {string: string}; may be padded with spaces
//   rest      the tensor bytes; offsets are relative to the start of this section

/// A problem with a safetensors file, naming the file and, where it applies, the tensor.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case truncated(file: String, detail: String)
    case invalidHeader(file: String, detail: String)
    case invalidTensorEntry(file: String, tensor: String, detail: String)
    case missingTensor(file: String, tensor: String)
    case unexpectedTensor(file: String, tensor: String)
    case wrongDtype(file: String, tensor: String, found: String, expected: String)
    case wrongShape(file: String, tensor: String, found: [Int], expected: [Int])

    public var description: String {
        switch self {
        case let .truncated(f, d): return "\(f): truncated safetensors file: \(d)"
        case let .invalidHeader(f, d): return "\(f): invalid safetensors header: \(d)"
        case let .invalidTensorEntry(f, t, d): return "\(f): tensor '\(t)': \(d)"
        case let .missingTensor(f, t): return "\(f): tensor '\(t)' is missing"
        case let .unexpectedTensor(f, t): return "\(f): unexpected tensor '\(t)' (the model has no such parameter)"
        case let .wrongDtype(f, t, found, expected): return "\(f): tensor '\(t)' has dtype \(found), expected \(expected)"
        case let .wrongShape(f, t, found, expected): return "\(f): tensor '\(t)' has shape \(found), expected \(expected)"
        }
    }
}

/// One tensor's header entry.
public struct SafetensorsTensorInfo: Equatable, Sendable {
    public var dtype: String
    public var shape: [Int]
    /// Byte range inside the data section.
    public var dataBegin: Int, dataEnd: Int
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped safetensors file.
public final class SafetensorsFile {
    /// Path, used in every error.
    public let path: String
    /// The `__metadata__` strings.
    public let metadata: [String: String]
    /// Header entries by name.
    public let tensors: [String: SafetensorsTensorInfo]
    /// Tensor names in data order.
    public let names: [String]
    private let mapping: MappedFile
    private let dataStart: Int

    static let dtypeSizes: [String: Int] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
                                            "I16": 2, "I8": 1, "U8": 1, "BOOL": 1, "U16": 2, "U32": 4, "U64": 8,
                                            "F8_E4M3": 1, "F8_E5M2": 1]

    /// Maps and validates the file: header size, JSON, every entry's dtype,
    /// shape and byte range against the file size.
    public convenience init(path: String) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path)
        } catch let error as MappedFileError {
            throw FileSystemError(mapping: error)
        }
        try self.init(file: mapping)
    }

    /// Validates a file already in memory as `init(path:)` does (errors name `file.path`).
    public init(file mapping: MappedFile) throws {
        let path = mapping.path
        self.path = path
        self.mapping = mapping
        let bytes = mapping.bytes
        guard bytes.count >= 8 else {
            throw SafetensorsError.truncated(file: path, detail: "\(bytes.count) bytes, fewer than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))  // compared before it becomes an Int
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafetensorsError.truncated(file: path, detail: "header length \(headerLength) exceeds the \(bytes.count - 8) bytes after it")
        }
        dataStart = 8 + Int(headerLength)
        let headerData = Data(bytes[8..<dataStart])
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerData) } catch {
            throw SafetensorsError.invalidHeader(file: path, detail: "not valid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else {
            throw SafetensorsError.invalidHeader(file: path, detail: "not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: SafetensorsTensorInfo] = [:]
        let dataLength = bytes.count - dataStart
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else {
                    throw SafetensorsError.invalidHeader(file: path, detail: "__metadata__ is not an object")
                }
                for (k, v) in m {
                    guard let s = v as? String else {
                        throw SafetensorsError.invalidHeader(file: path, detail: "__metadata__ value for '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            func bad(_ d: String) -> SafetensorsError { .invalidTensorEntry(file: path, tensor: name, detail: d) }
            guard let entry = value as? [String: Any] else { throw bad("entry is not an object") }
            guard let dtype = entry["dtype"] as? String else { throw bad("no dtype") }
            guard let size = Self.dtypeSizes[dtype] else { throw bad("unknown dtype \(dtype)") }
            guard let shapeValues = entry["shape"] as? [Any], let shape = Self.integers(shapeValues),
                  shape.allSatisfy({ $0 >= 0 }) else { throw bad("shape is not a list of non-negative integers") }
            guard let offsetValues = entry["data_offsets"] as? [Any], let offsets = Self.integers(offsetValues),
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else { throw bad("data_offsets is not [begin, end]") }
            let info = SafetensorsTensorInfo(dtype: dtype, shape: shape, dataBegin: offsets[0], dataEnd: offsets[1])
            guard let byteCount = Self.byteCount(shape: shape, elementSize: size) else {
                throw bad("shape \(shape) of \(dtype) has more bytes than a file can hold")
            }
            guard info.dataEnd - info.dataBegin == byteCount else {
                throw bad("data_offsets span \(info.dataEnd - info.dataBegin) bytes, but shape \(shape) of \(dtype) needs \(byteCount)")
            }
            guard info.dataEnd <= dataLength else {
                throw SafetensorsError.truncated(file: path, detail: "tensor '\(name)' ends at byte \(info.dataEnd) of a \(dataLength)-byte data section")
            }
            tensors[name] = info
        }
        self.metadata = metadata
        self.tensors = tensors
        names = tensors.keys.sorted { tensors[$0]!.dataBegin < tensors[$1]!.dataBegin }
    }

    /// Bytes of a tensor of `shape`, nil when the product overflows (a corrupt header must
    /// not trap before the span is compared with the file).
    private static func byteCount(shape: [Int], elementSize: Int) -> Int? {
        var count = elementSize
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            count = product
        }
        return count
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber, Double(n.int64Value) == n.doubleValue else { return nil }
            out.append(n.intValue)
        }
        return out
    }

    /// The header entry of a tensor; throws `missingTensor` naming it.
    public func info(_ name: String) throws -> SafetensorsTensorInfo {
        guard let i = tensors[name] else { throw SafetensorsError.missingTensor(file: path, tensor: name) }
        return i
    }

    /// Raw bytes of a tensor (valid while this object lives).
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let i = try info(name)
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[(dataStart + i.dataBegin)..<(dataStart + i.dataEnd)])
    }

    /// Copies an F32 tensor of the expected shape into `destination`; throws
    /// naming the file and tensor on a missing tensor, wrong dtype or shape.
    public func copyFloats(_ name: String, expectedShape: [Int], into destination: UnsafeMutableBufferPointer<Float>) throws {
        let i = try info(name)
        guard i.dtype == "F32" else { throw SafetensorsError.wrongDtype(file: path, tensor: name, found: i.dtype, expected: "F32") }
        guard i.shape == expectedShape else {
            throw SafetensorsError.wrongShape(file: path, tensor: name, found: i.shape, expected: expectedShape)
        }
        precondition(destination.count == i.elementCount, "copyFloats: destination size does not match the shape")
        let raw = try rawBytes(name)
        UnsafeMutableRawBufferPointer(destination).copyMemory(from: raw)
    }

    /// An F32 tensor as an array.
    public func floats(_ name: String) throws -> [Float] {
        let i = try info(name)
        var out = [Float](repeating: 0, count: i.elementCount)
        try out.withUnsafeMutableBufferPointer { try copyFloats(name, expectedShape: i.shape, into: $0) }
        return out
    }
}

/// A tensor to write: name, shape and F32 data.
public struct SafetensorsTensor {
    public var name: String
    public var shape: [Int]
    public var data: UnsafeBufferPointer<Float>
    public init(name: String, shape: [Int], data: UnsafeBufferPointer<Float>) {
        self.name = name; self.shape = shape; self.data = data
    }
}

/// Writes F32 safetensors files atomically (temporary file + rename).
public enum SafetensorsWriter {
    /// Writes `tensors` in the given order, with `metadata` as `__metadata__`.
    public static func write(_ tensors: [SafetensorsTensor], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for t in tensors {
            precondition(t.shape.reduce(1, *) == t.data.count, "SafetensorsWriter: shape of \(t.name) does not match its data")
            precondition(t.name != "__metadata__" && header[t.name] == nil, "SafetensorsWriter: duplicate tensor \(t.name)")
            let end = offset + t.data.count * 4
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, end]] as [String: Any]
            offset = end
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var length = UInt64(json.count).littleEndian
        let writer = try AtomicFileWriter(path: path)
        do {
            try withUnsafeBytes(of: &length) { try writer.write($0) }
            try writer.write(json)
            for t in tensors { try writer.write(UnsafeRawBufferPointer(t.data)) }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
