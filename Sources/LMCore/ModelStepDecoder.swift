import LMGeneration
import LMModel
import LMTensor

/// The model's decoder state seen through search's StepDecoder protocol.
struct ModelStepDecoder: StepDecoder {
    let state: DecoderState
    /// The model's thread count: between decoder steps those threads would sit idle.
    var searchThreads: Int = 1

    var vocabularySize: Int { state.decoder.vocabularySize }

    mutating func step(_ tokens: [Int32]) throws -> Tensor {
        try state.step(tokens)
    }

    mutating func reorder(_ indices: [Int]) throws {
        try state.reorder(indices)
    }
}
