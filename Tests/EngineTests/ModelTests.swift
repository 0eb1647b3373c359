import XCTest
import Engine

final class ModelTests: XCTestCase {
    func makeBatch(_ config: LlamaConfig, B: Int, T: Int, seed: UInt64) -> (tokens: [Int32], targets: [Int32]) {
        var rnd = TestRandom(seed)
        let tokens = (0..<(B * T)).map { _ in Int32(rnd.int(config.vocabularySize)) }
        var targets = (0..<(B * T)).map { _ in Int32(rnd.int(config.vocabularySize)) }
        targets[1] = -1   // an ignored position
        return (tokens, targets)
    }

    /// Randomises the parameters more strongly than the init so gradients are large
    /// against float32 rounding.
    func randomize(_ model: LlamaModel, seed: UInt64) {
        var rnd = TestRandom(seed)
        let p = model.parameters.buffer
        for t in model.layout.tensors {
            for i in t.offset..<t.end {
                p[i] = t.shape.count == 1 ? 1 + rnd.floats(1, scale: 0.3)[0] : rnd.floats(1, scale: 0.4)[0]
            }
        }
    }

    func loss(_ model: LlamaModel, _ tokens: [Int32], _ targets: [Int32], B: Int, T: Int) throws -> Double {
        try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
        var ce = try CrossEntropyLoss(targets: targets, vocabularySize: model.config.vocabularySize)
        let sum = try model.lmHeadLoss(&ce, computeGradients: false)
        return sum / Double(ce.labelCount)
    }

