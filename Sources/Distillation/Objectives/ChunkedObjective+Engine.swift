// The objectives plug into the engine's chunked LM head: `LlamaModel.lmHeadLoss(&objective)`
// hands every chunk of student logits to `lossAndGradient`, which overwrites them
// with dLoss/dlogits (normalized by the global label count).

import Engine

extension CrossEntropyObjective: ChunkedLogitsLoss {}
extension KnowledgeDistillationObjective: ChunkedLogitsLoss {}
extension DualSpaceObjective: ChunkedLogitsLoss {}
extension CrossModelAttentionObjective: ChunkedLogitsLoss {}
