import MappedFiles

/// A GGUF file (format version 2 or 3), memory-mapped: its metadata, its tensor table and
/// access to each tensor's bytes, dequantized to Float32 on request.
///
/// Reading the header parses every metadata value and tensor description and checks that
/// every tensor lies inside the file; tensor data is only touched when dequantized.
/// The object is immutable and may be shared between threads.
public final class GGUFFile: @unchecked Sendable {
    /// The path the file was opened from (used in every error message).
    public let path: String
    /// Format version (2 or 3).
    public let version: UInt32
    /// All metadata entries by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor descriptions in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of the tensor data (`general.alignment`, 32 when absent).
    public let alignment: Int
    /// Offset of the tensor data section from the start of the file.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public var fileSize: Int { mapping.size }

    private let mapping: MappedFile
    private let tensorIndexByName: [String: Int]

    /// The default alignment of tensor data when `general.alignment` is absent.
    public static let defaultAlignment = 32

    /// Opens and memory-maps the GGUF file at `path` and parses its header, metadata and
    /// tensor table.
    public convenience init(path: String) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path)
        } catch let error as MappedFileError {
            throw GGUFError.cannotOpen(path: path, reason: error.reason)
        }
        try self.init(file: mapping)
    }

    /// Parses the header, metadata and tensor table of a file already in memory (errors name
    /// `file.path`).
    public init(file mapping: MappedFile) throws {
        let path = mapping.path
        self.path = path
        self.mapping = mapping
        var cursor = ByteCursor(file: mapping, path: path)
        let header = try Self.readHeader(&cursor)
        version = header.version
        (metadata, metadataKeys) = try Self.readMetadata(count: header.metadataCount, &cursor)
        alignment = try Self.alignment(of: metadata, path: path)
        let table = try Self.readTensorTable(count: header.tensorCount, alignment: alignment, &cursor)
        cursor.align(to: alignment)
        dataOffset = cursor.offset
        tensors = try Self.place(table.descriptions, dataOffset: dataOffset, in: mapping, path: path)
        tensorIndexByName = table.indexByName
    }

    /// The description of the tensor called `name`; throws `missingTensor` if there is none.
    public func tensor(named name: String) throws -> GGUFTensorInfo {
        guard let index = tensorIndexByName[name] else { throw GGUFError.missingTensor(path: path, name: name) }
        return tensors[index]
    }

    /// Whether the file holds a tensor called `name`.
    public func containsTensor(named name: String) -> Bool {
        tensorIndexByName[name] != nil
    }

    /// Calls `body` with the raw bytes of `tensor` inside the mapping (valid during the call).
    public func withRawBytes<Result>(of tensor: GGUFTensorInfo,
                                     _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        precondition(tensor.fileOffset + tensor.byteCount <= mapping.size, "tensor from another GGUF file")
        return try withExtendedLifetime(mapping) {
            try body(UnsafeRawBufferPointer(start: mapping.base.map { $0 + tensor.fileOffset }, count: tensor.byteCount))
        }
    }

    // MARK: metadata values

    /// Arrays of arrays deeper than this are refused: each level is a recursive call, and a
    /// file of nested array headers would otherwise overflow the stack.
    static let maximumArrayDepth = 16

    static func readValue(rawType: UInt32, key: String, cursor: inout ByteCursor, depth: Int = 0) throws -> GGUFValue {
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError.unknownValueType(path: cursor.path, key: key, rawType: rawType)
        }
        if type == .array {
            guard depth < maximumArrayDepth else {
                throw GGUFError.arraysNestedTooDeep(path: cursor.path, key: key, limit: maximumArrayDepth)
            }
            let rawElementType = try cursor.read(UInt32.self, for: "the element type of metadata '\(key)'")
            guard let elementType = GGUFValueType(rawValue: rawElementType) else {
                throw GGUFError.unknownValueType(path: cursor.path, key: key, rawType: rawElementType)
            }
            let count = try cursor.read(UInt64.self, for: "the length of metadata '\(key)'")
            // Every element takes at least one byte (strings eight, nested arrays twelve): a
            // count larger than the rest of the file means a truncated file, not a huge array.
            let minimumElementSize: UInt64 = elementType == .string ? 8 : elementType == .array ? 12 : 1
            guard count <= UInt64(cursor.size - cursor.offset) / minimumElementSize else {
                throw GGUFError.truncated(path: cursor.path, what: "the \(count) elements of metadata '\(key)'",
                                          offset: cursor.offset, needed: Int(clamping: count), fileSize: cursor.size)
            }
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))
            for _ in 0..<count {
                values.append(try readValue(rawType: rawElementType, key: key, cursor: &cursor, depth: depth + 1))
            }
            return .array(elementType: elementType, values: values)
        }
        return try readScalar(type: type, key: key, cursor: &cursor)
    }

    private static func readScalar(type: GGUFValueType, key: String, cursor: inout ByteCursor) throws -> GGUFValue {
        func what() -> String { "the value of metadata '\(key)'" }
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, for: what()))
        case .int8: return .int8(try cursor.read(Int8.self, for: what()))
        case .uint16: return .uint16(try cursor.read(UInt16.self, for: what()))
        case .int16: return .int16(try cursor.read(Int16.self, for: what()))
        case .uint32: return .uint32(try cursor.read(UInt32.self, for: what()))
        case .int32: return .int32(try cursor.read(Int32.self, for: what()))
        case .uint64: return .uint64(try cursor.read(UInt64.self, for: what()))
        case .int64: return .int64(try cursor.read(Int64.self, for: what()))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, for: what())))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, for: what())))
        case .bool: return .bool(try cursor.read(UInt8.self, for: what()) != 0)
        case .string: return .string(try cursor.readString(for: what()))
        case .array: return try readValue(rawType: type.rawValue, key: key, cursor: &cursor)
        }
    }
}
