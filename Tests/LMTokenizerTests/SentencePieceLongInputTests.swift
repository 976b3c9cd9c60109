import Foundation
import LMTokenizer
import Testing

/// Megabyte lines: results stay exact and the work stays linear.
@Suite struct SentencePieceLongInputTests {
    static let unit = "The quick brown fox jumps over the lazy dog; Crème brûlée costs 12.50 €. "

    /// Repeating a sentence N times repeats its ids N times (no piece crosses a word boundary),
    /// so a megabyte line is checked exactly.
    @Test(arguments: ["opus-mt-en-mg/source.spm", "trained/bpe-nfkc.model", "trained/unigram-bytefallback.model"])
    func megabyteLineIsExact(model: String) throws {
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path(model))
        let n = 1_048_576 / Self.unit.utf8.count + 1
        let one = try sp.encodeIds(Self.unit)
        let all = try sp.encodeIds(String(repeating: Self.unit, count: n))
        #expect(all.count == one.count * n)
        #expect(all.prefix(one.count * 3) == ArraySlice(Array([[Int32]](repeating: one, count: 3).joined())))
        #expect(all.suffix(one.count) == ArraySlice(one))
    }

    /// 10x the input costs about 10x the time (quadratic behaviour would cost 100x). Generous
    /// bound for a shared, noisy machine; best of three runs each.
    @Test(arguments: ["opus-mt-en-mg/source.spm", "trained/bpe-nfkc.model"])
    func workIsLinear(model: String) throws {
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path(model))
        func best(_ text: String) throws -> Double {
            var b = Double.infinity
            for _ in 0..<3 {
                let t0 = Date()
                _ = try sp.encodeIds(text)
                b = min(b, Date().timeIntervalSince(t0))
            }
            return b
        }
        // Words without spaces too: the lattice and the merge queue see one long "word".
        for unit in [Self.unit, "abcdefghij", "日本語のテキスト"] {
            let small = String(repeating: unit, count: 100_000 / unit.utf8.count)
            let large = String(repeating: unit, count: 1_000_000 / unit.utf8.count)
            let ratio = try best(large) / max(try best(small), 1e-6)
            #expect(ratio < 40, "\(model) \(unit): 10x input took \(ratio)x time")
        }
    }

    @Test func marianMegabyteLine() throws {
        let tok = try MarianTokenizer(directory: SPMFixtures.path("opus-mt-en-mg"))
        let n = 1_048_576 / Self.unit.utf8.count + 1
        let one = try tok.encode(Self.unit, addSpecialTokens: false).ids
        let all = try tok.encode(String(repeating: Self.unit + "</s>", count: n))
        #expect(all.ids.count == (one.count + 1) * n + 1)
        let decoded = try tok.decode(all.ids, skipSpecialTokens: true)
        #expect(decoded.utf8.count > 1_000_000)
    }
}
