import XCTest
import Engine

final class CheckpointTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testModelRoundTripIsBitExact() throws {
        let a = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 4, seed: 1)
        try Checkpoint.saveModel(parameters: a.parameters, layout: a.layout, to: directory, metadata: ["note": "x"])
        let config = try Checkpoint.loadConfig(from: directory)
        XCTAssertEqual(config, tinyConfig)
        let b = try LlamaModel(config: config, batchSize: 1, sequenceLength: 4, seed: 2)
        try Checkpoint.loadModel(from: directory, into: b.parameters, layout: b.layout)
        XCTAssertEqual(a.parameters.toArray().map(\.bitPattern), b.parameters.toArray().map(\.bitPattern))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual(json["architectures"] as? [String], ["LlamaForCausalLM"])
        XCTAssertEqual(json["model_type"] as? String, "llama")
        XCTAssertEqual(json["num_key_value_heads"] as? Int, 2)
        let file = try SafetensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        XCTAssertEqual(file.metadata["format"], "pt")
        XCTAssertEqual(file.metadata["note"], "x")
        XCTAssertEqual(Set(file.names), Set(a.layout.tensors.map(\.name)))
        // no temporary files left behind
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["config.json", "model.safetensors"])
    }

    func testSafetensorsLayoutFollowsTheSpecification() throws {
        let values: [Float] = [1, -2, 3.5, 4, 5, 6]
        let path = directory.appendingPathComponent("t.safetensors").path
        try values.withUnsafeBufferPointer {
            try SafetensorsWriter.write([SafetensorsTensor(name: "a", shape: [2, 3], data: $0)], to: path)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        XCTAssertEqual((8 + n) % 8, 0)
        let header = try JSONSerialization.jsonObject(with: bytes[8..<(8 + n)]) as! [String: [String: Any]]
        XCTAssertEqual(header["a"]?["dtype"] as? String, "F32")
        XCTAssertEqual(header["a"]?["shape"] as? [Int], [2, 3])
        XCTAssertEqual(header["a"]?["data_offsets"] as? [Int], [0, 24])
        XCTAssertEqual(bytes.count, 8 + n + 24)
        let floats = bytes[(8 + n)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(floats, values)
    }

    /// Writes a file with a hand-made header (for corruption tests).
    func writeRaw(_ header: String, data: [UInt8], name: String = "bad.safetensors", lengthOverride: UInt64? = nil) throws -> String {
        var bytes = Data()
        var n = (lengthOverride ?? UInt64(header.utf8.count)).littleEndian
        bytes.append(Data(bytes: &n, count: 8))
        bytes.append(Data(header.utf8))
        bytes.append(contentsOf: data)
        let path = directory.appendingPathComponent(name).path
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    func testCorruptTruncatedAndMismatchedFilesNameFileAndTensor() throws {
        let layout = ParameterLayout(config: tinyConfig)
        let params = FloatBuffer(count: layout.count)
        // truncated: data shorter than the header says
        let truncated = try writeRaw(#"{"model.norm.weight":{"dtype":"F32","shape":[16],"data_offsets":[0,64]}}"#, data: [UInt8](repeating: 0, count: 10))
        XCTAssertThrowsError(try SafetensorsFile(path: truncated)) {
            XCTAssertTrue("\($0)".contains(truncated) && "\($0)".contains("model.norm.weight"), "\($0)")
        }
        // header length beyond the file
        let short = try writeRaw("{}", data: [], lengthOverride: 1000)
        XCTAssertThrowsError(try SafetensorsFile(path: short)) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        // fewer than 8 bytes
        let tiny = directory.appendingPathComponent("tiny.safetensors").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tiny))
        XCTAssertThrowsError(try SafetensorsFile(path: tiny)) { XCTAssertTrue("\($0)".contains(tiny), "\($0)") }
        // corrupt JSON
        let corrupt = try writeRaw(#"{"a": {"dtype": "#, data: [])
        XCTAssertThrowsError(try SafetensorsFile(path: corrupt)) { XCTAssertTrue("\($0)".contains("invalid safetensors header"), "\($0)") }
        // inconsistent offsets
        let span = try writeRaw(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}"#, data: [UInt8](repeating: 0, count: 12))
        XCTAssertThrowsError(try SafetensorsFile(path: span)) { XCTAssertTrue("\($0)".contains("'w'"), "\($0)") }

        // a full model file, then variants with a wrong dtype, a wrong shape, a missing tensor
        let model = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 2, seed: 3)
        try Checkpoint.saveModel(parameters: model.parameters, layout: model.layout, to: directory)
        let good = directory.appendingPathComponent("model.safetensors").path
        let file = try SafetensorsFile(path: good)
        func rewrite(skipping: String? = nil, override: (String, String)? = nil) throws -> String {
            var header: [String: Any] = [:]
            var data = Data()
            for name in file.names where name != skipping {
                let info = try file.info(name)
                let bytes = Data(try file.rawBytes(name))
                var dtype = "F32", shape = info.shape
                if let (n, kind) = override, n == name {
                    if kind == "dtype" { dtype = "I32" } else { shape = [info.elementCount] }
                }
                header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [data.count, data.count + bytes.count]]
                data.append(bytes)
            }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: header), as: UTF8.self)
            return try writeRaw(json, data: [UInt8](data), name: "variant.safetensors")
        }
        let q = "model.layers.1.self_attn.q_proj.weight"
        let wrongDtype = try rewrite(override: (q, "dtype"))
        XCTAssertThrowsError(try Checkpoint.loadWeights(path: wrongDtype, into: params, layout: layout)) {
            XCTAssertEqual($0 as? SafetensorsError, .wrongDtype(file: wrongDtype, tensor: q, found: "I32", expected: "F32"))
            XCTAssertTrue("\($0)".contains(wrongDtype) && "\($0)".contains(q))
        }
        let wrongShape = try rewrite(override: ("model.layers.0.mlp.up_proj.weight", "shape"))
        XCTAssertThrowsError(try Checkpoint.loadWeights(path: wrongShape, into: params, layout: layout)) {
            XCTAssertEqual($0 as? SafetensorsError, .wrongShape(file: wrongShape, tensor: "model.layers.0.mlp.up_proj.weight", found: [384], expected: [24, 16]))
        }
        let missing = try rewrite(skipping: "model.layers.1.post_attention_layernorm.weight")
        XCTAssertThrowsError(try Checkpoint.loadWeights(path: missing, into: params, layout: layout)) {
            XCTAssertEqual($0 as? SafetensorsError, .missingTensor(file: missing, tensor: "model.layers.1.post_attention_layernorm.weight"))
            XCTAssertTrue("\($0)".contains("missing"))
        }
        // a model with fewer layers does not accept this file: unexpected tensor named
        var smaller = tinyConfig
        smaller.layerCount = 1
        let smallLayout = ParameterLayout(config: smaller)
        XCTAssertThrowsError(try Checkpoint.loadWeights(path: good, into: FloatBuffer(count: smallLayout.count), layout: smallLayout)) {
            XCTAssertTrue("\($0)".contains("model.layers.1."), "\($0)")
        }
    }

    func testOptimizerStateRoundTrip() throws {
        let model = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 4, seed: 5)
        let adam = AdamW(layout: model.layout, settings: .init(beta2: 0.99, weightDecay: 0.05))
        try model.forward(tokens: [1, 2, 3, 4], batchSize: 1, sequenceLength: 4)
        var ce = try CrossEntropyLoss(targets: [2, 3, 4, -1], vocabularySize: 37)
        try model.lmHeadLoss(&ce)
        try model.backward()
        adam.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-3)
        adam.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-3)
        let state = TrainingState(step: 2, tokensSeen: 8, extra: ["sampler": "17"])
        try Checkpoint.saveTrainingState(state, optimizer: adam, to: directory)
        let restored = AdamW(layout: model.layout)
        XCTAssertEqual(try Checkpoint.loadTrainingState(into: restored, from: directory), state)
        XCTAssertEqual(restored.stepCount, 2)
        XCTAssertEqual(restored.settings, adam.settings)
        XCTAssertEqual(restored.firstMoment.toArray(), adam.firstMoment.toArray())
        XCTAssertEqual(restored.secondMoment.toArray(), adam.secondMoment.toArray())
        let other = try LlamaConfig(hiddenSize: 8, intermediateSize: 8, layerCount: 1, attentionHeadCount: 2,
                                    keyValueHeadCount: 1, vocabularySize: 37)
        XCTAssertThrowsError(try Checkpoint.loadTrainingState(into: AdamW(layout: ParameterLayout(config: other)), from: directory)) {
            XCTAssertTrue("\($0)".contains("optimizer.safetensors"), "\($0)")
        }
    }

    /// Hugging Face's rotate_half RoPE on HF-layout rows gives the same attention
    /// scores as the engine's adjacent-pair RoPE on engine-layout rows.
    func testHuggingFaceExportMatchesRotateHalfReference() throws {
        var c = tinyConfig
        c.ropeTheta = 100_000
        let model = try LlamaModel(config: c, batchSize: 1, sequenceLength: 6, seed: 9)
        try Checkpoint.saveModel(parameters: model.parameters, layout: model.layout, to: directory)
        let file = try SafetensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        let HS = c.headSize, C = c.hiddenSize, T = 6
        var rnd = TestRandom(10)
        let x = rnd.floats(T * C)
        let qName = "model.layers.0.self_attn.q_proj.weight", kName = "model.layers.0.self_attn.k_proj.weight"
        // engine: project with engine rows, adjacent-pair RoPE
        func project(_ w: [Float], rows: Int) -> [Float] {
            var out = [Float](repeating: 0, count: T * rows)
            for t in 0..<T { for r in 0..<rows { var s: Float = 0; for k in 0..<C { s += x[t * C + k] * w[r * C + k] }; out[t * rows + r] = s } }
            return out
        }
        var qe = project(Array(try model.parameter(named: qName)), rows: c.queryWidth)
        var ke = project(Array(try model.parameter(named: kName)), rows: c.keyValueWidth)
        let table = RotaryTable(headSize: HS, maxPositions: T, theta: c.ropeTheta)
        qe.withMutablePointer { RotaryEmbedding.forward($0, table: table, batch: 1, sequence: T, heads: c.attentionHeadCount, rowStride: c.queryWidth) }
        ke.withMutablePointer { RotaryEmbedding.forward($0, table: table, batch: 1, sequence: T, heads: c.keyValueHeadCount, rowStride: c.keyValueWidth) }
        // reference: HF rows from the file, rotate_half in double precision
        func rotateHalf(_ v: [Float], heads: Int) -> [Double] {
            var out = [Double](repeating: 0, count: v.count)
            let half = HS / 2, width = heads * HS
            for t in 0..<T {
                for h in 0..<heads {
                    for i in 0..<half {
                        let f = pow(Double(c.ropeTheta), -2.0 * Double(i) / Double(HS)), a = Double(t) * f
                        let x1 = Double(v[t * width + h * HS + i]), x2 = Double(v[t * width + h * HS + i + half])
                        out[t * width + h * HS + i] = x1 * cos(a) - x2 * sin(a)
                        out[t * width + h * HS + i + half] = x2 * cos(a) + x1 * sin(a)
                    }
                }
            }
            return out
        }
        let qh = rotateHalf(project(try file.floats(qName), rows: c.queryWidth), heads: c.attentionHeadCount)
        let kh = rotateHalf(project(try file.floats(kName), rows: c.keyValueWidth), heads: c.keyValueHeadCount)
        for h in 0..<c.attentionHeadCount {
            let kv = h / c.queriesPerKeyValueHead
            for t in 0..<T {
                for s in 0...t {
                    var se = 0.0, sh = 0.0
                    for d in 0..<HS {
                        se += Double(qe[t * c.queryWidth + h * HS + d]) * Double(ke[s * c.keyValueWidth + kv * HS + d])
                        sh += qh[t * c.queryWidth + h * HS + d] * kh[s * c.keyValueWidth + kv * HS + d]
                    }
                    XCTAssertEqual(se, sh, accuracy: 1e-4 * max(1, abs(sh)), "head \(h) t \(t) s \(s)")
                }
            }
        }
        // and the q rows really are permuted (not an identity copy)
        XCTAssertNotEqual(try file.floats(qName), Array(try model.parameter(named: qName)))
        XCTAssertEqual(RotaryPermutation.engineRow(forHuggingFaceRow: 1, headSize: 8), 2)
        XCTAssertEqual(RotaryPermutation.engineRow(forHuggingFaceRow: 4, headSize: 8), 1)
        XCTAssertEqual(RotaryPermutation.engineRow(forHuggingFaceRow: 9, headSize: 8), 10)
    }

    func testScheduleAndClipping() {
        let s = LearningRateSchedule(peak: 1e-3, floor: 1e-4, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(s.learningRate(step: 0), 1e-4, accuracy: 1e-12)
        XCTAssertEqual(s.learningRate(step: 9), 1e-3, accuracy: 1e-12)
        XCTAssertEqual(s.learningRate(step: 60), 5.5e-4, accuracy: 1e-9)
        XCTAssertEqual(s.learningRate(step: 110), 1e-4, accuracy: 1e-12)
        XCTAssertEqual(s.learningRate(step: 500), 1e-4, accuracy: 1e-12)
        var g: [Float] = [3, 4]
        let norm = g.withUnsafeMutableBufferPointer { GradientClipping.clip($0, maxNorm: 1) }
        XCTAssertEqual(norm, 5, accuracy: 1e-9)
        XCTAssertEqual(g[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(g[1], 0.8, accuracy: 1e-5)
    }

    func testAdamWMatchesReferenceUpdate() {
        let config = tinyConfig
        let layout = ParameterLayout(config: config)
        let p = FloatBuffer(count: layout.count), g = FloatBuffer(count: layout.count)
        for i in 0..<layout.count { p.pointer[i] = 0.5; g.pointer[i] = 0.1 }
        let adam = AdamW(layout: layout, settings: .init(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1))
        adam.update(parameters: p, gradients: g, learningRate: 0.01)
        // step 1: m̂ = g, v̂ = g², update = lr·(g/|g| ) = 0.01; decay 0.5·(1 − 0.001)
        let matrix = layout.tensor(named: "model.layers.0.mlp.up_proj.weight")!
        let norm = layout.tensor(named: "model.norm.weight")!
        XCTAssertEqual(p.pointer[matrix.offset], 0.5 * (1 - 0.01 * 0.1) - 0.01, accuracy: 1e-6)
        XCTAssertEqual(p.pointer[norm.offset], 0.5 - 0.01, accuracy: 1e-6)
    }
}
