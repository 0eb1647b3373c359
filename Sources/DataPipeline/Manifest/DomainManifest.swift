import Foundation
import TOMLKit

/// The list of domains the pipeline reads: the file users write to bring their
/// own data. TOML (comments allowed; see launch/configs/domains.example.toml):
///
///     version = 1                      # manifest format version (optional, 1)
///
///     [[domain]]
///     name = "legal"                   # required; letters, digits, '.', '_', '-'
///     paths = ["legal", "extra/x.txt"] # required; folders (walked recursively,
///                                      # hidden files skipped) or files, relative
///                                      # to the manifest's folder
///     text_field = "text"              # optional; the JSONL field holding the text
///
/// A file ending in `.jsonl` holds one document per line (a JSON object with a
/// string `text_field`); every other file is one UTF-8 plain-text document.
/// Domains keep the manifest's order; that order is the domain index everywhere.
public struct DomainManifest: Sendable, Equatable {
    /// One domain of the manifest.
    public struct Domain: Sendable, Equatable {
        /// The domain's name (also its folder name under the shard directory).
        public var name: String
        /// Absolute paths of its folders and files.
        public var paths: [String]
        /// The JSONL field holding a document's text.
        public var textField: String

        /// A domain reading `paths`.
        public init(name: String, paths: [String], textField: String = "text") {
            self.name = name
            self.paths = paths
            self.textField = textField
        }
    }

    /// The manifest format version this build reads.
    public static let formatVersion = 1

    /// Path of the manifest file (or a description of its origin).
    public var path: String
    /// The domains, in manifest order.
    public var domains: [Domain]

    /// A manifest built in code.
    public init(path: String, domains: [Domain]) {
        self.path = path
        self.domains = domains
    }

    /// Reads and checks the manifest at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(path: path, problem: FileManager.default.fileExists(atPath: path)
                                ? "cannot read the manifest" : "manifest file does not exist")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(path: path, problem: "manifest is not UTF-8 text")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try self.init(toml: text, path: path, baseDirectory: base)
    }

    /// Parses manifest text; relative paths are resolved against `baseDirectory`.
    public init(toml text: String, path: String, baseDirectory: String) throws {
        let table: TOMLTable
        do {
            table = try TOMLText.parse(text)
        } catch let error as TOMLSyntaxError {
            throw ManifestError(path: path, problem: error.description)
        }
        for key in table.keys where !["version", "domain"].contains(key) {
            throw ManifestError(path: path, problem: "unknown top-level key '\(key)' (allowed: version, [[domain]])")
        }
        if let version = table["version"] {
            guard let number = version.int else {
                throw ManifestError(path: path, problem: "'version' must be an integer")
            }
            guard number == DomainManifest.formatVersion else {
                throw ManifestError(path: path, problem: "manifest version \(number) is not supported (this build reads version \(DomainManifest.formatVersion))")
            }
        }
        guard let domainArray = table["domain"]?.array else {
            throw ManifestError(path: path, problem: table["domain"] == nil
                                ? "no domains: add at least one [[domain]] table with name and paths"
                                : "'domain' must be an array of tables ([[domain]])")
        }
        var domains: [Domain] = []
        for (index, element) in domainArray.enumerated() {
            let position = "domain #\(index + 1)"
            guard let entry = element.table else {
                throw ManifestError(path: path, problem: "\(position) is not a table; write it as [[domain]]")
            }
            let label = entry["name"]?.string.map { "domain '\($0)'" } ?? position
            for key in entry.keys where !["name", "paths", "text_field"].contains(key) {
                throw ManifestError(path: path, problem: "\(label): unknown key '\(key)' (allowed: name, paths, text_field)")
            }
            guard let nameValue = entry["name"] else {
                throw ManifestError(path: path, problem: "\(position): missing key 'name'")
            }
            guard let name = nameValue.string, !name.isEmpty,
                  name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }),
                  name.first != "." else {
                throw ManifestError(path: path, problem: "\(position): 'name' must be a non-empty string of letters, digits, '.', '_' or '-'")
            }
            guard !domains.contains(where: { $0.name == name }) else {
                throw ManifestError(path: path, problem: "domain '\(name)' appears twice")
            }
            guard let pathsValue = entry["paths"] else {
                throw ManifestError(path: path, problem: "domain '\(name)': missing key 'paths'")
            }
            guard let pathArray = pathsValue.array, !pathArray.isEmpty else {
                throw ManifestError(path: path, problem: "domain '\(name)': 'paths' must be a non-empty array of strings")
            }
            var paths: [String] = []
            for item in pathArray {
                guard let relative = item.string, !relative.isEmpty else {
                    throw ManifestError(path: path, problem: "domain '\(name)': 'paths' must be a non-empty array of strings")
                }
                paths.append(relative.hasPrefix("/") ? relative : URL(fileURLWithPath: baseDirectory).appendingPathComponent(relative).standardizedFileURL.path)
            }
            var textField = "text"
            if let field = entry["text_field"] {
                guard let value = field.string, !value.isEmpty else {
                    throw ManifestError(path: path, problem: "domain '\(name)': 'text_field' must be a non-empty string")
                }
                textField = value
            }
            domains.append(Domain(name: name, paths: paths, textField: textField))
        }
        guard !domains.isEmpty else {
            throw ManifestError(path: path, problem: "no domains: add at least one [[domain]] table with name and paths")
        }
        self.init(path: path, domains: domains)
    }
}
