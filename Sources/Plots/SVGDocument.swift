import Foundation

/// A standalone SVG 1.1 document built element by element: shapes and text in pixel
/// coordinates (origin top left, y down), every attribute value and text escaped.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    /// The rendered elements, in paint order (later ones on top).
    public private(set) var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Where text is anchored relative to its x.
    public enum TextAnchor: String, Sendable { case start, middle, end }

    public mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                                   stroke: String? = nil, opacity: Double = 1) {
        var attributes = [("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(width)),
                          ("height", Self.number(height)), ("fill", fill)]
        if let stroke { attributes.append(("stroke", stroke)) }
        if opacity < 1 { attributes.append(("fill-opacity", Self.number(opacity))) }
        append("rect", attributes)
    }

    public mutating func line(from start: Point, to end: Point, stroke: String, width: Double = 1,
                              dashed: Bool = false) {
        var attributes = [("x1", Self.number(start.x)), ("y1", Self.number(start.y)),
                          ("x2", Self.number(end.x)), ("y2", Self.number(end.y)),
                          ("stroke", stroke), ("stroke-width", Self.number(width))]
        if dashed { attributes.append(("stroke-dasharray", "4 3")) }
        append("line", attributes)
    }

    public mutating func polyline(_ points: [Point], stroke: String, width: Double = 2) {
        append("polyline", [("points", Self.pointList(points)), ("fill", "none"), ("stroke", stroke),
                            ("stroke-width", Self.number(width)), ("stroke-linejoin", "round")])
    }

    public mutating func polygon(_ points: [Point], fill: String, opacity: Double = 1) {
        var attributes = [("points", Self.pointList(points)), ("fill", fill)]
        if opacity < 1 { attributes.append(("fill-opacity", Self.number(opacity))) }
        append("polygon", attributes)
    }

    public mutating func circle(center: Point, radius: Double, fill: String) {
        append("circle", [("cx", Self.number(center.x)), ("cy", Self.number(center.y)),
                          ("r", Self.number(radius)), ("fill", fill)])
    }

    /// Text at `position` (its baseline), optionally rotated about that point by `rotation` degrees.
    public mutating func text(_ content: String, at position: Point, size: Double = 13,
                              anchor: TextAnchor = .start, bold: Bool = false, rotation: Double = 0) {
        var attributes = [("x", Self.number(position.x)), ("y", Self.number(position.y)),
                          ("font-size", Self.number(size)), ("text-anchor", anchor.rawValue)]
        if bold { attributes.append(("font-weight", "bold")) }
        if rotation != 0 {
            attributes.append(("transform", "rotate(\(Self.number(rotation)) \(Self.number(position.x)) "
                                             + "\(Self.number(position.y)))"))
        }
        append("text", attributes, content: content)
    }

    /// The whole document as text.
    public func rendered() -> String {
        let header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(Self.number(width))" \
        height="\(Self.number(height))" viewBox="0 0 \(Self.number(width)) \(Self.number(height))" \
        font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="100%" height="100%" fill="white"/>

        """
        return header + elements.joined(separator: "\n") + "\n</svg>\n"
    }

    /// Writes the document to `path` (atomically), creating its folder when missing.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(rendered().utf8).write(to: url, options: .atomic)
    }

    private mutating func append(_ name: String, _ attributes: [(String, String)], content: String? = nil) {
        let attributeText = attributes.map { " \($0.0)=\"\($0.1.xmlEscaped)\"" }.joined()
        if let content {
            elements.append("<\(name)\(attributeText)>\(content.xmlEscaped)</\(name)>")
        } else {
            elements.append("<\(name)\(attributeText)/>")
        }
    }

    /// A coordinate with at most two decimals and no trailing zeros ("12.5", "3", "-0.25").
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    private static func pointList(_ points: [Point]) -> String {
        points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
    }
}
