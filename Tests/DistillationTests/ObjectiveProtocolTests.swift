import XCTest
import Distillation
import Engine

/// `Objective.lossAndGradients` is the step-by-step protocol of each objective in one call:
/// the same components and the same gradients, bit for bit.
final class ObjectiveProtocolTests: XCTestCase {
    let b = 2, t = 5, v = 23, dT = 6

    func makeModel() throws -> LlamaModel {
        let config = try LlamaConfig(hiddenSize: 8, intermediateSize: 16, layerCount: 1, attentionHeadCount: 2,
                                     keyValueHeadCount: 1, vocabularySize: v, maxPositionEmbeddings: 16)
        return try LlamaModel(config: config, batchSize: b, sequenceLength: t, seed: 9)
    }

    /// Runs `oneCall` and `stepByStep` on identical models; both must leave identical gradients.
    func assertSame(_ name: String, _ oneCall: (LlamaModel) throws -> (LossComponents, [Float]),
                    _ stepByStep: (LlamaModel) throws -> (LossComponents, [Float])) throws {
        var results: [(LossComponents, [Float], [Float])] = []
        for oneCallFirst in [true, false] {
            let model = try makeModel()
            model.zeroGradients()
            try model.forward(tokens: inputs, batchSize: b, sequenceLength: t)
            let (components, own) = try oneCallFirst ? oneCall(model) : stepByStep(model)
            try model.backward()
            results.append((components, model.gradients.toArray(), own))
        }
        XCTAssertEqual(results[0].0, results[1].0, name)
        XCTAssertEqual(results[0].0.entries.map(\.name), results[1].0.entries.map(\.name), name)
        XCTAssertTrue(results[0].1 == results[1].1, "\(name): model gradients")
        XCTAssertTrue(results[0].2 == results[1].2, "\(name): projector gradients")
    }

    let inputs: [Int32] = [1, 4, 9, 16, 2, 3, 5, 7, 11, 13]
    var labels: StepLabels { try! StepLabels([4, 9, 16, 2, -1, 5, 7, 11, 13, 22], globalLabelTokenCount: 12, vocabularySize: v) }

    func testOneCallEqualsTheStepByStepProtocol() throws {
        var random = TestRandom(3)
        let teacherLogits = random.array(b * t * v, scale: 2).map(Float.init)
        let hT = random.array(b * t * dT).map(Float.init), wT = random.array(v * dT, scale: 0.5).map(Float.init)
        let eT = random.array(v * dT, scale: 0.5).map(Float.init)
        let batch = ObjectiveBatch(labels: labels, inputs: inputs)

        try assertSame("ce", { model in
            let result = try CrossEntropyObjective().lossAndGradients(model: model, batch: batch, teacher: nil, computeGradients: true)
            return (result.components, [])
        }, { model in
            var ce = CrossEntropyObjective(); ce.beginStep(labels: self.labels)
            try model.lmHeadLoss(&ce)
            return (ce.components, [])
        })

        let configuration = try KDConfiguration(distance: .reverseKL, temperature: 2, weighting: .interpolated(lambda: 0.3))
        let topK = try TopKTargets(teacherLogits: teacherLogits, rowCount: b * t, vocabularySize: v, k: 4, temperature: 2)
        for (usesTopK, view, targets) in [(true, TeacherOutputsView(topK: topK), TeacherTargets.topK(topK)),
                                          (false, TeacherOutputsView(fullLogits: teacherLogits), .fullLogits(teacherLogits))] {
            try assertSame("kd", { model in
                let kd = KnowledgeDistillationObjective(configuration: configuration, usesTopK: usesTopK)
                return (try kd.lossAndGradients(model: model, batch: batch, teacher: view, computeGradients: true).components, [])
            }, { model in
                var kd = KnowledgeDistillationObjective(configuration: configuration, usesTopK: usesTopK)
                try kd.beginStep(labels: self.labels, targets: targets, vocabularySize: self.v)
                try model.lmHeadLoss(&kd)
                return (kd.components, [])
            })
        }

        let dualSpace = try DualSpaceConfiguration(distance: .jensenShannon, temperature: 2, lambda: 0.4, teacherTemperature: 1.3)
        func dskd(_ model: LlamaModel) throws -> DualSpaceObjective {
            try DualSpaceObjective(configuration: dualSpace, studentWidth: model.config.hiddenSize, teacherWidth: dT,
                                   vocabularySize: v, teacherHead: wT, seed: 5)
        }
        try assertSame("dskd", { model in
            let objective = try dskd(model)
            let result = try objective.lossAndGradients(model: model, batch: batch, teacher: TeacherOutputsView(hiddenStates: hT),
                                                        computeGradients: true)
            return (result.components, objective.projectors.gradients)
        }, { model in
            var objective = try dskd(model)
            objective.projectors.zeroGradients()
            try objective.beginStep(labels: self.labels, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hT,
                                    studentHead: model.lmHeadWeight.baseAddress!)
            try model.lmHeadLoss(&objective)
            objective.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!)
            return (objective.finishStep(), objective.projectors.gradients)
        })

        func cma(_ model: LlamaModel) throws -> CrossModelAttentionObjective {
            try CrossModelAttentionObjective(configuration: dualSpace, studentWidth: model.config.hiddenSize, teacherWidth: dT,
                                             studentVocabularySize: v, teacherVocabularySize: v,
                                             teacherHead: wT, teacherEmbeddings: eT, seed: 5)
        }
        let teacherTokens = TeacherTokenIds(sequenceLength: t, inputs: inputs.reversed(), labels: labels.values)
        try assertSame("dskd-cma", { model in
            let objective = try cma(model)
            let view = TeacherOutputsView(hiddenStates: hT, tokenIds: teacherTokens)
            let result = try objective.lossAndGradients(model: model, batch: batch, teacher: view, computeGradients: true)
            return (result.components, objective.projectors.gradients)
        }, { model in
            var objective = try cma(model)
            let crossModel = try CrossModelBatch(sequenceCount: self.b, studentLength: self.t, teacherLength: self.t,
                                                 studentInputs: self.inputs, studentLabels: self.labels,
                                                 teacherInputs: teacherTokens.inputs, teacherLabels: teacherTokens.labels,
                                                 studentVocabularySize: self.v, teacherVocabularySize: self.v)
            objective.projectors.zeroGradients()
            try objective.beginStep(batch: crossModel, studentHidden: model.hiddenStates.baseAddress!, teacherHidden: hT,
                                    studentEmbeddings: try model.parameter(named: "model.embed_tokens.weight").baseAddress!,
                                    studentHead: model.lmHeadWeight.baseAddress!)
            try model.lmHeadLoss(&objective)
            objective.addStudentHiddenGradient(into: model.hiddenGradient.baseAddress!)
            return (objective.finishStep(), objective.projectors.gradients)
        })
    }

    func testMissingTeacherDataIsNamed() throws {
        let model = try makeModel()
        try model.forward(tokens: inputs, batchSize: b, sequenceLength: t)
        let kd = KnowledgeDistillationObjective(configuration: .ddk)
        XCTAssertThrowsError(try kd.lossAndGradients(model: model, batch: ObjectiveBatch(labels: labels), teacher: nil,
                                                     computeGradients: true)) { error in
            XCTAssertEqual(error as? DistillationError, .missingTeacherData("top-k targets or logits"))
        }
        XCTAssertEqual(ObjectiveKind.names, ["ce", "kd", "dskd", "dskd-cma"])
        XCTAssertEqual(kd.componentNames, ["ce", "kd", "total"])
    }
}
