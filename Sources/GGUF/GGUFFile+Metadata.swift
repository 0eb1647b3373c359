/// Typed access to metadata, throwing an error naming the file and key when the entry is
/// missing or of another type.
extension GGUFFile {
    /// The value stored under `key`.
    public func value(_ key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw GGUFError.missingKey(path: path, key: key) }
        return value
    }

    /// The string stored under `key`.
    public func string(_ key: String) throws -> String {
        let value = try value(key)
        guard let string = value.string else { throw wrongType(key, "a string", value) }
        return string
    }

    /// The integer (of any integer type) stored under `key`.
    public func integer(_ key: String) throws -> Int {
        let value = try value(key)
        guard let integer = value.integer else { throw wrongType(key, "an integer", value) }
        return integer
    }

    /// The number (float or integer) stored under `key`.
    public func number(_ key: String) throws -> Double {
        let value = try value(key)
        guard let number = value.double else { throw wrongType(key, "a number", value) }
        return number
    }

    /// The array of strings stored under `key`.
    public func stringArray(_ key: String) throws -> [String] {
        let value = try value(key)
        guard case let .array(.string, values) = value else { throw wrongType(key, "an array of strings", value) }
        return values.map { $0.string! }
    }

    /// The array of integers stored under `key`.
    public func integerArray(_ key: String) throws -> [Int] {
        let value = try value(key)
        guard let values = value.array else { throw wrongType(key, "an array of integers", value) }
        return try values.map {
            guard let integer = $0.integer else { throw wrongType(key, "an array of integers", value) }
            return integer
        }
    }

    /// The integer stored under `key`, or nil when the key is absent (still throws when it
    /// is present with another type).
    public func optionalInteger(_ key: String) throws -> Int? {
        metadata[key] == nil ? nil : try integer(key)
    }

    /// `general.architecture`, e.g. "llama".
    public var architecture: String? { metadata["general.architecture"]?.string }

    private func wrongType(_ key: String, _ expected: String, _ value: GGUFValue) -> GGUFError {
        .wrongValueType(path: path, key: key, expected: expected, found: value.typeName)
    }
}
