import Foundation
import GGUF

/// A minimal GGUF writer for tests: builds a file byte by byte, independent of the reader.
struct GGUFTestWriter {
    enum Value {
        case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
        case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
        indirect case array(elementType: UInt32, values: [Value])

        var typeID: UInt32 {
            switch self {
            case .uint8: return 0
            case .int8: return 1
            case .uint16: return 2
            case .int16: return 3
            case .uint32: return 4
            case .int32: return 5
            case .float32: return 6
            case .bool: return 7
            case .string: return 8
            case .array: return 9
            case .uint64: return 10
            case .int64: return 11
            case .float64: return 12
            }
        }
    }

    struct Tensor {
        var name: String
        var dimensions: [UInt64]
        var typeID: UInt32
        var data: [UInt8]
        /// Overrides the offset written in the tensor table (to test misalignment).
        var offsetOverride: UInt64? = nil
    }

    var version: UInt32 = 3
    var magic: [UInt8] = Array("GGUF".utf8)
    var alignment = 32
    var metadata: [(String, Value)] = []
    /// Raw value-type ids to write instead of the real one, by key (to test unknown types).
    var valueTypeOverride: [String: UInt32] = [:]
    var tensors: [Tensor] = []

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        func putString(_ string: String) {
            put(UInt64(string.utf8.count))
            out.append(contentsOf: string.utf8)
        }
        func putValue(_ value: Value) {
            switch value {
            case let .uint8(v): put(v)
            case let .int8(v): put(v)
            case let .uint16(v): put(v)
            case let .int16(v): put(v)
            case let .uint32(v): put(v)
            case let .int32(v): put(v)
            case let .uint64(v): put(v)
            case let .int64(v): put(v)
            case let .float32(v): put(v.bitPattern)
            case let .float64(v): put(v.bitPattern)
            case let .bool(v): put(UInt8(v ? 1 : 0))
            case let .string(v): putString(v)
            case let .array(elementType, values):
                put(elementType)
                put(UInt64(values.count))
                values.forEach(putValue)
            }
        }
        out.append(contentsOf: magic)
        put(version)
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        for (key, value) in metadata {
            putString(key)
            put(valueTypeOverride[key] ?? value.typeID)
            putValue(value)
        }
        var offsets: [UInt64] = []
        var relative: UInt64 = 0
        for tensor in tensors {
            offsets.append(relative)
            relative += UInt64((tensor.data.count + alignment - 1) / alignment * alignment)
        }
        for (tensor, offset) in zip(tensors, offsets) {
            putString(tensor.name)
            put(UInt32(tensor.dimensions.count))
            tensor.dimensions.forEach { put($0) }
            put(tensor.typeID)
            put(tensor.offsetOverride ?? offset)
        }
        for (index, tensor) in tensors.enumerated() {
            while out.count % alignment != 0 { out.append(0) }
            if index == 0 { precondition(offsets[0] == 0) }
            out.append(contentsOf: tensor.data)
        }
        return out
    }

    /// Writes the file into a fresh temporary directory and returns its path.
    func write(name: String = "test.gguf") throws -> String {
        try Self.write(bytes(), name: name)
    }

    static func write(_ bytes: [UInt8], name: String = "test.gguf") throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gguf-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}

/// Little-endian byte helpers for building tensor data.
enum Bytes {
    static func of<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { of($0.bitPattern) } }
}
