import Foundation
import XCTest
import Plots

final class AxisTicksTests: XCTestCase {
    private let ranges: [(Double, Double)] = [
        (0, 1), (0, 119), (3.2, 12.5), (-7, 3), (0.0012, 0.0093), (1, 1), (0, 0), (12_000, 98_500), (-5, -2),
    ]

    func testLinearTicksAreEvenNiceAndCoverTheData() {
        for (lower, upper) in ranges {
            let ticks = AxisTicks.linear(from: lower, to: upper)
            XCTAssertGreaterThanOrEqual(ticks.count, 3, "\(lower)...\(upper): \(ticks)")
            XCTAssertLessThanOrEqual(ticks.count, 11, "\(lower)...\(upper): \(ticks)")
            XCTAssertLessThanOrEqual(ticks[0], lower)
            XCTAssertGreaterThanOrEqual(ticks[ticks.count - 1], upper)
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, log10(step).rounded(.down))
            XCTAssertTrue([1.0, 2, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(step) of \(ticks)")
            for (index, tick) in ticks.enumerated() {
                XCTAssertEqual(tick, ticks[0] + Double(index) * step, accuracy: step * 1e-9)
                XCTAssertEqual((tick / step).rounded(), tick / step, accuracy: 1e-9, "\(tick) not a multiple of \(step)")
            }
        }
    }

    func testLinearTicksOfKnownRanges() {
        XCTAssertEqual(AxisTicks.linear(from: 0, to: 1), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(AxisTicks.linear(from: 0, to: 119), [0, 20, 40, 60, 80, 100, 120])
        XCTAssertEqual(AxisTicks.linear(from: 3.2, to: 12.5), [2, 4, 6, 8, 10, 12, 14])
    }

    func testLogarithmicTicksArePowersOfTenThatCoverTheData() {
        XCTAssertEqual(AxisTicks.logarithmic(from: 26.7, to: 4962), [10, 100, 1000, 10000])
        XCTAssertEqual(AxisTicks.logarithmic(from: 100, to: 1000), [100, 200, 500, 1000])
        // Few decades: 2× and 5× in between, trimmed to one bounding tick either side.
        XCTAssertEqual(AxisTicks.logarithmic(from: 3, to: 40), [2, 5, 10, 20, 50])
        XCTAssertEqual(AxisTicks.logarithmic(from: 0.5, to: 0.5), [0.5, 1])
    }

    func testLabelsUseTheDecimalsTheSpacingNeeds() {
        let fractions = AxisTicks.linear(from: 0, to: 1)
        XCTAssertEqual(fractions.map { AxisTicks.label($0, among: fractions) }, ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        let steps = [0.0, 20, 40]
        XCTAssertEqual(steps.map { AxisTicks.label($0, among: steps) }, ["0", "20", "40"])
        let decades = [10.0, 100, 1000, 10000, 100_000]
        XCTAssertEqual(decades.map { AxisTicks.label($0, among: decades) }, ["10", "100", "1000", "10000", "1e5"])
        let small = [0.001, 0.002, 0.003]
        XCTAssertEqual(small.map { AxisTicks.label($0, among: small) }, ["0.001", "0.002", "0.003"])
    }

    func testScaleMapsTicksToTheirPixels() {
        let linear = Scale(kind: .linear, ticks: [0, 5, 10], pixels: (100, 0))
        XCTAssertEqual(linear.pixel(0), 100)
        XCTAssertEqual(linear.pixel(2.5), 75)
        XCTAssertEqual(linear.pixel(10), 0)
        let log = Scale(kind: .logarithmic, ticks: [1, 10, 100], pixels: (0, 200))
        XCTAssertEqual(log.pixel(10), 100, accuracy: 1e-9)
        XCTAssertEqual(log.pixel(100), 200, accuracy: 1e-9)
        XCTAssertEqual(log.minorTicks, [2, 5, 20, 50])
        XCTAssertEqual(linear.minorTicks, [])
        XCTAssertEqual(Scale(kind: .logarithmic, ticks: [1, 2, 5, 10], pixels: (0, 1)).minorTicks, [])
    }
}
