import Engine
import MappedFiles

/// A safetensors file as a checkpoint folder is read: the header (`SafetensorsFile`), every
/// tensor's bytes, then the file taken both as a `model.safetensors` and as an
/// `optimizer.safetensors` of a micro model (`MicroModel`), which is what loading a
/// checkpoint does with them.
enum SafetensorsTarget {
    static let path = "fuzz-input.safetensors"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let file = Finding.expectingErrors(naming: path, {
            try SafetensorsFile(file: MappedFile(copying: bytes, path: path))
        }) else { return }
        for name in file.names {
            Finding.expectingErrors(naming: path) {
                let raw = try file.rawBytes(name)
                if try file.info(name).dtype == "F32" { _ = try file.floats(name) } else { _ = Array(raw) }
            }
        }
        let layout = ParameterLayout(config: MicroModel.config)
        Finding.expectingErrors(naming: path) {
            try Checkpoint.loadWeights(file: file, into: FloatBuffer(count: layout.count), layout: layout)
        }
        Finding.expectingErrors(naming: path) {
            _ = try Checkpoint.loadTrainingState(into: AdamW(layout: layout), from: file)
        }
    }
}

/// The smallest Llama shape the engine takes (100 parameters): the fuzz targets load
/// checkpoints into it, and its files are the seeds of the safetensors target.
enum MicroModel {
    static let config = try! LlamaConfig(hiddenSize: 4, intermediateSize: 2, layerCount: 1, attentionHeadCount: 2,
                                         keyValueHeadCount: 1, vocabularySize: 4, maxPositionEmbeddings: 8,
                                         tieWordEmbeddings: false)
}
