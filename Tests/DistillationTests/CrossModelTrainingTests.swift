import XCTest
import Foundation
import Distillation
import Engine

/// Two tiny Llama models (engine) with different tokenizers of the same text: the
/// student reads characters, the teacher reads words. dskd-cma must train the student.
final class CrossModelTrainingTests: XCTestCase {
    let sentences = ["the cat sat on the mat .", "a dog and a cat met on a log ."]

    struct Tokenized {
        var inputs: [Int32], labels: [Int32], length: Int, vocabularySize: Int
    }

    /// Next-token inputs/labels per sentence, padded to the longest (labels −1 there).
    func tokenize(_ pieces: [[String]]) -> Tokenized {
        let vocabulary = Array(Set(pieces.joined())).sorted()
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })
        let length = pieces.map { $0.count - 1 }.max()!
        var inputs = [Int32](), labels = [Int32]()
        for tokens in pieces {
            let ids = tokens.map { index[$0]! }
            for t in 0..<length {
                inputs.append(t + 1 < ids.count ? ids[t] : 0)
                labels.append(t + 1 < ids.count ? ids[t + 1] : -1)
            }
        }
        return Tokenized(inputs: inputs, labels: labels, length: length, vocabularySize: vocabulary.count)
    }

    func testCrossModelAttentionTrainsStudentWithDifferentVocabulary() throws {
        BLASThreads.set(1)
        let student = tokenize(sentences.map { $0.map { String($0) } })
        let teacher = tokenize(sentences.map { $0.split(separator: " ").map(String.init) })
        XCTAssertNotEqual(student.vocabularySize, teacher.vocabularySize)
        let b = sentences.count

        // the teacher: a tiny model fitted to the word text with plain CE, then frozen
        let teacherConfig = try LlamaConfig(hiddenSize: 24, intermediateSize: 48, layerCount: 1, attentionHeadCount: 2,
                                            keyValueHeadCount: 2, vocabularySize: teacher.vocabularySize, maxPositionEmbeddings: 64)
        let teacherModel = try LlamaModel(config: teacherConfig, batchSize: b, sequenceLength: teacher.length, seed: 1)
        let teacherOptimizer = AdamW(layout: teacherModel.layout, settings: .init(weightDecay: 0))
        let teacherLabels = try StepLabels(teacher.labels, globalLabelTokenCount: Double(teacher.labels.filter { $0 >= 0 }.count),
                                           vocabularySize: teacher.vocabularySize)
        var teacherLoss = 0.0
        for _ in 0..<150 {
            teacherModel.zeroGradients()
            try teacherModel.forward(tokens: teacher.inputs, batchSize: b, sequenceLength: teacher.length)
            var ce = CrossEntropyObjective()
            ce.beginStep(labels: teacherLabels)
            teacherLoss = try teacherModel.lmHeadLoss(&ce) / teacherLabels.globalLabelTokenCount
            try teacherModel.backward()
            teacherOptimizer.update(parameters: teacherModel.parameters, gradients: teacherModel.gradients, learningRate: 1e-2)
        }
        XCTAssertLessThan(teacherLoss, 0.5, "the teacher should fit its text")
        try teacherModel.forward(tokens: teacher.inputs, batchSize: b, sequenceLength: teacher.length)
        let teacherHidden = Array(teacherModel.hiddenStates)
        let teacherEmbeddings = Array(try teacherModel.parameter(named: "model.embed_tokens.weight"))
        let teacherHead = Array(teacherModel.lmHeadWeight)

        // the student
        let studentConfig = try LlamaConfig(hiddenSize: 16, intermediateSize: 32, layerCount: 1, attentionHeadCount: 2,
                                            keyValueHeadCount: 1, vocabularySize: student.vocabularySize, maxPositionEmbeddings: 64)
        let studentModel = try LlamaModel(config: studentConfig, batchSize: b, sequenceLength: student.length, seed: 2)
        let studentOptimizer = AdamW(layout: studentModel.layout, settings: .init(weightDecay: 0))
        let labels = try StepLabels(student.labels, globalLabelTokenCount: Double(student.labels.filter { $0 >= 0 }.count),
                                    vocabularySize: student.vocabularySize)
        let batch = try CrossModelBatch(sequenceCount: b, studentLength: student.length, teacherLength: teacher.length,
                                        studentInputs: student.inputs, studentLabels: labels,
                                        teacherInputs: teacher.inputs, teacherLabels: teacher.labels,
                                        studentVocabularySize: student.vocabularySize, teacherVocabularySize: teacher.vocabularySize)
        let configuration = try DualSpaceConfiguration(distance: .forwardKL, temperature: 2, lambda: 0.5, projectorLearningRate: 3e-3)
        var objective = try CrossModelAttentionObjective(
            configuration: configuration, studentWidth: studentConfig.hiddenSize, teacherWidth: teacherConfig.hiddenSize,
            studentVocabularySize: student.vocabularySize, teacherVocabularySize: teacher.vocabularySize,
            teacherHead: teacherHead, teacherEmbeddings: teacherEmbeddings, seed: 3)
        var projectorOptimizer = ProjectorOptimizer(for: objective.projectors)
        var history = [Double]()
        var first = LossComponents(), last = LossComponents()
        for step in 0..<300 {
            studentModel.zeroGradients()
            objective.projectors.zeroGradients()
            try studentModel.forward(tokens: student.inputs, batchSize: b, sequenceLength: student.length)
            try objective.beginStep(batch: batch, studentHidden: studentModel.hiddenStates.baseAddress!, teacherHidden: teacherHidden,
                                    studentEmbeddings: try studentModel.parameter(named: "model.embed_tokens.weight").baseAddress!,
                                    studentHead: studentModel.lmHeadWeight.baseAddress!)
            try studentModel.lmHeadLoss(&objective)
            objective.addStudentHiddenGradient(into: studentModel.hiddenGradient.baseAddress!)
            let components = objective.finishStep()
            try studentModel.backward()
            studentOptimizer.update(parameters: studentModel.parameters, gradients: studentModel.gradients, learningRate: 1e-2)
            projectorOptimizer.update(objective.projectors)
            history.append(components["total"] / labels.globalLabelTokenCount)
            if step == 0 { first = components }
            last = components
        }
        let count = labels.globalLabelTokenCount
        print("dskd-cma training: total \(history[0]) → \(history.last!); first \(first.means(labelTokenCount: count)); last \(last.means(labelTokenCount: count))")
        XCTAssertTrue(history.allSatisfy(\.isFinite))
        XCTAssertLessThan(history.last!, 0.5 * history[0], "dskd-cma total must fall on a fixed batch")
        XCTAssertLessThan(last["ce"], 0.5 * first["ce"], "the student's own CE must fall")
        XCTAssertLessThan(last["kd_s2t"], first["kd_s2t"], "the teacher-space term must fall")
    }
}
