import MappedFiles

/// The parts of a GGUF file's header, read in file order by `GGUFFile.init(path:)`:
/// magic and counts, metadata, alignment, tensor table, then the tensors placed in the data
/// section and checked to lie inside the file.
extension GGUFFile {
    struct Header {
        let version: UInt32
        let tensorCount: UInt64
        let metadataCount: UInt64
    }

    /// A tensor's description before its offset is fixed up to the data section.
    struct TensorDescription {
        let name: String
        let dimensions: [Int]
        let type: GGUFTensorType
        /// Offset from the start of the data section.
        let offset: Int
    }

    static func readHeader(_ cursor: inout ByteCursor) throws -> Header {
        let magic = try cursor.read(UInt32.self, for: "the magic number")
        guard magic == 0x4655_4747 else { throw GGUFError.badMagic(path: cursor.path, found: magic) }
        let version = try cursor.read(UInt32.self, for: "the version")
        guard version == 2 || version == 3 else {
            throw GGUFError.unsupportedVersion(path: cursor.path, version: version)
        }
        let tensorCount = try cursor.read(UInt64.self, for: "the tensor count")
        let metadataCount = try cursor.read(UInt64.self, for: "the metadata count")
        return Header(version: version, tensorCount: tensorCount, metadataCount: metadataCount)
    }

    static func readMetadata(count: UInt64, _ cursor: inout ByteCursor) throws
        -> (values: [String: GGUFValue], keys: [String]) {
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for index in 0..<count {
            let key = try cursor.readString(for: "metadata key \(index)")
            let rawType = try cursor.read(UInt32.self, for: "the type of metadata '\(key)'")
            let value = try readValue(rawType: rawType, key: key, cursor: &cursor)
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw GGUFError.duplicateName(path: cursor.path, name: key)
            }
            keys.append(key)
        }
        return (metadata, keys)
    }

    /// `general.alignment`, a power of two, or the default 32 when absent.
    static func alignment(of metadata: [String: GGUFValue], path: String) throws -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard let given = value.integer, given > 0, given & (given - 1) == 0 else {
            throw GGUFError.invalidAlignment(path: path, alignment: value.integer ?? -1)
        }
        return given
    }

    static func readTensorTable(count: UInt64, alignment: Int, _ cursor: inout ByteCursor) throws
        -> (descriptions: [TensorDescription], indexByName: [String: Int]) {
        var descriptions: [TensorDescription] = []
        var indexByName: [String: Int] = [:]
        for index in 0..<count {
            let description = try readTensorDescription(index: index, alignment: alignment, &cursor)
            guard indexByName.updateValue(descriptions.count, forKey: description.name) == nil else {
                throw GGUFError.duplicateName(path: cursor.path, name: description.name)
            }
            descriptions.append(description)
        }
        return (descriptions, indexByName)
    }

    private static func readTensorDescription(index: UInt64, alignment: Int, _ cursor: inout ByteCursor) throws
        -> TensorDescription {
        let path = cursor.path
        let name = try cursor.readString(for: "the name of tensor \(index)")
        let dimensionCount = try cursor.read(UInt32.self, for: "the rank of tensor '\(name)'")
        guard (1...4).contains(dimensionCount) else {
            throw GGUFError.invalidTensor(path: path, tensor: name, reason: "rank \(dimensionCount), expected 1 to 4")
        }
        let dimensions = try readDimensions(count: Int(dimensionCount), tensor: name, &cursor)
        let rawType = try cursor.read(UInt32.self, for: "the type of tensor '\(name)'")
        guard let type = GGUFTensorType(rawValue: rawType) else {
            throw GGUFError.unknownTensorType(path: path, tensor: name, rawType: rawType)
        }
        guard dimensions[0] % type.blockSize == 0 else {
            throw GGUFError.invalidTensor(path: path, tensor: name,
                reason: "\(dimensions[0]) columns is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        let offset = try cursor.read(UInt64.self, for: "the data offset of tensor '\(name)'")
        guard offset % UInt64(alignment) == 0, let relative = Int(exactly: offset) else {
            throw GGUFError.invalidTensor(path: path, tensor: name,
                reason: "data offset \(offset) is not a multiple of the alignment \(alignment)")
        }
        return TensorDescription(name: name, dimensions: dimensions, type: type, offset: relative)
    }

    /// The extents of one tensor, each positive, their product bounded (a corrupt count must
    /// not become a huge allocation later).
    private static func readDimensions(count: Int, tensor name: String, _ cursor: inout ByteCursor) throws -> [Int] {
        var dimensions: [Int] = []
        var elementCount = 1
        for axis in 0..<count {
            let extent = try cursor.read(UInt64.self, for: "dimension \(axis) of tensor '\(name)'")
            guard extent > 0, let size = Int(exactly: extent) else {
                throw GGUFError.invalidTensor(path: cursor.path, tensor: name, reason: "dimension \(axis) is \(extent)")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow, product < Int(Int32.max) * 1024 else {
                throw GGUFError.invalidTensor(path: cursor.path, tensor: name, reason: "too many elements")
            }
            elementCount = product
            dimensions.append(size)
        }
        return dimensions
    }

    /// The tensors with file offsets, each checked to lie inside the mapping.
    static func place(_ descriptions: [TensorDescription], dataOffset: Int, in mapping: MappedFile,
                      path: String) throws -> [GGUFTensorInfo] {
        try descriptions.map { description in
            // A huge offset (with a huge general.alignment) must not overflow the addition.
            let (fileOffset, overflow) = dataOffset.addingReportingOverflow(description.offset)
            guard !overflow else {
                throw GGUFError.invalidTensor(path: path, tensor: description.name,
                                              reason: "data offset \(description.offset) lies past the end of any file")
            }
            let tensor = GGUFTensorInfo(name: description.name, dimensions: description.dimensions,
                                        type: description.type, fileOffset: fileOffset)
            guard tensor.fileOffset <= mapping.size, tensor.byteCount <= mapping.size - tensor.fileOffset else {
                throw GGUFError.truncated(path: path, what: "the data of tensor '\(tensor.name)'",
                                          offset: tensor.fileOffset, needed: tensor.byteCount, fileSize: mapping.size)
            }
            return tensor
        }
    }
}
