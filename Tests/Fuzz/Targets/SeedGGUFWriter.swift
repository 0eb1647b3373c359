/// Writes the small GGUF files of the `gguf` seeds byte by byte (format version 3, alignment
/// 32): the metadata value types the loaders read and tensors as raw bytes of any ggml type.
struct SeedGGUFWriter {
    enum Value {
        case uint32(UInt32), float32(Float), bool(Bool), string(String)
        case strings([String]), floats([Float]), int32s([Int32])
    }

    struct Tensor {
        var name: String
        /// ggml order: columns (ne0) first.
        var dimensions: [Int]
        var typeID: UInt32
        var data: [UInt8]
    }

    var metadata: [(key: String, value: Value)] = []
    var tensors: [Tensor] = []

    func bytes() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func putString(_ text: String) { put(UInt64(text.utf8.count)); out.append(contentsOf: text.utf8) }
        func putArray<T>(_ elementType: UInt32, _ values: [T], _ each: (T) -> Void) {
            put(UInt32(9)); put(elementType); put(UInt64(values.count)); values.forEach(each)
        }
        put(UInt32(3))
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        for (key, value) in metadata {
            putString(key)
            switch value {
            case .uint32(let number): put(UInt32(4)); put(number)
            case .float32(let number): put(UInt32(6)); put(number.bitPattern)
            case .bool(let flag): put(UInt32(7)); put(UInt8(flag ? 1 : 0))
            case .string(let text): put(UInt32(8)); putString(text)
            case .strings(let texts): putArray(8, texts, putString)
            case .floats(let numbers): putArray(6, numbers) { put($0.bitPattern) }
            case .int32s(let numbers): putArray(5, numbers) { put($0) }
            }
        }
        var offset = 0
        for tensor in tensors {
            putString(tensor.name)
            put(UInt32(tensor.dimensions.count))
            tensor.dimensions.forEach { put(UInt64($0)) }
            put(tensor.typeID)
            put(UInt64(offset))
            offset += (tensor.data.count + 31) / 32 * 32
        }
        for tensor in tensors {
            while out.count % 32 != 0 { out.append(0) }
            out.append(contentsOf: tensor.data)
        }
        return out
    }
}
