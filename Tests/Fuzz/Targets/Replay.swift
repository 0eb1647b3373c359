#if !DDK_FUZZING
import Foundation

/// The ordinary build's `ddk-fuzz`: runs saved inputs through a target without sanitizers,
/// which is how CI replays the seeds and every regression input.
///
///     ddk-fuzz TARGET FILE_OR_FOLDER...   each file (folders: every file below) through TARGET
///     ddk-fuzz --list                      the targets
///     ddk-fuzz --write-seeds FOLDER        the seeds made by the real writers (SeedWriter)
@main
enum Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "--list":
            for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
        case "--write-seeds" where arguments.count == 2:
            do { try SeedWriter.writeAll(to: arguments[1]) } catch { fail("cannot write the seeds: \(error)") }
        case let name? where arguments.count >= 2:
            guard let target = FuzzTarget.named(name) else { fail("unknown target '\(name)'; see ddk-fuzz --list") }
            replay(target, arguments.dropFirst())
        default:
            fail("usage: ddk-fuzz TARGET FILE_OR_FOLDER... | --list | --write-seeds FOLDER")
        }
    }

    private static func replay(_ target: FuzzTarget, _ paths: ArraySlice<String>) {
        let files = paths.flatMap(filesBelow)
        guard !files.isEmpty else { fail("no input files in \(paths.joined(separator: " "))") }
        FuzzTarget.prepare(target)
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
            ReplayCrashNote.naming(file) {
                data.withUnsafeBytes { target.run($0) }
            }
        }
        print("ddk-fuzz \(target.name): \(files.count) inputs, no crash")
    }

    /// `path` itself, or every regular file below it (sorted), hidden ones skipped.
    private static func filesBelow(_ path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { fail("\(path) does not exist") }
        guard isFolder.boolValue else { return [path] }
        let enumerator = FileManager.default.enumerator(atPath: path)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            let full = (path as NSString).appendingPathComponent(relative)
            var isSubfolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isSubfolder), !isSubfolder.boolValue { files.append(full) }
        }
        return files.sorted()
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("ddk-fuzz: \(message)\n".utf8))
        exit(2)
    }
}
#endif
