import LMGeneration
import LMModel
import LMTensor

/// The model's decoder state seen through search's StepDecoder protocol.
struct ModelStepDecoder: StepDecoder {
    let state: any DecodingState
    /// The model's thread count: between decoder steps those threads would sit idle.
    var searchThreads: Int = 1
    /// When profiling, the clock that decoder steps and reorders are charged to.
    var clock: StepClock? = nil

    var vocabularySize: Int { state.vocabularySize }

    mutating func step(_ tokens: [Int32]) throws -> Tensor {
        guard let clock else { return try state.step(tokens) }
        clock.timings.steps += 1
        return try clock.measure(\.decoderStepSeconds) { try state.step(tokens) }
    }

    mutating func reorder(_ indices: [Int]) throws {
        guard let clock else { return try state.reorder(indices) }
        try clock.measure(\.reorderSeconds) { try state.reorder(indices) }
    }
}
