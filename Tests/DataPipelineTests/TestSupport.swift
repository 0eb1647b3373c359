import DataPipeline
import Foundation
import XCTest

/// A byte-level test encoder: id = byte + offset, EOS = 0. Like the teacher's
/// tokenizer it refuses the control byte 0x04.
struct ByteEncoder: TextEncoder {
    var vocabularySize = 300
    var offset: Int32 = 1
    var identity = "test-bytes-v1"
    var eosTokenID: Int32? = 0

    struct Unencodable: Error, CustomStringConvertible {
        let position: Int
        var description: String { "byte 0x04 at position \(position) has no token" }
    }

    func encode(_ text: String) throws -> [Int32] {
        try text.utf8.enumerated().map { position, byte in
            if byte == 0x04 { throw Unencodable(position: position) }
            return Int32(byte) + offset
        }
    }

    func decode(_ ids: [Int32]) -> String {
        String(decoding: ids.map { UInt8($0 - offset) }, as: UTF8.self)
    }
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "ddk-data-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Files in `folder` whose name contains `fragment` (to find leftovers).
func files(in folder: String, containing fragment: String) -> [String] {
    let all = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? []
    return all.filter { $0.contains(fragment) }
}

/// Asserts that `body` throws an error whose description contains every fragment.
func assertThrows<T>(_ body: @autoclosure () throws -> T, containing fragments: [String],
                     file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an error containing \(fragments)", file: file, line: line)
    } catch {
        let text = "\(error)"
        XCTAssertFalse(text.contains("\n"), "error must be one line: \(text)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "error '\(text)' does not contain '\(fragment)'", file: file, line: line)
        }
    }
}

/// A small corpus of `domains` domains with `documents` documents each, and its manifest.
func makeCorpus(_ folder: String, domains: [String] = ["alpha", "beta"], documents: Int = 40,
                wordsPerDocument: Int = 60) throws -> String {
    var manifest = "version = 1\n"
    for (index, domain) in domains.enumerated() {
        for document in 0..<documents {
            let words = (0..<wordsPerDocument).map { "\(domain)\(index)w\((document * 7 + $0) % 23)" }
            try write("doc \(document) of \(domain): " + words.joined(separator: " ") + "\n",
                      to: "\(folder)/corpus/\(domain)/d\(String(format: "%03d", document)).txt")
        }
        manifest += "\n[[domain]]\nname = \"\(domain)\"\npaths = [\"\(domain)\"]\n"
    }
    let path = "\(folder)/corpus/domains.toml"
    try write(manifest, to: path)
    return path
}
