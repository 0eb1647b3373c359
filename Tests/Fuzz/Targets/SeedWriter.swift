import Distillation
import Engine
import Foundation
import TrainingCore

/// `ddk-fuzz --write-seeds DIR`: the seeds no real run leaves small enough, made by the
/// real writers (GGUF files by `SeedGGUFWriter`; checkpoints by `Checkpoint`; teacher
/// messages by `TeacherMessageFormat.encode`). Tests/Fuzz/make-seeds.sh adds the real files.
enum SeedWriter {
    static func writeAll(to folder: String) throws {
        try write(SeedModels.llama(), to: folder, "gguf/tiny-llama-bpe")
        try write(SeedModels.gemma3(), to: folder, "gguf/tiny-gemma3-sentencepiece")
        try writeMicroCheckpoint(to: folder)
        for (name, message) in try SeedMessages.all() { try write(message, to: folder, "teacher-message/\(name)") }
        try writeTeacherStores(to: folder)
    }

    /// A domain file of `TeacherStoreTarget`'s manifests (quantized and float32), as
    /// `ddk capture` writes one, and the manifest.
    private static func writeTeacherStores(to folder: String) throws {
        var generator = SeededGenerator(seed: 5)
        for manifest in TeacherStoreTarget.manifests {
            let codec = TargetRowCodec(k: 4, vocabularySize: 300, temperature: 1, logProbabilityBits: manifest.logProbabilityBits)
            var file = [UInt8]()
            for block in 0..<3 {
                let sequences = min(2, 5 - 2 * block)
                var logits = [Float](repeating: 0, count: sequences * 3 * 300)
                logits.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: 3) }
                let targets = try TopKTargets(teacherLogits: logits, rowCount: sequences * 3, vocabularySize: 300, k: 4, temperature: 1)
                file += TargetStoreBlock.encode(domain: 0, firstSequence: 2 * block,
                                                sequences: codec.encodeSequences(targets, sequenceLength: 3))
            }
            try write(file, to: folder, "teacher-store/domain-\(manifest.logProbabilityBits)-bits.targets")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try write(Array(try encoder.encode(manifest)), to: folder, "teacher-store/store-\(manifest.logProbabilityBits)-bits.json")
        }
    }

    /// The micro model's `model.safetensors`, `optimizer.safetensors` and `config.json`, as a
    /// checkpoint writes them.
    private static func writeMicroCheckpoint(to folder: String) throws {
        let checkpoint = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ddk-fuzz-seeds-\(getpid())")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let layout = ParameterLayout(config: MicroModel.config)
        let parameters = FloatBuffer(count: layout.count)
        for index in 0..<layout.count { parameters.pointer[index] = Float(index % 7) * 0.125 - 0.25 }
        try Checkpoint.saveModel(parameters: parameters, layout: layout, to: checkpoint, metadata: ["step": "3"])
        let optimizer = AdamW(layout: layout)
        try Checkpoint.saveTrainingState(TrainingState(step: 3, tokensSeen: 96, extra: ["sampler": "1"]), optimizer: optimizer,
                                         to: checkpoint)
        for (file, seed) in [(Checkpoint.modelFileName, "safetensors/micro-model"),
                             (Checkpoint.optimizerFileName, "safetensors/micro-optimizer"),
                             (Checkpoint.configFileName, "run-state/micro-config.json")] {
            try write(Array(try Data(contentsOf: checkpoint.appendingPathComponent(file))), to: folder, seed)
        }
    }

    private static func write(_ bytes: [UInt8], to folder: String, _ name: String) throws {
        let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}
