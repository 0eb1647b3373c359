/// Where a tensor lives in a GGUF file and what shape and type it has.
///
/// `dimensions` are in ggml order: `dimensions[0]` is ne0, the number of columns (the
/// fastest-varying index), `dimensions[1]` is ne1, the number of rows. A linear layer
/// `out × in` is stored with ne0 = in, ne1 = out, so its dequantized values are row-major
/// `[out][in]`.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. "blk.0.attn_q.weight".
    public let name: String
    /// ne0, ne1, ... (columns first).
    public let dimensions: [Int]
    /// Element type.
    public let type: GGUFTensorType
    /// Offset of the first byte from the start of the file (already includes the data
    /// section offset).
    public let fileOffset: Int

    /// Number of values.
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// ne0: values per row.
    public var columns: Int { dimensions.first ?? 1 }
    /// Product of all dimensions after the first.
    public var rows: Int { dimensions.dropFirst().reduce(1, *) }
    /// Number of bytes the tensor occupies in the file.
    public var byteCount: Int { elementCount / type.blockSize * type.bytesPerBlock }
}
