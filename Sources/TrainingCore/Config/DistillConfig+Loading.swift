import DataPipeline
import Foundation
import TOMLKit

extension DistillConfig {
    /// Reads a TOML config, applies `section.key=value` overrides, and checks every value.
    ///
    /// An override's value is read as a TOML value (`training.steps=200`,
    /// `ddk.static_weights=[1,2,3]`, `objective.name="kd"`); a bare word that is not valid
    /// TOML is taken as a string (`objective.name=kd`).
    public static func load(path: String, overrides: [String] = []) throws -> DistillConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError.unreadable(path: path)
        }
        return try parse(text, source: path, overrides: overrides)
    }

    /// Parses TOML text (`source` names it in errors).
    public static func parse(_ text: String, source: String, overrides: [String] = []) throws -> DistillConfig {
        let table: TOMLTable
        do {
            table = try TOMLText.parse(text)
        } catch let error as TOMLSyntaxError {
            throw ConfigError.syntax(path: source, line: error.line, message: error.message)
        }
        for override in overrides {
            try apply(override: override, to: table)
        }
        // Decoding goes through JSON: JSONDecoder accepts `1` where a Double is expected
        // (TOMLKit's decoder does not), which is what people write in a config.
        let json = Data(table.convert(to: .json).utf8)
        let config: DistillConfig
        do {
            config = try JSONDecoder().decode(DistillConfig.self, from: json)
        } catch let error as DecodingError {
            throw ConfigError.decoding(path: source, detail: Self.describe(error))
        }
        // A key the config does not know is refused: every key given must reappear when the
        // decoded config is encoded again.
        let given = try JSONSerialization.jsonObject(with: json)
        let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
        if let unknown = Self.firstUnknownKey(given: given, known: known) {
            throw ConfigError.unknownKey(path: source, key: unknown)
        }
        try config.validate(source: source)
        return config
    }

    /// The config as TOML text (the run folder keeps a copy of the resolved config).
    public func tomlText() throws -> String {
        try TOMLEncoder().encode(self)
    }

    private static func firstUnknownKey(given: Any, known: Any, prefix: String = "") -> String? {
        guard let given = given as? [String: Any] else { return nil }
        let known = known as? [String: Any] ?? [:]
        for key in given.keys.sorted() {
            let path = prefix.isEmpty ? key : prefix + "." + key
            guard let knownValue = known[key] else { return path }
            if let unknown = firstUnknownKey(given: given[key]!, known: knownValue, prefix: path) { return unknown }
        }
        return nil
    }

    private static func apply(override: String, to table: TOMLTable) throws {
        guard let equals = override.firstIndex(of: "=") else { throw ConfigError.badOverride(override) }
        let keyPath = override[..<equals].split(separator: ".").map(String.init)
        let valueText = String(override[override.index(after: equals)...])
        guard !keyPath.isEmpty, keyPath.allSatisfy({ !$0.isEmpty }) else { throw ConfigError.badOverride(override) }

        var section = table
        for name in keyPath.dropLast() {
            if let existing = section[name]?.table {
                section = existing
            } else {
                let created = TOMLTable()
                section[name] = created
                guard let inserted = section[name]?.table else { throw ConfigError.badOverride(override) }
                section = inserted
            }
        }
        let value: TOMLValueConvertible
        if let parsed = (try? TOMLText.parse("v = \(valueText)"))?["v"] {
            value = parsed
        } else {
            value = valueText
        }
        section[keyPath[keyPath.count - 1]] = value
    }

    /// One line for a decoding error: the key path and what is wrong (also used for other TOML files).
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing key \(parent.isEmpty ? "" : parent + ".")\(key.stringValue)"
        case .typeMismatch(let type, let context):
            return "\(path(context)) should be \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is missing a value of type \(type)"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A config that cannot be used, explained in one line naming the file and the key.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case syntax(path: String, line: Int, message: String)
    case unknownKey(path: String, key: String)
    case decoding(path: String, detail: String)
    case badOverride(String)
    case invalid(path: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            return "cannot read config \(path): check the path"
        case .syntax(let path, let line, let message):
            return "\(path):\(line): TOML syntax error: \(message)"
        case .unknownKey(let path, let key):
            return "\(path): unknown key \(key) (a typo? see the README's Configuration section)"
        case .decoding(let path, let detail):
            return "\(path): \(detail)"
        case .badOverride(let text):
            return "override \"\(text)\" is not of the form section.key=value"
        case .invalid(let path, let key, let reason):
            return "\(path): \(key) \(reason)"
        }
    }
}
