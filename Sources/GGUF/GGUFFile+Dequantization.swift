/// Turning tensor data into Float32.
extension GGUFFile {
    /// Dequantizes `tensor` into `destination`, which must hold exactly
    /// `tensor.elementCount` values; they come out in ggml order (row-major with ne0
    /// columns). Throws `unsupportedTensorType` for a type whose `canDequantize` is false.
    public func dequantize(_ tensor: GGUFTensorInfo, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try dequantize(tensor, rows: 0..<tensor.rows, into: destination)
    }

    /// Dequantizes the rows `rows` of `tensor` (a row is ne0 = `tensor.columns` values; rows
    /// count over every dimension after the first) into `destination`, which must hold
    /// exactly `rows.count · tensor.columns` values.
    public func dequantize(_ tensor: GGUFTensorInfo, rows: Range<Int>,
                           into destination: UnsafeMutableBufferPointer<Float>) throws {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= tensor.rows,
                     "rows \(rows) outside the \(tensor.rows) rows of \(tensor.name)")
        let count = rows.count * tensor.columns
        guard destination.count == count else {
            throw GGUFError.destinationSizeMismatch(path: path, tensor: tensor.name,
                                                    elements: count, destination: destination.count)
        }
        guard tensor.type.canDequantize else {
            throw GGUFError.unsupportedTensorType(path: path, tensor: tensor.name, type: tensor.type)
        }
        guard let output = destination.baseAddress, count > 0 else { return }
        let rowBytes = tensor.columns / tensor.type.blockSize * tensor.type.bytesPerBlock
        withRawBytes(of: tensor) { bytes in
            dequantizeValues(of: tensor.type, bytes.baseAddress! + rows.lowerBound * rowBytes, output, count: count)
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

/// `count` values of `type` (whole blocks) from `source` into `output`.
private func dequantizeValues(of type: GGUFTensorType, _ source: UnsafeRawPointer,
                              _ output: UnsafeMutablePointer<Float>, count: Int) {
    let blocks = count / type.blockSize
    switch type {
    case .f32: dequantizeF32(source, output, count: count)
    case .f16: dequantizeF16(source, output, count: count)
    case .bf16: dequantizeBF16(source, output, count: count)
    case .q8_0: dequantizeQ8_0(source, output, blocks: blocks)
    case .q4_0: dequantizeQ4_0(source, output, blocks: blocks)
    case .q4_1: dequantizeQ4_1(source, output, blocks: blocks)
    case .q5_0: dequantizeQ5_0(source, output, blocks: blocks)
    case .q5_1: dequantizeQ5_1(source, output, blocks: blocks)
    case .q2_K: dequantizeQ2_K(source, output, blocks: blocks)
    case .q3_K: dequantizeQ3_K(source, output, blocks: blocks)
    case .q4_K: dequantizeQ4_K(source, output, blocks: blocks)
    case .q5_K: dequantizeQ5_K(source, output, blocks: blocks)
    case .q6_K: dequantizeQ6_K(source, output, blocks: blocks)
    default: preconditionFailure("canDequantize and this switch disagree")
    }
}
