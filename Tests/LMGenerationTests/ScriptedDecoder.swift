import Foundation
import LMGeneration
import LMTensor

/// A step decoder driven by a fixed logit table: `table(input, prefix)` gives the logits after the
/// decoder tokens `prefix` (start token first) of a row of `input`. Records what search asked of it.
struct ScriptedDecoder: StepDecoder {
    let vocabularySize: Int
    let table: @Sendable (_ input: Int, _ prefix: [Int32]) -> [Float]
    private(set) var inputs: [Int]
    private(set) var histories: [[Int32]]
    private(set) var rowsPerStep: [Int] = []
    private(set) var reorders: [[Int]] = []

    init(vocabularySize: Int, inputs: Int, table: @escaping @Sendable (Int, [Int32]) -> [Float]) {
        self.vocabularySize = vocabularySize
        self.table = table
        self.inputs = Array(0..<inputs)
        histories = Array(repeating: [], count: inputs)
    }

    mutating func step(_ tokens: [Int32]) throws -> Tensor {
        rowsPerStep.append(tokens.count)
        var storage: [Float] = []
        for r in tokens.indices {
            histories[r].append(tokens[r])
            let row = table(inputs[r], histories[r])
            storage += row.count == vocabularySize ? row : [Float](repeating: 0, count: vocabularySize)
        }
        return Tensor(shape: [tokens.count, vocabularySize], storage: storage)
    }

    mutating func reorder(_ indices: [Int]) throws {
        reorders.append(indices)
        inputs = indices.map { inputs[$0] }
        histories = indices.map { histories[$0] }
    }
}

/// Logits from a {token: log-probability} map; unlisted tokens get `rest`.
func logits(_ vocab: Int, _ entries: [Int: Float], rest: Float = -30) -> [Float] {
    var row = [Float](repeating: rest, count: vocab)
    for (t, v) in entries { row[t] = v }
    return row
}

/// Options for the scripted tests: start token 0, EOS 1 unless overridden.
func scriptedOptions(_ edit: (inout GenerationOptions) -> Void = { _ in }) -> GenerationOptions {
    var o = GenerationOptions()
    o.decoderStartTokenId = 0
    o.eosTokenId = [1]
    o.outputScores = true
    edit(&o)
    return o
}

/// log-softmax in double, to state expected scores independently of the library.
func logSoftmax(_ x: [Float]) -> [Double] {
    let m = Double(x.max() ?? 0)
    let s = x.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }
    return x.map { Double($0) - m - Foundation.log(s) }
}
