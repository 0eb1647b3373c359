/// Finds the three malformed constructs toml++ 3.4.0 cannot refuse itself (see `TOMLText`):
/// a table header (`[name]`, `[[name]]` at the start of a statement) whose name starts with a
/// character no key can start with, a `}` where an array value should start (`[}`,
/// `[1, }`), and a value of 10 characters followed by a space and a one-digit time
/// (`1979-05-27 9`, which toml++ tries as a date and time; an hour needs two digits). It follows just enough of TOML to know where statements and values start:
/// strings (one-line and multi-line, basic and literal), comments, and the brackets and
/// braces of values, which may span lines. Valid TOML is never refused.
enum TOMLPreconditionScanner {
    struct Problem: Equatable {
        let line: Int, column: Int, message: String
    }

    static func firstProblem(in text: String) -> Problem? {
        let bytes = Array(text.utf8)
        // toml++ skips a UTF-8 byte-order mark before the first statement; so does the scan.
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = start, line = 1, lineStart = start, statementStart = true
        var open: [UInt8] = []  // the value brackets and braces open here
        var expectingArrayValue = false
        var expectingValue = false  // after `=`
        func problem(_ message: String) -> Problem {
            let column = bytes[lineStart...index].filter { $0 & 0xC0 != 0x80 }.count  // characters, not bytes
            return Problem(line: line, column: column, message: message)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if statementStart && byte == UInt8(ascii: "[") {
                if !startsValidName(bytes, after: index) {
                    return problem("a table name must start with a letter, digit, '_', '-' or a quote")
                }
                statementStart = false
                index = endOfLine(bytes, from: index)  // the header's own brackets are not value brackets
                continue
            }
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = index + 1
                statementStart = open.isEmpty
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "#"):
                index = endOfLine(bytes, from: index)
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let end = endOfString(bytes, from: index)
                for position in index..<end where bytes[position] == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = position + 1
                }
                statementStart = false
                expectingArrayValue = false
                index = end
                continue
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                open.append(byte)
                expectingArrayValue = byte == UInt8(ascii: "[")
                statementStart = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if expectingArrayValue && byte == UInt8(ascii: "}") { return problem("'}' where an array value should start") }
                _ = open.popLast()
                expectingArrayValue = false
                statementStart = false
            case UInt8(ascii: ","):
                expectingArrayValue = open.last == UInt8(ascii: "[")
            case UInt8(ascii: "="):
                expectingValue = true
                statementStart = false
            default:
                if (expectingValue || expectingArrayValue) && isDateWithOneDigitTime(bytes, at: index) {
                    return problem("a date and time needs a two-digit hour after the space")
                }
                expectingValue = false
                expectingArrayValue = false
                statementStart = false
            }
            index += 1
        }
        return nil
    }
    /// Whether the value at `start` begins with a digit, has 10 characters ('_' not counted,
    /// as toml++ counts) before a space, and then one digit and no other: toml++ tries such a
    /// value as a date and a time, and asserts on the one-digit hour. It is never valid TOML.
    private static func isDateWithOneDigitTime(_ bytes: [UInt8], at start: Int) -> Bool {
        var scalars = String(decoding: bytes[start..<min(start + 256, bytes.count)], as: UTF8.self).unicodeScalars.makeIterator()
        func isDigit(_ scalar: Unicode.Scalar?) -> Bool { scalar.map { ("0"..."9").contains($0) } ?? false }
        var counted = 0, first = true
        while let scalar = scalars.next() {
            if first && !isDigit(scalar) { return false }
            first = false
            if scalar.properties.isWhitespace || "]},#".unicodeScalars.contains(scalar) {
                guard counted == 10, scalar == " ", isDigit(scalars.next()) else { return false }
                return !isDigit(scalars.next())
            }
            if scalar != "_" { counted += 1 }
            if counted > 10 { return false }
        }
        return false
    }

    /// Whether the header opening at `start` (`[` or `[[`, then spaces or tabs) goes on with a
    /// bare-key character, a quote, `]` or the end of the text: all toml++ handles itself.
    private static func startsValidName(_ bytes: [UInt8], after start: Int) -> Bool {
        var index = start + 1
        if index < bytes.count && bytes[index] == UInt8(ascii: "[") { index += 1 }
        while index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) { index += 1 }
        guard index < bytes.count else { return true }
        let byte = bytes[index]
        return (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]")].contains(byte)
    }

    /// The index of the newline ending the line that holds `index` (or the end of the text).
    private static func endOfLine(_ bytes: [UInt8], from index: Int) -> Int {
        var end = index
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return end
    }

    /// The index just past the string opening at `start`: `"..."` and `"""..."""` with
    /// backslash escapes, `'...'` and `'''...'''` without. A one-line string ends at the end of
    /// its line if it is not closed before (toml++ reports it).
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int {
        let quote = bytes[start]
        let isMultiline = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        let escapes = quote == UInt8(ascii: "\"")
        var index = start + (isMultiline ? 3 : 1)
        while index < bytes.count {
            let byte = bytes[index]
            if escapes && byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if !isMultiline && byte == UInt8(ascii: "\n") { return index }
            if byte == quote {
                if !isMultiline { return index + 1 }
                if index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                    var end = index + 3
                    while end < bytes.count && bytes[end] == quote && end < index + 5 { end += 1 }  // up to 2 quotes inside
                    return end
                }
            }
            index += 1
        }
        return bytes.count
    }
}
