import Distillation
import TrainingCore

/// Teacher messages of each kind the objectives ask for, encoded by the real encoder and
/// prefixed with the 8 bytes that make the target expect their format.
enum SeedMessages {
    static func all() throws -> [(name: String, bytes: [UInt8])] {
        [("top-k", try message(requirements: 1, step: 5, student: 1)),
         ("full-logits", try message(requirements: 2, step: 0, student: 0)),
         ("top-k-hidden", try message(requirements: 1 | 4, step: 17, student: 2)),
         ("cross-vocabulary", try message(requirements: 4 | 8, step: 9, student: 3))]
    }

    /// N = 3 rows, K = 2, V = 10, dT = 4, the teacher's tokens 2 sequences of 3.
    private static func message(requirements: UInt8, step: Int, student: Int) throws -> [UInt8] {
        let parameters = MessageParameters.bytes(requirements: requirements, rows: 3, k: 2, vocabularySize: 10, hiddenWidth: 4,
                                                 teacherSequences: 2, teacherLength: 3, step: step, student: student)
        let format = parameters.withUnsafeBytes { MessageParameters($0).format }
        var outputs = TeacherOutputs(step: step, studentIndex: student, rows: 3)
        outputs.topK = try TopKTargets(rowCount: 3, k: 2, vocabularySize: 10, temperature: 2, ids: [1, 2, 9, 0, 4, 5],
                                       logProbabilities: [-0.1, -2, -0.3, -1.5, -0.7, -0.9], tailMass: [0.05, 0.1, 0.2])
        outputs.fullLogits = (0..<30).map { Float($0 % 10) - 4.5 }
        outputs.hiddenStates = (0..<format.teacherRows * 4).map { Float($0) * 0.25 - 1 }
        outputs.tokenIds = TeacherTokenIds(sequenceLength: 3, inputs: [2, 7, 3, 4, 0, 0], labels: [7, 3, 9, 1, -1, -1])
        var words = [UInt32](repeating: 0, count: format.messageWords)
        words.withUnsafeMutableBufferPointer { format.encode(outputs, into: $0) }
        return parameters + words.flatMap { word in withUnsafeBytes(of: word.littleEndian) { Array($0) } }
    }
}
