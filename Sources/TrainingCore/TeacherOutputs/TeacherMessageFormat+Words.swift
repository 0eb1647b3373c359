import Distillation

/// A teacher message as 32-bit words (the layout: `TeacherMessageFormat`). Runtime moves
/// the words over MPI; writing and reading them needs no MPI, so the fuzz target reads
/// messages exactly as a student does.
extension TeacherMessageFormat {
    /// Writes `outputs` into `words` (at least `messageWords` long).
    public func encode(_ outputs: TeacherOutputs, into words: UnsafeMutableBufferPointer<UInt32>) {
        precondition((outputs.rows == rows || (allowsFewerRows && outputs.rows < rows)) && words.count >= messageWords,
                     "teacher message does not fit its format")
        let header: [UInt32] = [Self.magic, UInt32(outputs.step), UInt32(outputs.studentIndex), UInt32(outputs.rows),
                                UInt32(k), UInt32(requirements.rawValue), UInt32(hiddenWidth),
                                UInt32(payloadWords(rows: outputs.rows)), UInt32(teacherRows)]
        for (index, word) in header.enumerated() { words[index] = word }
        var cursor = words.baseAddress! + Self.headerWords
        func put<Word: BitwiseCopyable>(_ values: [Word]) {
            precondition(MemoryLayout<Word>.size == 4, "teacher messages are 32-bit words")
            values.withUnsafeBytes { source in
                UnsafeMutableRawPointer(cursor).copyMemory(from: source.baseAddress!, byteCount: source.count)
            }
            cursor += values.count
        }
        if requirements.contains(.topKLogProbabilities), let topK = outputs.topK {
            put(topK.ids)
            put(topK.logProbabilities)
            put(topK.tailMass)
        }
        if requirements.contains(.fullLogits), let logits = outputs.fullLogits { put(logits) }
        if requirements.contains(.tokenIds), let tokens = outputs.tokenIds {
            put(tokens.inputs)
            put(tokens.labels)
        }
        if requirements.contains(.finalHiddenStates), let hidden = outputs.hiddenStates { put(hidden) }
    }

    /// Reads a received message (`words`: exactly the words received), checking that it is
    /// the one expected.
    public func decode(_ words: UnsafeBufferPointer<UInt32>, expectedStep: Int, expectedStudent: Int,
                       sourceRank: Int) throws -> TeacherOutputs {
        func fail(_ problem: String) -> TeacherProtocolError {
            TeacherProtocolError(teacherRank: sourceRank, step: expectedStep, problem: problem)
        }
        let count = words.count
        guard count >= Self.headerWords, words[0] == Self.magic else { throw fail("the message is not a teacher message") }
        guard Int(words[1]) == expectedStep else {
            throw fail("received the message of step \(words[1]) (stale or out of order)")
        }
        guard Int(words[2]) == expectedStudent else { throw fail("received the message for student \(words[2]), this is student \(expectedStudent)") }
        let rows = Int(words[3])  // the format's, or fewer (`allowsFewerRows`)
        guard rows == self.rows || (allowsFewerRows && rows < self.rows), Int(words[4]) == k,
              words[5] == UInt32(requirements.rawValue), Int(words[6]) == hiddenWidth,
              Int(words[7]) == payloadWords(rows: rows), Int(words[8]) == teacherRows,
              count == Self.headerWords + payloadWords(rows: rows) else {
            throw fail("the message has another shape (rows \(words[3]), k \(words[4]), \(count) words; expected \(self.rows), \(k), \(messageWords))")
        }
        var cursor = words.baseAddress! + Self.headerWords
        func take<Word: BitwiseCopyable>(_ n: Int, as _: Word.Type = Float.self) -> [Word] {
            defer { cursor += n }
            return UnsafeRawPointer(cursor).withMemoryRebound(to: Word.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
        }
        var outputs = TeacherOutputs(step: expectedStep, studentIndex: expectedStudent, rows: rows)
        if requirements.contains(.topKLogProbabilities) {
            let ids = take(rows * k, as: Int32.self)
            let logProbabilities = take(rows * k)
            let tail = take(rows)
            do {
                outputs.topK = try TopKTargets(rowCount: rows, k: k, vocabularySize: vocabularySize, temperature: temperature,
                                               ids: ids, logProbabilities: logProbabilities, tailMass: tail)
            } catch let error as DistillationError {
                throw fail("\(error)")  // a corrupt message: say which teacher and step sent it
            }
        }
        if requirements.contains(.fullLogits) { outputs.fullLogits = take(rows * vocabularySize) }
        if requirements.contains(.tokenIds) {
            outputs.tokenIds = TeacherTokenIds(sequenceLength: teacherSequenceLength, inputs: take(teacherRows, as: Int32.self),
                                               labels: take(teacherRows, as: Int32.self))
        }
        if requirements.contains(.finalHiddenStates) { outputs.hiddenStates = take(teacherRows * hiddenWidth) }
        return outputs
    }
}
