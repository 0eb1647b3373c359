import Foundation

/// A bug that is not a crash: a refused input whose error does not name the file, a round
/// trip that changes the text. It stops the run like a crash, so libFuzzer saves the input.
enum Finding {
    /// DDK_FUZZ_VERBOSE=1 prints every error a parser throws (to see what a seed reaches).
    private static let verbose = ProcessInfo.processInfo.environment["DDK_FUZZ_VERBOSE"] == "1"

    static func report(_ message: String) -> Never {
        fatalError("ddk-fuzz finding: \(message)")
    }

    /// Runs `parse`. Throwing is the expected outcome for most inputs, but the error must
    /// say which file is at fault: its description must contain `path`.
    @discardableResult
    static func expectingErrors<Result>(naming path: String, _ parse: () throws -> Result) -> Result? {
        do {
            return try parse()
        } catch {
            let description = "\(error)"
            if verbose { FileHandle.standardError.write(Data("refused: \(description)\n".utf8)) }
            if !description.contains(path) { report("an error that does not name \(path): \(description)") }
            return nil
        }
    }
}
