import Engine
import GGUF

/// Gemma 3 GGUF names → the engine's Hugging Face names (each with ".weight"):
///
///     token_embd                  → model.embed_tokens (also the tied LM head)
///     blk.N.attn_norm             → model.layers.N.input_layernorm
///     blk.N.attn_q / _k / _v      → model.layers.N.self_attn.q_proj / k_proj / v_proj
///     blk.N.attn_q_norm / _k_norm → model.layers.N.self_attn.q_norm / k_norm
///     blk.N.attn_output           → model.layers.N.self_attn.o_proj
///     blk.N.post_attention_norm   → model.layers.N.post_attention_layernorm
///     blk.N.ffn_norm              → model.layers.N.pre_feedforward_layernorm
///     blk.N.ffn_gate / _up / _down → model.layers.N.mlp.gate_proj / up_proj / down_proj
///     blk.N.post_ffw_norm         → model.layers.N.post_feedforward_layernorm
///     output_norm                 → model.norm
///
/// The norm tensors hold 1 + the Hugging Face weight (llama.cpp's converter adds the 1), which
/// is what the engine's layout stores. The q/k rows are in the rotate-half order the Gemma
/// path rotates, so no permutation is applied.
extension GGUFWeightLoader {
    /// The Gemma 3 GGUF tensor name for an engine parameter name, or nil if it has none.
    public static func gemma3GGUFName(forParameter name: String) -> String? {
        ggufName(forParameter: name,
                 fixed: ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight"],
                 layerSuffixes: ["input_layernorm.weight": "attn_norm.weight",
                                 "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
                                 "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
                                 "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
                                 "post_attention_layernorm.weight": "post_attention_norm.weight",
                                 "pre_feedforward_layernorm.weight": "ffn_norm.weight",
                                 "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
                                 "mlp.down_proj.weight": "ffn_down.weight",
                                 "post_feedforward_layernorm.weight": "post_ffw_norm.weight"])
    }

    /// Dequantizes every Gemma 3 parameter of `layout` from `file`; strict as the llama loader.
    public static func load(from file: GGUFFile, into parameters: FloatBuffer, layout: Gemma3ParameterLayout) throws {
        precondition(parameters.count >= layout.count, "parameter buffer smaller than its layout")
        try load(from: file, into: parameters, tensors: layout.tensors, ggufName: gemma3GGUFName(forParameter:),
                 model: "\(layout.config.layerCount)-layer gemma3 model")
    }
}
