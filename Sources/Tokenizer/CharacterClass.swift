/// The classes of Unicode scalars the pre-tokenizer distinguishes.
///
/// letter = \p{L} (general categories Lu, Ll, Lt, Lm, Lo), number = \p{N} (Nd, Nl, No),
/// whitespace = \s (the Unicode White_Space property), other = everything else, including
/// bytes that are not valid UTF-8.
enum CharacterClass: UInt8 {
    case other = 0, letter = 1, number = 2, whitespace = 3

    /// Classifies one scalar from its Unicode properties (slow; use `CharacterClassTable`).
    static func classify(_ value: UInt32) -> CharacterClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        if scalar.properties.isWhitespace { return .whitespace }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

/// The class of every scalar of the Basic Multilingual Plane, computed once per process;
/// scalars above U+FFFF are classified on the fly.
final class CharacterClassTable: Sendable {
    static let shared = CharacterClassTable()

    /// Classes of U+0000…U+FFFF (raw values of `CharacterClass`).
    let basicPlane: [UInt8]

    private init() {
        basicPlane = (0..<0x10000).map { CharacterClass.classify(UInt32($0)).rawValue }
    }
}
