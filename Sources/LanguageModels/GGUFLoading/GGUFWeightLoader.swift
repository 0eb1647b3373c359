import Engine
import GGUF

/// Fills an engine parameter buffer from a llama GGUF file.
///
/// GGUF names map to the engine's Hugging Face names:
///
///     token_embd                → model.embed_tokens
///     blk.N.attn_norm           → model.layers.N.input_layernorm
///     blk.N.attn_q / _k / _v    → model.layers.N.self_attn.q_proj / k_proj / v_proj
///     blk.N.attn_output         → model.layers.N.self_attn.o_proj
///     blk.N.ffn_norm            → model.layers.N.post_attention_layernorm
///     blk.N.ffn_gate / _up      → model.layers.N.mlp.gate_proj / up_proj
///     blk.N.ffn_down            → model.layers.N.mlp.down_proj
///     output_norm               → model.norm
///     output                    → lm_head (untied models only)
///
/// (each with the ".weight" suffix). GGUF dims are [ne0 = columns, ne1 = rows], the reverse
/// of the engine's [rows, columns]; the data is row-major in both, so tensors are
/// dequantized straight into place. The q/k rows of a llama GGUF are already in the
/// adjacent-pair RoPE order the engine uses, so no permutation is applied. A padded
/// vocabulary (more rows in token_embd and output than the tokenizer has tokens) gives its
/// first rows only: the config's vocabulary is the token count (`VocabularyAlignment`).
public enum GGUFWeightLoader {
    /// The GGUF tensor name for an engine parameter name, or nil if it has none.
    public static func ggufName(forParameter name: String) -> String? {
        ggufName(forParameter: name,
                 fixed: ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                         "lm_head.weight": "output.weight"],
                 layerSuffixes: ["input_layernorm.weight": "attn_norm.weight",
                                 "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
                                 "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
                                 "post_attention_layernorm.weight": "ffn_norm.weight",
                                 "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
                                 "mlp.down_proj.weight": "ffn_down.weight"])
    }

    /// The GGUF name of `name`: from `fixed` for whole-model tensors, else
    /// "blk.N." + `layerSuffixes`[suffix] for "model.layers.N.suffix"; nil if it has none.
    static func ggufName(forParameter name: String, fixed: [String: String], layerSuffixes: [String: String]) -> String? {
        if let mapped = fixed[name] { return mapped }
        let prefix = "model.layers."
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]) else { return nil }
        guard let suffix = layerSuffixes[String(rest[rest.index(after: dot)...])] else { return nil }
        return "blk.\(layer).\(suffix)"
    }

    /// Dequantizes every parameter of `layout` from `file` into `parameters`. Throws naming
    /// the first tensor that is missing, has the wrong shape, cannot be dequantized, or is
    /// in the file without a place in the model.
    public static func load(from file: GGUFFile, into parameters: FloatBuffer, layout: ParameterLayout) throws {
        precondition(parameters.count >= layout.count, "parameter buffer smaller than its layout")
        try load(from: file, into: parameters, tensors: layout.tensors, ggufName: ggufName(forParameter:),
                 model: "\(layout.config.layerCount)-layer llama model")
    }

    /// Dequantizes `tensors` from `file` into `parameters`, naming each in the file with
    /// `ggufName`; strict as `load(from:into:layout:)`, `model` naming the model in errors.
    /// The one exception to equal dims: a vocabulary tensor whose padded rows the file's
    /// `vocabularyAlignment` trims gives its first rows only.
    static func load(from file: GGUFFile, into parameters: FloatBuffer, tensors: [ParameterTensor],
                     ggufName: (String) -> String?, model: String) throws {
        let alignment = try file.vocabularyAlignment()
        var used = Set<String>()
        for tensor in tensors {
            guard let name = ggufName(tensor.name) else {
                throw GGUFModelError(path: file.path, subject: tensor.name, problem: "the engine parameter has no GGUF name")
            }
            guard file.containsTensor(named: name) else {
                throw GGUFModelError(path: file.path, subject: name, problem: "tensor missing (needed for \(tensor.name))")
            }
            let info = try file.tensor(named: name)
            let expected = Array(tensor.shape.reversed())
            guard let rows = rowsToLoad(info, expected: expected, alignment: alignment) else {
                throw GGUFModelError(path: file.path, subject: name,
                                     problem: "dims \(info.dimensions) do not match the config, expected \(expected) (\(tensor.name) is \(tensor.shape))")
            }
            try file.dequantize(info, rows: rows, into: parameters.slice(offset: tensor.offset, count: tensor.count))
            used.insert(name)
        }
        if let extra = file.tensors.first(where: { !used.contains($0.name) }) {
            throw GGUFModelError(path: file.path, subject: extra.name, problem: "tensor has no place in a \(model)")
        }
    }

    /// The rows of `info` that fill a parameter of GGUF dims `expected`: all of them when the
    /// dims are equal; the first `to` when `info` is a vocabulary tensor of `from` rows that
    /// `alignment` trims to the `to` rows expected (`VocabularyAlignment.trimmed`: exact, the
    /// rows are kept unchanged); nil when the tensor does not fit.
    private static func rowsToLoad(_ info: GGUFTensorInfo, expected: [Int], alignment: VocabularyAlignment?) -> Range<Int>? {
        if info.dimensions == expected { return 0..<info.rows }
        guard GGUFFile.vocabularyTensorNames.contains(info.name), case let .trimmed(from, to)? = alignment,
              expected.count == 2, info.dimensions == [expected[0], from], expected[1] == to else { return nil }
        return 0..<to
    }
}
