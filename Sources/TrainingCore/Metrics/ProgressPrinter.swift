import Foundation

/// Rank 0's view of a run on standard error: on a terminal one live line rewritten in
/// place (step, loss, tokens/s, ETA); otherwise one plain line per step, so logs stay
/// readable. DDK boundaries always get their own line.
public final class ProgressPrinter {
    let totalSteps: Int
    let isTerminal: Bool
    let started = Date()
    private var lineOpen = false

    public init(totalSteps: Int, isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.totalSteps = totalSteps
        self.isTerminal = isTerminal
    }

    /// Reports a finished step.
    public func step(_ record: StepRecord) {
        let done = record.step + 1
        let elapsed = Date().timeIntervalSince(started)
        let remaining = elapsed / Double(done) * Double(totalSteps - done)
        let text = String(format: "step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  teacher wait %.0f%%  ETA %@",
                          done, totalSteps, record.loss, record.lr, record.tokensPerSecond,
                          100 * record.teacherWaitSeconds / max(record.stepSeconds, 1e-9), Self.clock(remaining))
        if isTerminal {
            write("\r\u{1B}[2K" + text)
            lineOpen = true
        } else {
            write(text + "\n")
        }
    }

    /// Reports a DDK boundary.
    public func ddk(_ record: DDKRecord) {
        let average = record.domains.map(\.studentPpl).reduce(0, +) / Double(max(1, record.domains.count))
        let weights = record.domains.map { String(format: "%@ %.3f", $0.name, $0.weightAfter) }.joined(separator: ", ")
        line(String(format: "ddk step %d: mean student ppl %.2f; weights %@", record.step, average, weights))
    }

    /// Prints a line of its own (closing a live line first).
    public func line(_ text: String) {
        if lineOpen { write("\n"); lineOpen = false }
        write(text + "\n")
    }

    /// Ends the live line.
    public func finish() {
        if lineOpen { write("\n"); lineOpen = false }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
