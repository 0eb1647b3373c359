import Distillation
import TrainingCore

/// A teacher message as a student reads it off the wire: the first 8 bytes set the format
/// the student expects (`MessageParameters`), the rest are the received 32-bit words.
enum TeacherMessageTarget {
    static let sourceRank = 1

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= MessageParameters.byteCount else { return }
        let parameters = MessageParameters(bytes)
        let words = FuzzInput.words(UnsafeRawBufferPointer(rebasing: bytes[MessageParameters.byteCount...]))
        words.withUnsafeBufferPointer { received in
            Finding.expectingErrors(naming: "teacher rank \(sourceRank)") {
                _ = try parameters.format.decode(received, expectedStep: parameters.step, expectedStudent: parameters.student,
                                                 sourceRank: sourceRank)
            }
        }
    }
}

/// A small message format, the step and the student, from 8 bytes: the parts sent, N rows,
/// K, V, dT, the teacher's sequences and length, the step, the student. Every size stays
/// below 64 so a message is at most a few thousand words.
struct MessageParameters {
    static let byteCount = 8
    let format: TeacherMessageFormat
    let step: Int
    let student: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        let parts: [(bit: UInt8, requirement: TeacherRequirements)] = [
            (1, .topKLogProbabilities), (2, .fullLogits), (4, .finalHiddenStates), (8, .tokenIds),
        ]
        let requirements = TeacherRequirements(parts.filter { bytes[0] & $0.bit != 0 }.map(\.requirement))
        let teacherSequences = 1 + Int(bytes[5] & 3), teacherLength = 1 + Int(bytes[5] >> 2) % 8
        format = TeacherMessageFormat(requirements: requirements, rows: 1 + Int(bytes[1]) % 8, k: 1 + Int(bytes[2]) % 8,
                                      vocabularySize: 1 + Int(bytes[3]) % 32, hiddenWidth: 1 + Int(bytes[4]) % 8,
                                      temperature: 2, teacherTokens: (teacherSequences, teacherLength))
        step = Int(bytes[6])
        student = Int(bytes[7]) % 4
    }

    /// The 8 bytes that give `format`-like parameters (the inverse of `init`, for seeds).
    static func bytes(requirements: UInt8, rows: Int, k: Int, vocabularySize: Int, hiddenWidth: Int,
                      teacherSequences: Int, teacherLength: Int, step: Int, student: Int) -> [UInt8] {
        [requirements, UInt8(rows - 1), UInt8(k - 1), UInt8(vocabularySize - 1), UInt8(hiddenWidth - 1),
         UInt8(teacherSequences - 1) | UInt8(teacherLength - 1) << 2, UInt8(step), UInt8(student)]
    }
}
