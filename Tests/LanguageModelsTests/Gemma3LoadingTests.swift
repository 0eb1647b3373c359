import Engine
import Foundation
import GGUF
import LanguageModels
import XCTest

/// Gemma 3: the config from Hugging Face JSON and from the real GGUF, the tensor-name map,
/// and the architecture dispatch of `ModelSource`.
final class Gemma3LoadingTests: XCTestCase {
    static let huggingFaceConfig = """
        {"hidden_size": 640, "intermediate_size": 2048, "num_hidden_layers": 18, "num_attention_heads": 4,
         "num_key_value_heads": 1, "head_dim": 256, "vocab_size": 262144, "rms_norm_eps": 1e-06,
         "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0, "sliding_window": 512,
         "query_pre_attn_scalar": 256, "max_position_embeddings": 32768, "hidden_activation": "gelu_pytorch_tanh"}
        """

    func testConfigDecodesHuggingFaceJSONWithTheLayerPattern() throws {
        let config = try JSONDecoder().decode(Gemma3Config.self, from: Data(Self.huggingFaceConfig.utf8))
        XCTAssertEqual(config.layerTypes.enumerated().filter { $0.element == .fullAttention }.map(\.offset), [5, 11, 17])
        XCTAssertEqual(config.attentionScale, 1.0 / 16)
        XCTAssertEqual(config.qkvWidth, 4 * 256 + 2 * 256)
        let roundTrip = try JSONDecoder().decode(Gemma3Config.self, from: try JSONEncoder().encode(config))
        XCTAssertEqual(roundTrip, config)
    }

    func testEveryParameterHasAGGUFName() throws {
        let config = try JSONDecoder().decode(Gemma3Config.self, from: Data(Self.huggingFaceConfig.utf8))
        let names = Gemma3ParameterLayout(config: config).tensors.map { GGUFWeightLoader.gemma3GGUFName(forParameter: $0.name) }
        XCTAssertFalse(names.contains(nil))
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(names.count, 2 + 18 * 13)
    }

    func testRealFileGivesTheConfigAndItsTokenizer() throws {
        let path = Gemma3ReferenceTests.gemmaPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("SKIPPED: Gemma 3 GGUF not found at \(path); run launch/fetch-teacher --model gemma3")
        }
        let source = try ModelSource(path: path, role: .teacher)
        guard case .gemma3(let config) = source.architecture else { return XCTFail("\(source.architecture)") }
        let expected = try JSONDecoder().decode(Gemma3Config.self, from: Data(Self.huggingFaceConfig.utf8))
        XCTAssertEqual(config, expected)
        XCTAssertEqual(source.ownTokenizer?.vocabularySize, 262_144)
        XCTAssertThrowsError(try source.config) {
            XCTAssertEqual(String(describing: $0), "teacher \(path): is a gemma3 model; this needs a llama model")
        }
    }

    func testModelSourceRefusesAnotherArchitectureNamingIt() throws {
        var tiny = TinyLlamaGGUF()
        tiny.architecture = "qwen2"
        let path = try tiny.write()
        XCTAssertThrowsError(try ModelSource(path: path)) {
            XCTAssertEqual(String(describing: $0), "\(path): general.architecture: is 'qwen2'; supported architectures: llama, gemma3")
        }
    }
}
