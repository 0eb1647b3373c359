import Foundation

/// Writes a tiny llama GGUF file (F32 tensors) for loader tests: C=8, NH=2 (HS=4), KVH=1,
/// F=16, L=1, V=16, context 32. Every value is distinct so misplaced data shows.
struct TinyLlamaGGUF {
    var architecture = "llama"
    var tensors: [(name: String, dims: [Int])] = [
        ("token_embd.weight", [8, 16]),
        ("blk.0.attn_norm.weight", [8]),
        ("blk.0.attn_q.weight", [8, 8]),
        ("blk.0.attn_k.weight", [8, 4]),
        ("blk.0.attn_v.weight", [8, 4]),
        ("blk.0.attn_output.weight", [8, 8]),
        ("blk.0.ffn_norm.weight", [8]),
        ("blk.0.ffn_gate.weight", [8, 16]),
        ("blk.0.ffn_up.weight", [8, 16]),
        ("blk.0.ffn_down.weight", [16, 8]),
        ("output_norm.weight", [8]),
    ]

    /// Value `i` of tensor number `t`: distinct across all tensors, small and finite.
    static func value(tensor t: Int, index i: Int) -> Float { Float(t) + Float(i) * 1e-3 }

    func write() throws -> String {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func putString(_ s: String) { put(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        let metadata: [(String, (inout [UInt8]) -> Void, UInt32)] = [
            ("general.architecture", { _ in putString(architecture) }, 8),
            ("llama.embedding_length", { _ in put(UInt32(8)) }, 4),
            ("llama.feed_forward_length", { _ in put(UInt32(16)) }, 4),
            ("llama.block_count", { _ in put(UInt32(1)) }, 4),
            ("llama.attention.head_count", { _ in put(UInt32(2)) }, 4),
            ("llama.attention.head_count_kv", { _ in put(UInt32(1)) }, 4),
            ("llama.attention.layer_norm_rms_epsilon", { _ in put(Float(1e-5).bitPattern) }, 6),
            ("llama.rope.freq_base", { _ in put(Float(10000).bitPattern) }, 6),
            ("llama.context_length", { _ in put(UInt32(32)) }, 4),
            ("llama.vocab_size", { _ in put(UInt32(16)) }, 4),
        ]
        out.append(contentsOf: Array("GGUF".utf8))
        put(UInt32(3))
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        var scratch: [UInt8] = []
        for (key, writeValue, type) in metadata {
            putString(key)
            put(type)
            writeValue(&scratch)
        }
        var offset = 0
        for tensor in tensors {
            putString(tensor.name)
            put(UInt32(tensor.dims.count))
            tensor.dims.forEach { put(UInt64($0)) }
            put(UInt32(0))  // F32
            put(UInt64(offset))
            offset += (tensor.dims.reduce(1, *) * 4 + 31) / 32 * 32
        }
        for (t, tensor) in tensors.enumerated() {
            while out.count % 32 != 0 { out.append(0) }
            for i in 0..<tensor.dims.reduce(1, *) { put(Self.value(tensor: t, index: i).bitPattern) }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-llama-\(UUID().uuidString).gguf")
        try Data(out).write(to: url)
        return url.path
    }
}
