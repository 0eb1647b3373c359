/// One line of a chart's legend: a colour swatch and the series' name.
public struct LegendEntry: Equatable, Sendable {
    public enum Swatch: Equatable, Sendable { case line, block }

    public var name: String
    public var color: String
    public var swatch: Swatch

    public init(name: String, color: String, swatch: Swatch) {
        self.name = name
        self.color = color
        self.swatch = swatch
    }
}
