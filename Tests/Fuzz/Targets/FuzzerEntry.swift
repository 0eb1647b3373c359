#if DDK_FUZZING
import Foundation

// Built with -D DDK_FUZZING and -sanitize=fuzzer,address (Tests/Fuzz/fuzz.sh). SwiftPM links
// an executable's `main` to the module's own entry point, so libFuzzer's `main` cannot be
// used: this `main` picks the target named by DDK_FUZZ_TARGET, does the target's one-time
// work, and hands the command line to libFuzzer's driver (`--list` lists the targets).

/// libFuzzer's entry for programs with their own `main` (compiler-rt, FuzzerInterface).
@_extern(c, "LLVMFuzzerRunDriver")
private func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                             _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target of this run, set once before libFuzzer starts.
nonisolated(unsafe) private var selectedTarget: FuzzTarget!

@main
enum FuzzerMain {
    static func main() {
        if CommandLine.arguments.dropFirst().first == "--list" {
            for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
            return
        }
        let name = ProcessInfo.processInfo.environment["DDK_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget.named(name) else {
            let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data("ddk-fuzz: set DDK_FUZZ_TARGET to one of \(names) (got '\(name)')\n".utf8))
            exit(2)
        }
        FuzzTarget.prepare(target)
        selectedTarget = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzerTestOneInput))
    }
}

/// One input for the selected target (also the symbol libFuzzer's own `main` names).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#endif
