import ArgumentParser
import Foundation
import LanguageModels
import Tokenizer

/// The teacher GGUF: $DDK_TEACHER_GGUF, else the path launch/fetch-teacher writes.
let defaultTeacherPath = ProcessInfo.processInfo.environment["DDK_TEACHER_GGUF"]
    ?? "data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf"

/// `--model`: a GGUF file or a SwiftDDK checkpoint folder.
struct ModelOption: ParsableArguments {
    @Option(name: .long, help: "GGUF file or SwiftDDK checkpoint directory.")
    var model: String = defaultTeacherPath

    func open() throws -> ModelSource { try ModelSource(path: model) }
}

/// `--teacher`: the teacher a command reads, a GGUF file or a checkpoint folder.
struct TeacherOption: ParsableArguments {
    @Option(name: .long, help: "The teacher: a GGUF file or a checkpoint folder.")
    var teacher: String = defaultTeacherPath

    func open() throws -> ModelSource { try ModelSource(path: teacher, role: .teacher) }
}

/// `--model` and `--tokenizer`: a model and the tokenizer of the text it reads.
struct ModelAndTokenizerOptions: ParsableArguments {
    @OptionGroup var model: ModelOption

    @Option(name: .long, help: "GGUF file whose tokenizer a checkpoint uses.")
    var tokenizer: String = defaultTeacherPath

    /// The model and its tokenizer (the GGUF file's own, or `--tokenizer`'s for a checkpoint).
    func open() throws -> (source: ModelSource, tokenizer: any TextTokenizer) {
        let source = try model.open()
        return (source, try source.tokenizer(checkpointTokenizer: tokenizer))
    }
}

/// `--model`: the GGUF file whose tokenizer a command uses.
struct TokenizerFileOption: ParsableArguments {
    @Option(name: .long, help: "GGUF file holding the tokenizer.")
    var model: String = defaultTeacherPath

    func load() throws -> Tokenizer { try Tokenizer(ggufAt: model) }

    /// The file's own tokenizer, whichever algorithm (byte-level BPE or SentencePiece).
    func loadOwn() throws -> any TextTokenizer { try GGUFTokenizer.load(ggufAt: model) }
}
