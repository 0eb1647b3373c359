import Engine
import GGUF
import Runtime
import Tokenizer

extension TeacherSources {
    /// A GGUF teacher: its architecture from the metadata, its own tokenizer, its weights
    /// dequantized to Float32 by the engine's GGUF loader on the ranks that run it.
    static func ggufTeacher(_ path: String) throws -> TeacherModelSource {
        let file = try GGUFFile(path: path)
        let config = try LlamaConfig(gguf: file)
        let tokenizer = try Tokenizer(gguf: file)
        return TeacherModelSource(path: path, config: config, tokenizerIdentity: tokenizer.identity, weightFiles: [path]) {
            maxBatchSize, maxSequenceLength in
            try LlamaInference(gguf: file, maxBatchSize: maxBatchSize, maxSequenceLength: maxSequenceLength)
        }
    }
}
