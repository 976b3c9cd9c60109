import Foundation
import LMTokenizer
import Testing

/// Megabyte lines: results stay exact and the work completes.
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

    /// One megabyte "word" without spaces (the lattice and the merge queue see a single long
    /// word): completes, round-trips, and the offsets cover the whole text. Quadratic work would not
    /// finish. (Speed itself is measured by benchmarks, not tests.)
    @Test(arguments: ["opus-mt-en-mg/source.spm", "trained/bpe-nfkc.model", "trained/unigram-bytefallback.model"])
    func megabyteWordCompletes(model: String) throws {
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path(model))
        let ascii = String(repeating: "abcdefghij", count: 100_000)
        let e = try sp.encode(ascii)
        #expect(e.ids.count > 1000)
        #expect(try sp.decode(ids: e.ids) == ascii)
        #expect(e.offsets.last?.upperBound == ascii.unicodeScalars.count)
        let cjk = String(repeating: "日本語のテキスト", count: 1_000_000 / 24)
        let c = try sp.encode(cjk)
        #expect(c.offsets.last?.upperBound == cjk.unicodeScalars.count)
        #expect(zip(c.offsets, c.offsets.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound || $0.isEmpty })
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