    func checkWholeModel(_ config: LlamaConfig) throws {
        let B = 2, T = 6
        let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 11, lmHeadChunkRows: 5)
        randomize(model, seed: 12)
        let (tokens, targets) = makeBatch(config, B: B, T: T, seed: 13)
        model.zeroGradients()
        try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
        var ce = try CrossEntropyLoss(targets: targets, vocabularySize: model.config.vocabularySize)
        try model.lmHeadLoss(&ce)
        try model.backward()
        var rnd = TestRandom(14)
        for t in model.layout.tensors {
            let idx = (0..<8).map { _ in t.offset + rnd.int(t.count) }
            var numeric: [Double] = []
            for i in idx {
                let saved = model.parameters.pointer[i]
                let h: Float = 1e-2
                model.parameters.pointer[i] = saved + h
                let lp = try loss(model, tokens, targets, B: B, T: T)
                model.parameters.pointer[i] = saved - h
                let lm = try loss(model, tokens, targets, B: B, T: T)
                model.parameters.pointer[i] = saved
                numeric.append((lp - lm) / (2 * Double(h)))
            }
            let analytic = idx.map { Double(model.gradients.pointer[$0]) }
            let err = relativeError(analytic, numeric)
            XCTAssertLessThan(err, 1e-2, "\(t.name): relative error \(err)\n analytic \(analytic)\n numeric \(numeric)")
        }
    }

    func testWholeModelGradientTied() throws { try checkWholeModel(tinyConfig) }

    func testWholeModelGradientUntied() throws {
        var c = tinyConfig
        c.tieWordEmbeddings = false
        c.keyValueHeadCount = 4
        try checkWholeModel(c)
    }

    /// What a data-parallel caller relies on to sum gradients during backward: the offsets
    /// come from the end of the buffer down to 0, one per block, and the gradients from each
    /// offset on never change again in the pass.
    func testBackwardReportsGradientsFinalFromTheEndDown() throws {
        for tied in [true, false] {
            var config = tinyConfig
            config.tieWordEmbeddings = tied
            let B = 2, T = 6
            let model = try LlamaModel(config: config, batchSize: B, sequenceLength: T, seed: 11, lmHeadChunkRows: 5)
            let (tokens, targets) = makeBatch(config, B: B, T: T, seed: 13)
            model.zeroGradients()
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            var ce = try CrossEntropyLoss(targets: targets, vocabularySize: config.vocabularySize)
            try model.lmHeadLoss(&ce)
            var reported: [(offset: Int, values: [Float])] = []
            try model.backward { offset in
                reported.append((offset, Array(UnsafeBufferPointer(start: model.gradients.pointer + offset,
                                                                   count: model.layout.count - offset))))
            }
            let layout = model.layout
            XCTAssertEqual(reported.map(\.offset), [layout.finalNorm] + layout.layers.reversed().map(\.inputNorm) + [0])
            let final = model.gradients.toArray()
            for (offset, values) in reported {
                XCTAssertEqual(values, Array(final[offset...]), "gradients from \(offset) changed after they were reported final")
            }
        }
    }

    func testExtraHiddenGradientFlowsThroughBackward() throws {
        // L = Σ hidden ⊙ R: inject R as ∂L/∂hidden without any head loss.
        let B = 1, T = 4
        let model = try LlamaModel(config: tinyConfig, batchSize: B, sequenceLength: T, seed: 3)
        randomize(model, seed: 4)
        let (tokens, _) = makeBatch(tinyConfig, B: B, T: T, seed: 5)
        var rnd = TestRandom(6)
        let r = rnd.floats(B * T * tinyConfig.hiddenSize)
        func value() throws -> Double {
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            return weightedSum(Array(model.hiddenStates), r)
        }
        model.zeroGradients()
        _ = try value()
        let dh = model.hiddenGradient
        for i in 0..<dh.count { dh[i] += r[i] }
        try model.backward()
        let name = "model.layers.0.self_attn.k_proj.weight"
        let t = model.layout.tensor(named: name)!
        let idx = (0..<10).map { t.offset + $0 * 7 }
        var numeric: [Double] = []
        for i in idx {
            let s = model.parameters.pointer[i]
            model.parameters.pointer[i] = s + 1e-2; let p = try value()
            model.parameters.pointer[i] = s - 1e-2; let m = try value()
            model.parameters.pointer[i] = s
            numeric.append((p - m) / 2e-2)
        }
        let err = relativeError(idx.map { Double(model.gradients.pointer[$0]) }, numeric)
        XCTAssertLessThan(err, 1e-2)
    }

    func testChunkedHeadEqualsUnchunked() throws {
        var c = tinyConfig
        c.vocabularySize = 301
        let B = 3, T = 7
        let (tokens, targets) = makeBatch(c, B: B, T: T, seed: 21)
        var results: [(Double, [Float], [Float])] = []
        for chunk in [B * T, 4, 1] {
            let model = try LlamaModel(config: c, batchSize: B, sequenceLength: T, seed: 22, lmHeadChunkRows: chunk)
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            var ce = try CrossEntropyLoss(targets: targets, vocabularySize: c.vocabularySize, ignoreIndex: 5)
            let l = try model.lmHeadLoss(&ce)
            results.append((l, Array(model.hiddenGradient), model.gradients.toArray()))
        }
        for r in results.dropFirst() {
            XCTAssertEqual(r.0, results[0].0, accuracy: 1e-9 * abs(results[0].0) + 1e-9)
            for i in r.1.indices { XCTAssertEqual(r.1[i], results[0].1[i], accuracy: 1e-6) }
            var maxDiff: Float = 0
            for i in r.2.indices { maxDiff = max(maxDiff, abs(r.2[i] - results[0].2[i])) }
            XCTAssertLessThan(maxDiff, 1e-6)
        }
        // and equals a direct double-precision cross-entropy over full logits
        let model = try LlamaModel(config: c, batchSize: B, sequenceLength: T, seed: 22)
        try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
        let hidden = Array(model.hiddenStates), w = Array(model.lmHeadWeight)
        var total = 0.0, count = 0
        for n in 0..<(B * T) where targets[n] >= 0 && targets[n] != 5 {
            var logits = [Double](repeating: 0, count: c.vocabularySize)
            for v in 0..<c.vocabularySize {
                var s = 0.0
                for k in 0..<c.hiddenSize { s += Double(hidden[n * c.hiddenSize + k]) * Double(w[v * c.hiddenSize + k]) }
                logits[v] = s
            }
            let m = logits.max()!
            total += m + log(logits.reduce(0) { $0 + exp($1 - m) }) - logits[Int(targets[n])]
            count += 1
        }
        XCTAssertEqual(results[0].0, total, accuracy: 1e-4 * total)
        XCTAssertEqual(try CrossEntropyLoss(targets: targets, vocabularySize: c.vocabularySize, ignoreIndex: 5).labelCount, count)
    }

    func testInferenceMatchesTrainingForward() throws {
        let B = 2, T = 9
        let model = try LlamaModel(config: tinyConfig, batchSize: B, sequenceLength: T, seed: 31, lmHeadChunkRows: 4)
        randomize(model, seed: 32)
        let (tokens, _) = makeBatch(tinyConfig, B: B, T: T, seed: 33)
        try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
        let inference = try LlamaInference(copying: model)
        let hidden = Array(try inference.forward(tokens: tokens, batchSize: B, sequenceLength: T))
        XCTAssertEqual(hidden, Array(model.hiddenStates))
        var a: [Float] = [], b: [Float] = []
        try model.logits { _, rows, p in a += Array(UnsafeBufferPointer(start: p, count: rows * tinyConfig.vocabularySize)) }
        try inference.logits { _, rows, p in b += Array(UnsafeBufferPointer(start: p, count: rows * tinyConfig.vocabularySize)) }
        XCTAssertEqual(a.count, B * T * tinyConfig.vocabularySize)
        for i in a.indices { XCTAssertEqual(a[i], b[i], accuracy: 1e-5) }
        // a shorter batch through the same allocation agrees with a fresh model's causal prefix
        let short = Array(try inference.forward(tokens: Array(tokens[0..<4]), batchSize: 1, sequenceLength: 4))
        for i in short.indices { XCTAssertEqual(short[i], hidden[i], accuracy: 1e-5) }
    }

    func testDeterministicInitialization() throws {
        let a = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 4, seed: 7)
        let b = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 4, seed: 7)
        let c = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 4, seed: 8)
        XCTAssertEqual(a.parameters.toArray(), b.parameters.toArray())
        XCTAssertNotEqual(a.parameters.toArray(), c.parameters.toArray())
        XCTAssertEqual(Array(try a.parameter(named: "model.norm.weight")), [Float](repeating: 1, count: 16))
    }

    func testCrossEntropyIgnoreMaskAndNormalizer() throws {
        let V = 11
        var rnd = TestRandom(51)
        let logits = rnd.floats(3 * V, scale: 2)
        var a = logits, b = logits
        var plain = try CrossEntropyLoss(targets: [3, -1, 7], vocabularySize: V)
        var global = try CrossEntropyLoss(targets: [3, -1, 7], vocabularySize: V, normalizer: 8)
        let la = a.withMutablePointer { plain.lossAndGradient(rowStart: 0, rowCount: 3, logits: $0, vocabularySize: V) }
        let lb = b.withMutablePointer { global.lossAndGradient(rowStart: 0, rowCount: 3, logits: $0, vocabularySize: V) }
        XCTAssertEqual(la, lb)
        XCTAssertEqual(plain.labelCount, 2)
        XCTAssertEqual(plain.meanLoss, la / 2, accuracy: 1e-12)
        XCTAssertEqual(Array(a[V..<(2 * V)]), [Float](repeating: 0, count: V))   // ignored row: no gradient
        for i in 0..<V { XCTAssertEqual(b[i] * 8, a[i] * 2, accuracy: 1e-6) }
        XCTAssertThrowsError(try CrossEntropyLoss(targets: [1, 11], vocabularySize: V)) {
            XCTAssertTrue("\($0)".contains("position 1"), "\($0)")
        }
    }

    func testTokenOutOfRangeIsRejected() throws {
        let model = try LlamaModel(config: tinyConfig, batchSize: 1, sequenceLength: 2, seed: 1)
        XCTAssertThrowsError(try model.forward(tokens: [1, 37], batchSize: 1, sequenceLength: 2)) {
            XCTAssertEqual($0 as? EngineError, .tokenOutOfRange(token: 37, position: 1, vocabularySize: 37))
        }
    }

    func testTinyModelOverfitsFixedBatch() throws {
        let B = 2, T = 16
        let model = try LlamaModel(config: tinyConfig, batchSize: B, sequenceLength: T, seed: 41)
        let (tokens, _) = makeBatch(tinyConfig, B: B, T: T, seed: 42)
        let targets = Array(tokens.dropFirst()) + [-1]
        let adam = AdamW(layout: model.layout, settings: .init(weightDecay: 0))
        var last = 0.0
        for step in 0..<300 {
            model.zeroGradients()
            try model.forward(tokens: tokens, batchSize: B, sequenceLength: T)
            var ce = try CrossEntropyLoss(targets: targets, vocabularySize: model.config.vocabularySize)
            try model.lmHeadLoss(&ce)
            try model.backward()
            GradientClipping.clip(model.gradients.buffer, maxNorm: 1)
            adam.update(parameters: model.parameters, gradients: model.gradients, learningRate: step < 10 ? 1e-3 * Float(step + 1) : 1e-2)
            last = ce.meanLoss
            if last < 0.05 { break }
        }
        XCTAssertLessThan(last, 0.1, "tiny model did not overfit: \(last) nats/token")
    }
}

