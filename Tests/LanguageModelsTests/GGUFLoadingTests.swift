import Engine
import GGUF
import LanguageModels
import XCTest

/// Building the engine model from GGUF: config from metadata, every tensor in its place,
/// and refusals that name the tensor or key.
final class GGUFLoadingTests: XCTestCase {
    func testConfigFromLlamaMetadata() throws {
        let file = try GGUFFile(path: try TinyLlamaGGUF().write())
        let config = try LlamaConfig(gguf: file)
        XCTAssertEqual(config, try LlamaConfig(hiddenSize: 8, intermediateSize: 16, layerCount: 1, attentionHeadCount: 2,
                                               keyValueHeadCount: 1, vocabularySize: 16, rmsNormEpsilon: 1e-5,
                                               ropeTheta: 10000, maxPositionEmbeddings: 32, tieWordEmbeddings: true))
    }

    func testEveryTensorLandsUnderItsEngineName() throws {
        let tiny = TinyLlamaGGUF()
        let file = try GGUFFile(path: try tiny.write())
        let model = try LlamaInference(gguf: file, maxBatchSize: 1, maxSequenceLength: 4)
        let engineNames = ["model.embed_tokens.weight", "model.layers.0.input_layernorm.weight",
                           "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
                           "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.o_proj.weight",
                           "model.layers.0.post_attention_layernorm.weight", "model.layers.0.mlp.gate_proj.weight",
                           "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight", "model.norm.weight"]
        for (t, (tensor, engineName)) in zip(tiny.tensors, engineNames).enumerated() {
            XCTAssertEqual(GGUFWeightLoader.ggufName(forParameter: engineName), tensor.name)
            XCTAssertEqual(try model.layout.requireTensor(named: engineName).shape, tensor.dims.reversed(), engineName)
            let values = Array(try model.parameter(named: engineName))
            XCTAssertEqual(values, (0..<values.count).map { TinyLlamaGGUF.value(tensor: t, index: $0) }, engineName)
        }
        XCTAssertEqual(model.layout.lmHead, model.layout.embedding)
        let hidden = try model.forward(tokens: [1, 5, 15], batchSize: 1, sequenceLength: 3)
        XCTAssertTrue(hidden.allSatisfy(\.isFinite))
    }

    func testUntiedOutputIsLoadedAsLMHead() throws {
        var tiny = TinyLlamaGGUF()
        tiny.tensors.append(("output.weight", [8, 16]))
        let file = try GGUFFile(path: try tiny.write())
        let model = try LlamaInference(gguf: file, maxBatchSize: 1, maxSequenceLength: 4)
        XCTAssertFalse(model.config.tieWordEmbeddings)
        XCTAssertEqual(Array(try model.parameter(named: "lm_head.weight")).first, TinyLlamaGGUF.value(tensor: 11, index: 0))
    }

    func testRefusesOtherArchitectures() throws {
        var tiny = TinyLlamaGGUF()
        tiny.architecture = "gpt2"
        let path = try tiny.write()
        XCTAssertThrowsError(try LlamaConfig(gguf: try GGUFFile(path: path))) { error in
            XCTAssertEqual(String(describing: error), "\(path): general.architecture: is 'gpt2'; only 'llama' models can be loaded")
        }
    }

    func testRefusesTensorOfWrongShapeNamingIt() throws {
        var tiny = TinyLlamaGGUF()
        tiny.tensors[3].dims = [8, 8]  // attn_k as wide as attn_q: not 1 KV head of size 4
        let path = try tiny.write()
        XCTAssertThrowsError(try LlamaInference(gguf: try GGUFFile(path: path), maxBatchSize: 1, maxSequenceLength: 4)) { error in
            guard let error = error as? GGUFModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.subject, "blk.0.attn_k.weight")
            XCTAssertTrue(error.problem.contains("[8, 8]"), error.problem)
        }
    }

    func testRefusesMissingAndUnexpectedTensorsNamingThem() throws {
        var missing = TinyLlamaGGUF()
        missing.tensors.remove(at: 8)  // blk.0.ffn_up.weight
        XCTAssertThrowsError(try LlamaInference(gguf: try GGUFFile(path: try missing.write()), maxBatchSize: 1, maxSequenceLength: 4)) {
            XCTAssertEqual(($0 as? GGUFModelError)?.subject, "blk.0.ffn_up.weight")
        }
        var extra = TinyLlamaGGUF()
        extra.tensors.append(("blk.1.attn_q.weight", [8, 8]))
        XCTAssertThrowsError(try LlamaInference(gguf: try GGUFFile(path: try extra.write()), maxBatchSize: 1, maxSequenceLength: 4)) {
            XCTAssertEqual(($0 as? GGUFModelError)?.subject, "blk.1.attn_q.weight")
        }
    }
}
