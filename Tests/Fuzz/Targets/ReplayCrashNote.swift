#if !DDK_FUZZING
import Foundation

/// Names the input being replayed when it crashes the process: a replay has no libFuzzer to
/// save the input, so a signal handler writes the file's path to stderr, then hands the signal
/// to the handler it replaced (the Swift runtime's backtracer, or the default action). The
/// handler only calls async-signal-safe functions.
enum ReplayCrashNote {
    /// The file being replayed, as a C string (read by the handler).
    nonisolated(unsafe) private static var current: UnsafeMutablePointer<CChar>?
    /// The handlers replaced, by signal number.
    nonisolated(unsafe) private static let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    private static let handlersInstalled: Void = {
        for signalNumber in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] { installHandler(for: signalNumber) }
    }()

    static func naming(_ file: String, _ body: () -> Void) {
        _ = handlersInstalled
        current = strdup(file)
        body()
        free(current)
        current = nil
    }

    private static func installHandler(for signalNumber: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signalNumber in
            if let file = ReplayCrashNote.current {
                let prefix: StaticString = "ddk-fuzz: crashed on "
                _ = write(2, prefix.utf8Start, prefix.utf8CodeUnitCount)
                _ = write(2, file, strlen(file))
                _ = write(2, "\n", 1)
            }
            sigaction(signalNumber, ReplayCrashNote.previousActions + Int(signalNumber), nil)
            raise(signalNumber)
        }
        sigaction(signalNumber, &action, previousActions + Int(signalNumber))
    }
}
#endif
