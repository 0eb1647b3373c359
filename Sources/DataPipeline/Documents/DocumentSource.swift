import Foundation

/// A domain's input whose documents can not be read; names the domain and file.
public struct DocumentError: Error, CustomStringConvertible, Equatable {
    /// The domain being read.
    public let domain: String
    /// The file (and line, for JSONL) at fault, or the missing path.
    public let location: String
    /// What is wrong.
    public let problem: String

    public var description: String { "domain '\(domain)': \(location): \(problem)" }
}

/// The files of one manifest domain and how to read documents from them.
///
/// Plain files are one document each (UTF-8, read as is); `.jsonl` files hold
/// one document per non-empty line in the string field `textField`. Documents
/// that are empty or only whitespace are skipped.
public struct DocumentSource: Sendable {
    /// The domain described.
    public let domain: DomainManifest.Domain
    /// Every input file, in a stable order (paths in manifest order, folders sorted).
    public let files: [String]
    /// Total bytes of the input files (for progress).
    public let byteCount: Int

    /// Lists the files of `domain`; a missing path or a domain with no files is an error.
    public init(domain: DomainManifest.Domain) throws {
        self.domain = domain
        let fileManager = FileManager.default
        var files: [String] = []
        for path in domain.paths {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw DocumentError(domain: domain.name, location: path, problem: "no such file or folder (check the manifest's paths)")
            }
            if isDirectory.boolValue {
                guard let enumerator = fileManager.enumerator(atPath: path) else {
                    throw DocumentError(domain: domain.name, location: path, problem: "cannot list the folder")
                }
                var found: [String] = []
                while let relative = enumerator.nextObject() as? String {
                    let components = relative.split(separator: "/")
                    if components.contains(where: { $0.hasPrefix(".") }) { continue }
                    let full = (path as NSString).appendingPathComponent(relative)
                    var isFolder: ObjCBool = false
                    if fileManager.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
                        found.append(full)
                    }
                }
                files.append(contentsOf: found.sorted())
            } else {
                files.append(path)
            }
        }
        guard !files.isEmpty else {
            throw DocumentError(domain: domain.name, location: domain.paths.joined(separator: ", "), problem: "empty domain: no files found")
        }
        self.files = files
        self.byteCount = files.reduce(0) { total, file in
            total + ((try? fileManager.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }

    /// Calls `body` with every document's text, in order, its location (`file` or
    /// `file:line`) and the number of input bytes consumed so far. Throws on
    /// unreadable files, invalid UTF-8 or bad JSONL.
    /// With `upToBytes`, reading stops after the document at which that many input
    /// bytes have been consumed.
    public func forEachDocument(upToBytes limit: Int = Int.max,
                                _ body: (_ text: String, _ location: String, _ consumedBytes: Int) throws -> Void) throws {
        var consumed = 0
        for file in files where consumed < limit {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw DocumentError(domain: domain.name, location: file, problem: "cannot read the file")
            }
            if file.hasSuffix(".jsonl") {
                var lineNumber = 0
                var lineStart = data.startIndex
                while lineStart < data.endIndex, consumed + (lineStart - data.startIndex) < limit {
                    let lineEnd = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
                    lineNumber += 1
                    let line = data[lineStart..<lineEnd]
                    lineStart = lineEnd < data.endIndex ? data.index(after: lineEnd) : data.endIndex
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                    let object: Any
                    do {
                        object = try JSONSerialization.jsonObject(with: line)
                    } catch {
                        throw DocumentError(domain: domain.name, location: "\(file):\(lineNumber)", problem: "not a JSON object")
                    }
                    guard let record = object as? [String: Any] else {
                        throw DocumentError(domain: domain.name, location: "\(file):\(lineNumber)", problem: "not a JSON object")
                    }
                    guard let text = record[domain.textField] as? String else {
                        throw DocumentError(domain: domain.name, location: "\(file):\(lineNumber)",
                                            problem: "no string field '\(domain.textField)' (set text_field in the manifest)")
                    }
                    if !text.allSatisfy(\.isWhitespace) { try body(text, "\(file):\(lineNumber)", consumed + (lineStart - data.startIndex)) }
                }
            } else {
                guard let text = String(validating: data, as: UTF8.self) else {
                    throw DocumentError(domain: domain.name, location: file, problem: "not valid UTF-8 text")
                }
                if !text.allSatisfy(\.isWhitespace) { try body(text, file, consumed + data.count) }
            }
            consumed += data.count
        }
    }
}
