import LMGeneration
import LMTensor

/// The fake model of Tests/Generator/gen_search.py: next-token logits are a hash of (input seed, decoder
/// position, last decoder token, candidate token), exact in float32. It keeps every row's full history so
/// `reorder` can be checked to follow beams (rows are moved, never recomputed).
struct HashStepDecoder: StepDecoder {
    static let vocab = 48
    static let eos = 2

    let vocabularySize = HashStepDecoder.vocab
    /// Per decoder row: the seed of its input and every token fed so far.
    private(set) var seeds: [Int]
    private(set) var histories: [[Int32]]
    private(set) var stepCount = 0
    private(set) var rowsPerStep: [Int] = []
    private(set) var reorders: [[Int]] = []

    init(seeds: [Int]) {
        self.seeds = seeds
        histories = seeds.map { _ in [] }
    }

    static func mix64(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hash16(_ seed: Int, _ tag: UInt64, _ x: Int, _ v: Int) -> Int {
        let a = mix64(UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ tag)
        let b = mix64(a ^ (UInt64(x) &* 0xD1B5_4A32_D192_ED03))
        let c = mix64(b ^ (UInt64(v) &* 0x8CB9_2BA7_2F3D_8DD7))
        return Int(c >> 48)
    }

    /// gen_search.py's `fake_logits`.
    static func logits(seed: Int, prefix: [Int32]) -> [Float] {
        let pos = prefix.count
        let last = Int(prefix[prefix.count - 1])
        var out = [Float](repeating: 0, count: vocab)
        for v in 0..<vocab {
            var x = Double(3 * hash16(seed, 1, last, v) + hash16(seed, 2, pos, v)) / 32768.0
            if v == eos { x += 0.75 * Double(pos - (3 + seed % 6)) }
            out[v] = Float(x)
        }
        return out
    }

    mutating func step(_ tokens: [Int32]) throws -> Tensor {
        guard tokens.count == histories.count else {
            throw GenerationError.invalidArgument("step: \(tokens.count) tokens for \(histories.count) rows")
        }
        stepCount += 1
        rowsPerStep.append(tokens.count)
        var storage: [Float] = []
        storage.reserveCapacity(tokens.count * vocabularySize)
        for r in 0..<tokens.count {
            histories[r].append(tokens[r])
            storage += HashStepDecoder.logits(seed: seeds[r], prefix: histories[r])
        }
        return Tensor(shape: [tokens.count, vocabularySize], storage: storage)
    }

    mutating func reorder(_ indices: [Int]) throws {
        guard indices.allSatisfy({ $0 >= 0 && $0 < histories.count }) else {
            throw GenerationError.invalidArgument("reorder: index out of range")
        }
        reorders.append(indices)
        seeds = indices.map { seeds[$0] }
        histories = indices.map { histories[$0] }
    }
}
