/// Turning tensor data into Float32.
extension GGUFFile {
    /// Dequantizes `tensor` into `destination`, which must hold exactly
    /// `tensor.elementCount` values; they come out in ggml order (row-major with ne0
    /// columns). Throws `unsupportedTensorType` for types other than F32, F16, BF16, Q8_0,
    /// Q4_0 and Q4_1.
    public func dequantize(_ tensor: GGUFTensorInfo, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard destination.count == tensor.elementCount else {
            throw GGUFError.destinationSizeMismatch(path: path, tensor: tensor.name,
                                                    elements: tensor.elementCount, destination: destination.count)
        }
        guard tensor.type.canDequantize else {
            throw GGUFError.unsupportedTensorType(path: path, tensor: tensor.name, type: tensor.type)
        }
        guard let output = destination.baseAddress else { return }
        withRawBytes(of: tensor) { bytes in
            let source = bytes.baseAddress!
            let count = tensor.elementCount
            switch tensor.type {
            case .f32: dequantizeF32(source, output, count: count)
            case .f16: dequantizeF16(source, output, count: count)
            case .bf16: dequantizeBF16(source, output, count: count)
            case .q8_0: dequantizeQ8_0(source, output, blocks: count / 32)
            case .q4_0: dequantizeQ4_0(source, output, blocks: count / 32)
            case .q4_1: dequantizeQ4_1(source, output, blocks: count / 32)
            default: preconditionFailure("canDequantize and this switch disagree")
            }
        }
    }

    /// Dequantizes the tensor called `name` into a new array (ggml order, row-major).
    public func dequantize(_ name: String) throws -> [Float] {
        let tensor = try tensor(named: name)
        return try [Float](unsafeUninitializedCapacity: tensor.elementCount) { buffer, initialized in
            try dequantize(tensor, into: buffer)
            initialized = tensor.elementCount
        }
    }
}
