import Foundation

/// Writes small GGUF files for loader tests, byte by byte and independent of the reader: the
/// few metadata types the loaders read, and tensors as raw bytes of any ggml type.
struct TinyGGUFWriter {
    enum Value {
        case uint32(UInt32), float32(Float), string(String), strings([String])

        var typeID: UInt32 {
            switch self {
            case .uint32: return 4
            case .float32: return 6
            case .string: return 8
            case .strings: return 9
            }
        }
    }

    struct Tensor {
        var name: String
        /// ggml order: columns (ne0) first.
        var dims: [Int]
        var type: TinyQuantization
        var data: [UInt8]
    }

    var metadata: [(key: String, value: Value)] = []
    var tensors: [Tensor] = []

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func putString(_ s: String) { put(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        out.append(contentsOf: Array("GGUF".utf8))
        put(UInt32(3))
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        for (key, value) in metadata {
            putString(key)
            put(value.typeID)
            switch value {
            case .uint32(let v): put(v)
            case .float32(let v): put(v.bitPattern)
            case .string(let v): putString(v)
            case .strings(let values): put(UInt32(8)); put(UInt64(values.count)); values.forEach(putString)
            }
        }
        var offset = 0
        for tensor in tensors {
            putString(tensor.name)
            put(UInt32(tensor.dims.count))
            tensor.dims.forEach { put(UInt64($0)) }
            put(tensor.type.rawValue)
            put(UInt64(offset))
            offset += (tensor.data.count + 31) / 32 * 32
        }
        for tensor in tensors {
            while out.count % 32 != 0 { out.append(0) }
            out.append(contentsOf: tensor.data)
        }
        return out
    }

    /// Writes the file under a fresh name in the temporary directory and returns its path.
    func write(prefix: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString).gguf")
        try Data(bytes()).write(to: url)
        return url.path
    }
}
