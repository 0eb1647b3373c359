/// llama.cpp's GGUF tensor names for the Llama architecture, mapped to the
/// Hugging Face names the engine's `ParameterLayout` uses.
///
/// GGUF stores q/k rows already permuted for adjacent-pair rotary embedding
/// (the engine's layout), so a GGUF loader copies them WITHOUT the
/// `RotaryPermutation` that Hugging Face safetensors need. A GGUF 2-D tensor
/// with dims [ne0, ne1] = [in, out] is row-major (out, in), the engine's order.
public enum GGUFTensorNames {
    /// The Hugging Face name for a GGUF tensor name, or nil if it is not a Llama weight.
    public static func huggingFaceName(forGGUFName name: String) -> String? {
        switch name {
        case "token_embd.weight": return "model.embed_tokens.weight"
        case "output_norm.weight": return "model.norm.weight"
        case "output.weight": return "lm_head.weight"
        default: break
        }
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0 else { return nil }
        let suffix: String
        switch parts[2] {
        case "attn_norm.weight": suffix = "input_layernorm.weight"
        case "attn_q.weight": suffix = "self_attn.q_proj.weight"
        case "attn_k.weight": suffix = "self_attn.k_proj.weight"
        case "attn_v.weight": suffix = "self_attn.v_proj.weight"
        case "attn_output.weight": suffix = "self_attn.o_proj.weight"
        case "ffn_norm.weight": suffix = "post_attention_layernorm.weight"
        case "ffn_gate.weight": suffix = "mlp.gate_proj.weight"
        case "ffn_up.weight": suffix = "mlp.up_proj.weight"
        case "ffn_down.weight": suffix = "mlp.down_proj.weight"
        default: return nil
        }
        return "model.layers.\(layer).\(suffix)"
    }
}
