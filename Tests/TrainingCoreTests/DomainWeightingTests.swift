import Foundation
import TrainingCore
import XCTest

final class DomainWeightingTests: XCTestCase {
    // Two domains, student/teacher ratios 2 and 1: Eq. 1 gives e^2/(e^2+e) and e/(e^2+e),
    // i.e. 1/(1+e^-1) = 0.7310585786 and 0.2689414214.
    let student = [8.0, 3.0]
    let teacher = [4.0, 3.0]

    func testEquationOneIsASoftmaxOverRatios() throws {
        let weighting = try DomainWeighting(mode: .smooth)
        let weights = try weighting.initialWeights(studentPerplexity: student, teacherPerplexity: teacher)
        XCTAssertEqual(weights[0], 0.7310585786300049, accuracy: 1e-12)
        XCTAssertEqual(weights[1], 0.2689414213699951, accuracy: 1e-12)
    }

    func testEquationTwoCarriesHistoryAndKeepsTheFloor() throws {
        let weighting = try DomainWeighting(mode: .smooth, alpha: 0.5)
        // current r = (0.5, 0.5); psi = (0.5 e^2, 0.5 e); normalized psi = Eq. 1 result above;
        // r' = 0.5 * that + 0.25.
        let updated = try weighting.updatedWeights(current: [0.5, 0.5], studentPerplexity: student,
                                                   teacherPerplexity: teacher)
        XCTAssertEqual(updated[0], 0.5 * 0.7310585786300049 + 0.25, accuracy: 1e-12)
        XCTAssertEqual(updated[1], 0.5 * 0.2689414213699951 + 0.25, accuracy: 1e-12)
        // History: starting from skewed weights (0.1, 0.9), psi = (0.1 e^2, 0.9 e).
        let skewed = try weighting.updatedWeights(current: [0.1, 0.9], studentPerplexity: student,
                                                  teacherPerplexity: teacher)
        let psi0 = 0.1 * exp(2.0), psi1 = 0.9 * exp(1.0)
        XCTAssertEqual(skewed[0], 0.5 * psi0 / (psi0 + psi1) + 0.25, accuracy: 1e-12)
        XCTAssertEqual(skewed.reduce(0, +), 1, accuracy: 1e-12)
        // Even an extreme gap never drops a domain below (1 - alpha)/N.
        let extreme = try weighting.updatedWeights(current: [0.5, 0.5], studentPerplexity: [400, 3],
                                                   teacherPerplexity: [4, 3])
        XCTAssertGreaterThanOrEqual(extreme[1], 0.25)
    }

    func testAblationModes() throws {
        let unsmoothed = try DomainWeighting(mode: .unsmoothed)
        let fromScratch = try unsmoothed.updatedWeights(current: [0.9, 0.1], studentPerplexity: student,
                                                        teacherPerplexity: teacher)
        XCTAssertEqual(fromScratch[0], 0.7310585786300049, accuracy: 1e-12)

        let uniform = try DomainWeighting(mode: .uniform)
        XCTAssertEqual(try uniform.updatedWeights(current: [0.9, 0.1], studentPerplexity: student,
                                                  teacherPerplexity: teacher), [0.5, 0.5])

        let fixed = try DomainWeighting(mode: .static, staticWeights: [3, 1])
        XCTAssertEqual(try fixed.initialWeights(studentPerplexity: student, teacherPerplexity: teacher), [0.75, 0.25])
    }

    func testLargeRatiosDoNotOverflow() throws {
        let weighting = try DomainWeighting(mode: .smooth)
        let weights = try weighting.initialWeights(studentPerplexity: [1e6, 1e6 - 1], teacherPerplexity: [1, 1])
        XCTAssertEqual(weights[0], 0.7310585786300049, accuracy: 1e-9)
    }

    func testBadInputIsRefused() {
        XCTAssertThrowsError(try DomainWeighting(mode: .smooth, alpha: 1.5))
        XCTAssertThrowsError(try DomainWeighting(mode: .static))
        XCTAssertThrowsError(try DomainWeighting(mode: .static, staticWeights: [1, -1]))
        let weighting = try? DomainWeighting(mode: .smooth)
        XCTAssertThrowsError(try weighting?.initialWeights(studentPerplexity: [1, 2], teacherPerplexity: [1]))
        XCTAssertThrowsError(try weighting?.initialWeights(studentPerplexity: [.nan], teacherPerplexity: [1])) { error in
            XCTAssertTrue(String(describing: error).contains("domain 0"))
        }
    }
}
