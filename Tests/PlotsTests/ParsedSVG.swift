import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// An SVG document read back with Foundation's XML parser: fails the test when the text
/// is not well-formed XML, and exposes the elements for checks of what was drawn.
struct ParsedSVG {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String

        func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }

        /// A polyline's or polygon's `points`, as pairs.
        var points: [(x: Double, y: Double)] {
            (attributes["points"] ?? "").split(separator: " ").compactMap { pair in
                let parts = pair.split(separator: ",").compactMap { Double($0) }
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
        }
    }

    var elements: [Element] = []

    init(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        let parsed = parser.parse()
        XCTAssertTrue(parsed, "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        elements = collector.elements
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
    var texts: [String] { all("text").map(\.text) }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }
}
