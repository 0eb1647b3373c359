import DataPipeline
import Foundation
import XCTest

final class ManifestTests: XCTestCase {
    func parse(_ text: String) throws -> DomainManifest {
        try DomainManifest(toml: text, path: "m.toml", baseDirectory: "/data/corpus")
    }

    func testValidManifestKeepsOrderAndResolvesPaths() throws {
        let manifest = try parse("""
        # comment
        version = 1
        [[domain]]
        name = "zeta"
        paths = ["zeta", "/abs/extra.jsonl"]
        text_field = "body"

        [[domain]]
        name = "alpha"
        paths = ["sub/../alpha"]
        """)
        XCTAssertEqual(manifest.domains.map(\.name), ["zeta", "alpha"])
        XCTAssertEqual(manifest.domains[0].paths, ["/data/corpus/zeta", "/abs/extra.jsonl"])
        XCTAssertEqual(manifest.domains[0].textField, "body")
        XCTAssertEqual(manifest.domains[1].paths, ["/data/corpus/alpha"])
        XCTAssertEqual(manifest.domains[1].textField, "text")
    }

    func testUnknownDomainKeyIsNamed() {
        assertThrows(try parse("[[domain]]\nname = \"legal\"\npath = [\"x\"]\n"),
                     containing: ["m.toml", "domain 'legal'", "unknown key 'path'"])
    }

    func testUnknownTopLevelKeyIsNamed() {
        assertThrows(try parse("versoin = 1\n[[domain]]\nname = \"a\"\npaths = [\"a\"]\n"),
                     containing: ["m.toml", "'versoin'"])
    }

    func testMissingFieldsAreNamed() {
        assertThrows(try parse("[[domain]]\nname = \"legal\"\n"), containing: ["domain 'legal'", "missing key 'paths'"])
        assertThrows(try parse("[[domain]]\npaths = [\"x\"]\n"), containing: ["domain #1", "missing key 'name'"])
        assertThrows(try parse("version = 1\n"), containing: ["m.toml", "no domains"])
    }

    func testSyntaxErrorNamesTheLine() {
        assertThrows(try parse("version = 1\n\n[[domain]]\nname = \"a\npaths = [\"a\"]\n"), containing: ["m.toml", "line 4"])
    }

    func testBadValuesAreRefused() {
        assertThrows(try parse("[[domain]]\nname = \"a b\"\npaths = [\"a\"]\n"), containing: ["'name'"])
        assertThrows(try parse("[[domain]]\nname = \"a\"\npaths = []\n"), containing: ["domain 'a'", "'paths'"])
        assertThrows(try parse("[[domain]]\nname = \"a\"\npaths = \"a\"\n"), containing: ["domain 'a'", "'paths'"])
        assertThrows(try parse("[[domain]]\nname = \"a\"\npaths = [\"a\"]\n[[domain]]\nname = \"a\"\npaths = [\"b\"]\n"),
                     containing: ["domain 'a' appears twice"])
        assertThrows(try parse("version = 2\n[[domain]]\nname = \"a\"\npaths = [\"a\"]\n"), containing: ["version 2"])
    }

    func testMissingManifestFileIsNamed() {
        assertThrows(try DomainManifest(contentsOf: "/nonexistent/domains.toml"), containing: ["/nonexistent/domains.toml", "does not exist"])
    }

    func testExampleManifestInLaunchConfigsParses() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = repository.appendingPathComponent("launch/configs/domains.example.toml").path
        let manifest = try DomainManifest(contentsOf: path)
        XCTAssertGreaterThanOrEqual(manifest.domains.count, 2)
    }
}
