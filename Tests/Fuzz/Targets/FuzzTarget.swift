/// One input format SwiftDDK parses itself, and the function that feeds arbitrary bytes to
/// its real parser. A target must return for every input: an error thrown by the parser is
/// the expected outcome; a crash, a hang, an unbounded allocation or a `Finding` is a bug.
struct FuzzTarget {
    let name: String
    /// What the target parses (for `ddk-fuzz --list`).
    let summary: String
    let run: (_ bytes: UnsafeRawBufferPointer) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "gguf", summary: "GGUF file: header, metadata, tensors (dequantized), model config, tokenizer",
                   run: GGUFTarget.run),
        FuzzTarget(name: "safetensors", summary: "safetensors file: header, tensors, optimizer-state metadata",
                   run: SafetensorsTarget.run),
        FuzzTarget(name: "shard", summary: "token shard and domains.json", run: ShardTarget.run),
        FuzzTarget(name: "config", summary: "run config TOML and domain manifest TOML", run: ConfigTarget.run),
        FuzzTarget(name: "run-state", summary: "run_state.json, checkpoint config.json, metrics.jsonl",
                   run: RunStateTarget.run),
        FuzzTarget(name: "teacher-message", summary: "a teacher message of a format set by the first 8 bytes",
                   run: TeacherMessageTarget.run),
        FuzzTarget(name: "teacher-store", summary: "a teacher-target store's domain file (blocks, checksums, rows) and store.json",
                   run: TeacherStoreTarget.run),
        FuzzTarget(name: "tokenizer", summary: "text for SmolLM2's BPE and Gemma 3's SentencePiece; ids to decode",
                   run: TokenizerTarget.run),
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// Work a target does once, before the first input (loading the real tokenizers), so
    /// that it does not count against the first input's time limit.
    static func prepare(_ target: FuzzTarget) {
        if target.name == "tokenizer" { TokenizerTarget.prepare() }
    }
}
