import XCTest
@testable import Plots

final class SVGDocumentTests: XCTestCase {
    func testEveryElementKindMakesWellFormedSVG() {
        var document = SVGDocument(width: 200, height: 100)
        document.rectangle(x: 1, y: 2, width: 3, height: 4, fill: "#4e79a7", stroke: "black", opacity: 0.5)
        document.line(from: Point(x: 0, y: 0), to: Point(x: 10, y: 10), stroke: "red", dashed: true)
        document.polyline([Point(x: 0, y: 0), Point(x: 5, y: 5)], stroke: "blue")
        document.polygon([Point(x: 0, y: 0), Point(x: 5, y: 0), Point(x: 5, y: 5)], fill: "green", opacity: 0.9)
        document.circle(center: Point(x: 3, y: 3), radius: 2, fill: "orange")
        document.text("rotated", at: Point(x: 20, y: 50), anchor: .middle, bold: true, rotation: -90)
        let svg = ParsedSVG(document.rendered())
        XCTAssertEqual(svg.elements.first?.name, "svg")
        XCTAssertEqual(svg.elements.first?.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertEqual(svg.elements.map(\.name), ["svg", "rect", "rect", "line", "polyline", "polygon", "circle", "text"])
        XCTAssertEqual(svg.all("text").first?.attributes["transform"], "rotate(-90 20 50)")
    }

    func testTextAndAttributesAreEscaped() {
        let hostile = "a<b & \"c\" 'd' > </text><script>"
        var document = SVGDocument(width: 10, height: 10)
        document.text(hostile, at: Point(x: 0, y: 0))
        document.rectangle(x: 0, y: 0, width: 1, height: 1, fill: "\"><bad attr=\"")
        let rendered = document.rendered()
        XCTAssertFalse(rendered.contains("<script>"))
        let svg = ParsedSVG(rendered)
        XCTAssertEqual(svg.texts, [hostile])
        XCTAssertEqual(svg.all("rect").last?.attributes["fill"], "\"><bad attr=\"")
    }

    func testControlCharactersXMLForbidsAreReplaced() {
        XCTAssertEqual("a\u{01}b\u{1B}c\td\n".xmlEscaped, "a\u{FFFD}b\u{FFFD}c\td\n")
        var document = SVGDocument(width: 10, height: 10)
        document.text("bell\u{07}", at: Point(x: 0, y: 0))
        XCTAssertEqual(ParsedSVG(document.rendered()).texts, ["bell\u{FFFD}"])
    }

    func testCoordinatesHaveAtMostTwoDecimals() {
        XCTAssertEqual(SVGDocument.number(12), "12")
        XCTAssertEqual(SVGDocument.number(12.5), "12.5")
        XCTAssertEqual(SVGDocument.number(-0.254), "-0.25")
        XCTAssertEqual(SVGDocument.number(1.0 / 3), "0.33")
        XCTAssertEqual(SVGDocument.number(.nan), "0")
    }

    func testWriteCreatesTheFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sub/chart.svg").path
        try SVGDocument(width: 1, height: 1).write(to: path)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("<?xml"))
    }
}
