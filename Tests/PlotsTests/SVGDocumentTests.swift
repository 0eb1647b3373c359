import XCTest
import Plots

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
        var document = SVGDocument(width: 10, height: 10)
        document.text("a\u{01}b\u{1B}c\u{07}", at: Point(x: 0, y: 0))
        XCTAssertTrue(document.rendered().contains(">a\u{FFFD}b\u{FFFD}c\u{FFFD}</text>"))
        XCTAssertEqual(ParsedSVG(document.rendered()).texts, ["a\u{FFFD}b\u{FFFD}c\u{FFFD}"])
    }

    func testCoordinatesHaveAtMostTwoDecimals() {
        var document = SVGDocument(width: 10, height: 10)
        document.polyline([Point(x: 12, y: 12.5), Point(x: -0.254, y: 1.0 / 3), Point(x: .nan, y: 7.10)], stroke: "red")
        XCTAssertTrue(document.rendered().contains("points=\"12,12.5 -0.25,0.33 0,7.1\""), document.rendered())
    }

    func testWriteCreatesTheFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sub/chart.svg").path
        try SVGDocument(width: 1, height: 1).write(to: path)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("<?xml"))
    }
}
