import Foundation
import LMModel
import LMTensor
import Testing
import LMInput

/// T5's relative position buckets against torch (relative-buckets.json, from
/// T5Attention._relative_position_bucket), and the precomputed bias rows against the buckets.
@Suite struct RelativePositionBiasTests {
    struct Case: Decodable, CustomTestStringConvertible {
        let num_buckets: Int
        let max_distance: Int
        let bidirectional: Bool
        let first: Int
        let buckets: [Int]
        var testDescription: String { "\(num_buckets)/\(max_distance) \(bidirectional ? "bidirectional" : "causal")" }
    }
    struct File: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: Fixtures.path("models/relative-buckets.json"))
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return []
        }
        return file.cases
    }()

    @Test func fixtureIsPresent() {
        #expect(Self.cases.count == 16)
    }

    @Test(arguments: cases)
    func bucketsMatchTorch(_ c: Case) {
        var mismatches: [String] = []
        for (k, expected) in c.buckets.enumerated() {
            let r = c.first + k
            let got = RelativePositionBias.bucket(relativePosition: r, bidirectional: c.bidirectional,
                                                  numBuckets: c.num_buckets, maxDistance: c.max_distance)
            if got != expected { mismatches.append("r=\(r): \(got) != \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Every (query, key) pair, including ones far beyond the precomputed span, reads the table
    /// entry of its bucket.
    @Test(arguments: cases)
    func fillReadsTheBucketOfEveryKey(_ c: Case) throws {
        let heads = 3
        let weights = Tensor(shape: [c.num_buckets, heads],
                             storage: (0..<(c.num_buckets * heads)).map { Float($0) })
        let bias = try RelativePositionBias(weights: weights, heads: heads, bidirectional: c.bidirectional,
                                            numBuckets: c.num_buckets, maxDistance: c.max_distance)
        #expect(bias.span <= c.max_distance)
        let keyCount = 2 * c.max_distance + 7
        var row = [Float](repeating: .nan, count: keyCount)
        for query in [0, 1, c.max_distance / 2, keyCount - 1, 3 * c.max_distance] {
            for h in 0..<heads {
                row.withUnsafeMutableBufferPointer { bias.fill(head: h, query: query, keyCount: keyCount, into: $0.baseAddress!) }
                for key in 0..<keyCount {
                    let b = RelativePositionBias.bucket(relativePosition: key - query, bidirectional: c.bidirectional,
                                                        numBuckets: c.num_buckets, maxDistance: c.max_distance)
                    if row[key] != Float(b * heads + h) {
                        Issue.record("query \(query) key \(key) head \(h): \(row[key]) != bucket \(b)")
                        return
                    }
                }
            }
        }
    }

    @Test func degenerateBucketsAreRejected() {
        let w = Tensor(shape: [2, 1], repeating: 0)
        #expect(throws: InputError.self) {
            try RelativePositionBias(weights: w, heads: 1, bidirectional: true, numBuckets: 2, maxDistance: 8)
        }
        #expect(RelativePositionBias.problem(numBuckets: 32, maxDistance: 8, bidirectional: true) != nil)
        #expect(RelativePositionBias.problem(numBuckets: 32, maxDistance: 128, bidirectional: true) == nil)
        #expect(throws: InputError.self) {
            try RelativePositionBias(weights: Tensor(shape: [32, 2], repeating: 0), heads: 3, bidirectional: false,
                                     numBuckets: 32, maxDistance: 128)
        }
    }

    @Test func extremePositionsDoNotTrap() {
        for r in [Int.min, Int.min + 1, Int.max, -1 << 40, 1 << 40] {
            for bidirectional in [true, false] {
                let b = RelativePositionBias.bucket(relativePosition: r, bidirectional: bidirectional, numBuckets: 32,
                                                    maxDistance: 128)
                #expect((0..<32).contains(b))
            }
        }
    }
}