final class ConfigTests: XCTestCase {
    func testInvalidConfigsNameTheField() {
        func field(_ make: () throws -> LlamaConfig) -> String? {
            do { _ = try make(); return nil } catch let e as LlamaConfigError { return e.field } catch { return "?" }
        }
        XCTAssertEqual(field { try LlamaConfig(hiddenSize: 30, intermediateSize: 8, layerCount: 1, attentionHeadCount: 4, keyValueHeadCount: 2, vocabularySize: 10) }, "num_attention_heads")
        XCTAssertEqual(field { try LlamaConfig(hiddenSize: 32, intermediateSize: 8, layerCount: 1, attentionHeadCount: 4, keyValueHeadCount: 3, vocabularySize: 10) }, "num_key_value_heads")
        XCTAssertEqual(field { try LlamaConfig(hiddenSize: 32, intermediateSize: 0, layerCount: 1, attentionHeadCount: 4, keyValueHeadCount: 2, vocabularySize: 10) }, "intermediate_size")
        XCTAssertEqual(field { try LlamaConfig(hiddenSize: 32, intermediateSize: 8, layerCount: 1, attentionHeadCount: 4, keyValueHeadCount: 2, vocabularySize: 0) }, "vocab_size")
        XCTAssertEqual(field { try LlamaConfig(hiddenSize: 32, intermediateSize: 8, layerCount: 0, attentionHeadCount: 4, keyValueHeadCount: 2, vocabularySize: 10) }, "num_hidden_layers")
        XCTAssertEqual(field { try LlamaConfig(hiddenSize: 32, intermediateSize: 8, layerCount: 1, attentionHeadCount: 4, keyValueHeadCount: 2, vocabularySize: 10, rmsNormEpsilon: 0) }, "rms_norm_eps")
        let json = #"{"hidden_size": 32, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 5, "vocab_size": 10}"#
        XCTAssertThrowsError(try JSONDecoder().decode(LlamaConfig.self, from: Data(json.utf8))) {
            XCTAssertTrue("\($0)".contains("num_attention_heads"), "\($0)")
        }
    }

