import DataPipeline

extension RunState {
    /// The invariants every run state `ddk distill` writes holds, checked on load so that a
    /// damaged or edited `run_state.json` is refused in one line instead of trapping later in
    /// the sampler: non-negative counts, the cursor at the state's step, one entry per domain,
    /// and exactly `step` × global batch sequences served (every step serves one global
    /// batch), which also bounds every count the next steps add to.
    func check(path: String) throws {
        func refuse(_ problem: String) -> ResumeError { ResumeError("\(path): not a valid run state: \(problem)") }
        guard step >= 0, tokensSeen >= 0 else { throw refuse("negative step \(step) or tokens_seen \(tokensSeen)") }
        guard globalBatchSequences >= 1, sequenceLength >= 1, studentCount >= 1, intervalSteps >= 1 else {
            throw refuse("global_batch_sequences, sequence_length, student_count and interval_steps must be positive")
        }
        guard samplerCursor.step == step else {
            throw refuse("sampler_cursor.step is \(samplerCursor.step), the state's step \(step)")
        }
        let domains = domainNames.count
        guard samplerCursor.served.count == domains, weightHistory.domainCount == domains else {
            throw refuse("\(domains) domain_names, \(samplerCursor.served.count) served counts, \(weightHistory.domainCount) weights")
        }
        let (nextServed, overflow) = (step + 1).multipliedReportingOverflow(by: globalBatchSequences)
        let served = samplerCursor.served.reduce(UInt64(0)) { $0.addingReportingOverflow($1).partialValue }
        guard !overflow, !samplerCursor.served.contains(where: { $0 > UInt64(nextServed) }),
              served == UInt64(step * globalBatchSequences) else {
            throw refuse("sampler_cursor.served adds up to \(served) sequences, not step \(step) × \(globalBatchSequences)")
        }
    }
}
