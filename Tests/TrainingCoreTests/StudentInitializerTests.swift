import Engine
import TrainingCore
import XCTest

final class StudentInitializerTests: XCTestCase {
    func testTeacherLayersKeepsEmbeddingsNormsAndTheChosenBlocks() throws {
        let teacherConfig = try LlamaConfig(hiddenSize: 16, intermediateSize: 24, layerCount: 5, attentionHeadCount: 2,
                                            keyValueHeadCount: 1, vocabularySize: 30, maxPositionEmbeddings: 16)
        let teacher = try LlamaModel(config: teacherConfig, batchSize: 1, sequenceLength: 4, seed: 3)
        var section = DistillConfig.StudentSection(initialization: .teacherLayers)
        section.teacherLayers = [0, 2, 4]
        let config = try StudentInitializer.architecture(section, teacher: teacherConfig)
        XCTAssertEqual(config.layerCount, 3)
        let student = try LlamaModel(config: config, batchSize: 1, sequenceLength: 4, seed: 99)
        try StudentInitializer.copyTeacherLayers([0, 2, 4], from: teacher.layout, parameters: teacher.parameters,
                                                 into: student.layout, parameters: student.parameters)
        XCTAssertEqual(Array(try student.parameter(named: "model.embed_tokens.weight")),
                       Array(try teacher.parameter(named: "model.embed_tokens.weight")))
        XCTAssertEqual(Array(try student.parameter(named: "model.norm.weight")), Array(try teacher.parameter(named: "model.norm.weight")))
        for (studentBlock, teacherBlock) in [(0, 0), (1, 2), (2, 4)] {
            XCTAssertEqual(Array(try student.parameter(named: "model.layers.\(studentBlock).mlp.down_proj.weight")),
                           Array(try teacher.parameter(named: "model.layers.\(teacherBlock).mlp.down_proj.weight")))
        }
        XCTAssertNotEqual(Array(try student.parameter(named: "model.layers.1.self_attn.q_proj.weight")),
                          Array(try teacher.parameter(named: "model.layers.1.self_attn.q_proj.weight")))
        section.teacherLayers = [0, 5]
        XCTAssertThrowsError(try StudentInitializer.architecture(section, teacher: teacherConfig)) {
            XCTAssertTrue("\($0)".contains("block 5"), "\($0)")
        }
    }
}
