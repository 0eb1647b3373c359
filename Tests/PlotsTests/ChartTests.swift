import Foundation
import XCTest
import Plots

/// Charts of known data: known points land at known pixels. The frame's plot area is
/// x 84...750 and y 48...476 (960 × 540 canvas).
final class ChartTests: XCTestCase {
    func testLineChartPutsKnownPointsAtKnownPixels() {
        let chart = LineChart(title: "t", xTitle: "step", yTitle: "loss", series: [
            .init(name: "a", points: [Point(x: 0, y: 0), Point(x: 5, y: 5), Point(x: 10, y: 10)]),
        ])
        XCTAssertEqual(chart.xScale.ticks, [0, 2, 4, 6, 8, 10])
        let svg = ParsedSVG(chart.document().rendered())
        let line = svg.all("polyline")[0].points
        XCTAssertEqual(line.map(\.x), [84, 417, 750])
        XCTAssertEqual(line.map(\.y), [476, 262, 48])
        XCTAssertEqual(svg.all("circle").count, 3)
        XCTAssertTrue(svg.texts.contains("step") && svg.texts.contains("loss") && svg.texts.contains("a"))
    }

    func testLogarithmicLineChartPlacesDecadesEvenly() {
        let chart = LineChart(title: "ratios", xTitle: "step", yTitle: "ratio", series: [
            .init(name: "d", points: [Point(x: 0, y: 1000), Point(x: 10, y: 100), Point(x: 20, y: 1), Point(x: 30, y: -1)]),
        ], yKind: .logarithmic)
        XCTAssertEqual(chart.yScale.ticks, [1, 10, 100, 1000])
        let line = ParsedSVG(chart.document().rendered()).all("polyline")[0].points
        XCTAssertEqual(line.map(\.y), [48, 190.67, 476], "a decade is a third of the height; the point at -1 is left out")
    }

    func testStackedAreaBandsSitOnEachOther() {
        let chart = StackedAreaChart(title: "w", xTitle: "step", yTitle: "weight", x: [0, 10],
                                     layers: [.init(name: "low", values: [0.5, 0.25]),
                                              .init(name: "high", values: [0.5, 0.75])])
        XCTAssertEqual(chart.yScale.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1])
        let svg = ParsedSVG(chart.document().rendered())
        let bands = svg.all("polygon").map(\.points)
        XCTAssertEqual(bands.count, 2)
        // Band 0: top at 0.5 then 0.25, back along zero; band 1: top at 1, back along band 0's top.
        XCTAssertEqual(bands[0].map(\.y), [262, 369, 476, 476])
        XCTAssertEqual(bands[1].map(\.y), [48, 48, 369, 262])
        XCTAssertEqual(bands[1].map(\.x), [84, 750, 750, 84])
        let legend = svg.texts.filter { $0 == "low" || $0 == "high" }
        XCTAssertEqual(legend, ["high", "low"], "the legend reads top band first")
    }

    func testGroupedBarsWithErrorBars() {
        let chart = GroupedBarChart(title: "arms", xTitle: "domain", yTitle: "ppl", categories: ["math", "law & order"],
                                    series: [.init(name: "ddk", bars: [.init(value: 4, error: 1), .init(value: 2)]),
                                             .init(name: "uniform", bars: [.init(value: 3, error: 0.5), .init(value: 1)])])
        XCTAssertEqual(chart.yScale.ticks, [0, 1, 2, 3, 4, 5])
        let svg = ParsedSVG(chart.document().rendered())
        let bars = svg.all("rect").dropFirst().filter { $0.attributes["fill"] != "white" && $0.number("height")! > 13 }
        // Group width 333; bars are 0.4 of it each, starting 0.1 into the group.
        let first = bars[0]
        XCTAssertEqual(first.number("x")!, 84 + 33.3, accuracy: 0.01)
        XCTAssertEqual(first.number("width")!, 133.2, accuracy: 0.01)
        XCTAssertEqual(first.number("y")!, chart.yScale.pixel(4), accuracy: 0.01)
        XCTAssertEqual(first.number("y")! + first.number("height")!, 476, accuracy: 0.01)
        // The first bar's whisker spans 3...5 at the bar's centre.
        let center = 84 + 33.3 + 133.2 / 2
        let whisker = svg.all("line").first { abs(($0.number("x1") ?? 0) - center) < 0.01 && $0.number("x1") == $0.number("x2") }
        XCTAssertEqual(whisker?.number("y1") ?? 0, chart.yScale.pixel(3), accuracy: 0.01)
        XCTAssertEqual(whisker?.number("y2") ?? 0, chart.yScale.pixel(5), accuracy: 0.01)
        XCTAssertTrue(svg.texts.contains("law & order") && svg.texts.contains("uniform"))
    }

    func testLongCategoryLabelsSlantAndMakeRoom() {
        let categories = (1...8).map { "a-rather-long-domain-\($0)" }
        let chart = GroupedBarChart(title: "t", xTitle: "domain", yTitle: "y", categories: categories,
                                    series: [.init(name: "s", bars: categories.map { _ in .init(value: 1) })])
        XCTAssertGreaterThan(chart.frame.bottomMargin, 64)
        let labels = ParsedSVG(chart.document().rendered()).all("text").filter { categories.contains($0.text) }
        XCTAssertEqual(labels.count, 8)
        XCTAssertTrue(labels.allSatisfy { $0.attributes["transform"]?.hasPrefix("rotate(-30") == true })
    }

    func testLongOrManyLegendNamesEnlargeTheCanvasNotShrinkThePlot() {
        let long = LineChart(title: "t", xTitle: "x", yTitle: "y", series: [
            .init(name: String(repeating: "w", count: 60), points: [Point(x: 0, y: 0), Point(x: 1, y: 1)]),
        ])
        XCTAssertGreaterThan(long.frame.width, 960)
        XCTAssertEqual(long.frame.plotRight, 750, accuracy: 1e-9)
        let many = LineChart(title: "t", xTitle: "x", yTitle: "y", series: (1...30).map {
            .init(name: "domain \($0)", points: [Point(x: 0, y: Double($0))])
        })
        XCTAssertGreaterThanOrEqual(many.frame.height, 48 + 12 + 30 * 21 + 64)
        let lastEntry = ParsedSVG(many.document().rendered()).all("text").first { $0.text == "domain 30" }
        XCTAssertLessThan(lastEntry?.number("y") ?? .infinity, many.frame.height)
    }

    /// With PLOTS_SAMPLES=folder, writes a sample of each chart there to look at.
    func testSampleChartsAreWellFormed() throws {
        let domains = ["code-python", "technical-docs", "manuals", "math", "legal", "literature", "encyclopedic", "code-swift"]
        let arms = ["ddk smooth", "uniform", "unsmoothed"]
        let bars = GroupedBarChart(
            title: "Student perplexity per domain and arm (mean ± sd over 3 seeds)", xTitle: "domain",
            yTitle: "student perplexity", categories: domains,
            series: arms.enumerated().map { arm, name in
                .init(name: name, bars: domains.indices.map { .init(value: Double(40 + 9 * $0 + 6 * arm), error: Double(2 + $0 % 3)) })
            })
        let document = bars.document()
        _ = ParsedSVG(document.rendered())
        if let folder = ProcessInfo.processInfo.environment["PLOTS_SAMPLES"] {
            try document.write(to: (folder as NSString).appendingPathComponent("bars.svg"))
        }
    }
}