    func testHuggingFaceKeysAndDerivedValues() throws {
        let json = #"{"hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "vocab_size": 49152, "rms_norm_eps": 1e-05, "rope_theta": 100000, "max_position_embeddings": 8192, "tie_word_embeddings": true, "model_type": "llama"}"#
        let c = try JSONDecoder().decode(LlamaConfig.self, from: Data(json.utf8))
        XCTAssertEqual(c, LlamaConfig.smolLM2_135M)
        XCTAssertEqual(c.headSize, 64)
        XCTAssertEqual(c.parameterCount, 134_515_008)   // SmolLM2-135M
        XCTAssertEqual(ParameterLayout(config: c).count, c.parameterCount)
        XCTAssertEqual(c.forwardFlopsPerToken(sequenceLength: 256) / 1e9, 0.28, accuracy: 0.02)
        let round = try JSONDecoder().decode(LlamaConfig.self, from: JSONEncoder().encode(c))
        XCTAssertEqual(round, c)
    }

    func testLayoutNamesAndOffsets() {
        let layout = ParameterLayout(config: tinyConfig)
        XCTAssertEqual(layout.tensors.first?.name, "model.embed_tokens.weight")
        XCTAssertEqual(layout.tensors.last?.name, "model.norm.weight")
        XCTAssertEqual(layout.tensor(named: "model.layers.1.mlp.down_proj.weight")?.shape, [16, 24])
        XCTAssertEqual(layout.tensor(named: "model.layers.0.self_attn.k_proj.weight")?.shape, [8, 16])
        XCTAssertEqual(layout.tensor(named: "model.layers.0.input_layernorm.weight")?.weightDecay, false)
        var cursor = 0
        for t in layout.tensors { XCTAssertEqual(t.offset, cursor); cursor = t.end }
        XCTAssertEqual(cursor, layout.count)
        XCTAssertNil(layout.tensor(named: "lm_head.weight"))
    }
}
