import Foundation

/// Shows `ddk prepare`'s progress on standard error: a redrawn progress bar when
/// standard error is a terminal, plain lines (one per finished domain, plus one
/// per quarter of the input) otherwise. Thread-safe: workers report concurrently.
public final class PreparationProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive: Bool
    private let totalBytes: Int
    private let started = Date()
    private var domainBytes: [String: Int] = [:]
    private var tokens: [String: Int] = [:]
    private var lastQuarter = 0
    private var lastDraw = Date.distantPast

    /// A printer for a run over `totalBytes` input bytes; `interactive` defaults to
    /// whether standard error is a terminal.
    public init(totalBytes: Int, interactive: Bool = isatty(STDERR_FILENO) != 0) {
        self.totalBytes = max(1, totalBytes)
        self.interactive = interactive
    }

    /// Records one progress report and redraws if due.
    public func report(_ progress: PreparationProgress) {
        lock.lock()
        defer { lock.unlock() }
        domainBytes[progress.domain] = progress.bytesDone
        tokens[progress.domain] = progress.tokens
        let done = domainBytes.values.reduce(0, +)
        let fraction = min(1, Double(done) / Double(totalBytes))
        let elapsed = Date().timeIntervalSince(started)
        if interactive {
            guard progress.finished || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let rate = Double(done) / max(elapsed, 1e-3) / 1e6
            let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
            var line = String(format: "\r[%@] %3.0f%%  %.1f MB/s  %d tokens  ETA %.0f s", bar, fraction * 100, rate,
                              tokens.values.reduce(0, +), eta)
            if progress.finished { line += "  \(progress.domain) done" }
            FileHandle.standardError.write((line + "\u{1B}[K").data(using: .utf8)!)
        } else {
            if progress.finished {
                FileHandle.standardError.write("prepare: \(progress.domain): tokenized \(progress.tokens) tokens (\(String(format: "%.1f", elapsed)) s)\n".data(using: .utf8)!)
            }
            let quarter = Int(fraction * 4)
            if quarter > lastQuarter {
                lastQuarter = quarter
                FileHandle.standardError.write(String(format: "prepare: %.0f%% of the input tokenized (%.1f s)\n", fraction * 100, elapsed).data(using: .utf8)!)
            }
        }
    }

    /// Ends the bar's line on a terminal.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if interactive { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    }
}
