import Foundation
import LMTokenizer
import Testing

/// Goldens of `sentencepiece.SentencePieceProcessor` used directly (goldens/spm/*.json).
struct SPMDirectGolden: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int32]
        let pieces: [String]
        let offsets: [[Int]]
        let byte_offsets: [[Int]]
        let decoded: String
        let decoded_skip_special: String
        let bytes_hex: String?
    }
    struct DecodeCase: Decodable { let ids: [Int32]; let decoded: String }
    let name: String
    let model: String
    let piece_count: Int
    let cases: [Case]
    let invalid_utf8: [Case]
    let decode_cases: [DecodeCase]

    static let files: [String] = {
        let dir = SPMFixtures.root.appendingPathComponent("goldens/spm")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func load(_ file: String) throws -> SPMDirectGolden {
        try SPMFixtures.golden("spm/\(file)", as: SPMDirectGolden.self)
    }
}

/// Bytes from a hex string.
func bytes(fromHex hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = hex.makeIterator()
    while let a = it.next(), let b = it.next() {
        out.append(UInt8(String([a, b]), radix: 16) ?? 0)
    }
    return out
}

@Suite struct SentencePieceProcessorTests {
    @Test func goldenFilesPresent() {
        #expect(SPMDirectGolden.files.count == 13)
    }

    @Test(arguments: SPMDirectGolden.files)
    func encodeMatchesSentencePiece(file: String) throws {
        let g = try SPMDirectGolden.load(file)
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path(g.model))
        #expect(sp.pieceCount == g.piece_count)
        var failures = 0
        for c in g.cases {
            let got = try sp.encodePieces(c.text)
            let e = try sp.encode(c.text)
            let ok = got.ids == c.ids && sameBytes(got.pieces, c.pieces)
                && got.offsets.map { [$0.lowerBound, $0.upperBound] } == c.byte_offsets
                && e.ids == c.ids && sameBytes(e.tokens, c.pieces)
                && e.offsets.map { [$0.lowerBound, $0.upperBound] } == c.offsets
            if !ok {
                failures += 1
                if failures <= 5 {
                    Issue.record("""
                        \(g.name) \(c.text.debugDescription)
                          expected \(c.ids) \(c.pieces) \(c.offsets)
                          got      \(got.ids) \(got.pieces) \(e.offsets.map { [$0.lowerBound, $0.upperBound] })
                        """)
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(g.cases.count) cases differ")
    }

    @Test(arguments: SPMDirectGolden.files)
    func decodeMatchesSentencePiece(file: String) throws {
        let g = try SPMDirectGolden.load(file)
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path(g.model))
        for c in g.cases {
            #expect(sameBytes(try sp.decode(ids: c.ids), c.decoded), "\(g.name) \(c.text.debugDescription)")
            #expect(sameBytes(try sp.decode(c.ids, skipSpecialTokens: true), c.decoded_skip_special),
                    "\(g.name) skip special \(c.text.debugDescription)")
        }
        for c in g.decode_cases {
            #expect(sameBytes(try sp.decode(ids: c.ids), c.decoded), "\(g.name) ids \(c.ids)")
        }
    }

    /// Invalid UTF-8 reaches the tokenizer as a String repaired like Python's errors="replace".
    @Test(arguments: SPMDirectGolden.files)
    func invalidUTF8MatchesPythonReplace(file: String) throws {
        let g = try SPMDirectGolden.load(file)
        let sp = try SentencePieceProcessor(modelFile: SPMFixtures.path(g.model))
        for c in g.invalid_utf8 {
            let text = String(decoding: bytes(fromHex: c.bytes_hex ?? ""), as: UTF8.self)
            #expect(sameBytes(text, c.text), "String(decoding:) differs from Python's replace for \(c.bytes_hex ?? "")")
            let got = try sp.encodePieces(text)
            #expect(got.ids == c.ids && sameBytes(got.pieces, c.pieces), "\(g.name) \(c.text.debugDescription)")
            #expect(sameBytes(try sp.decode(ids: c.ids), c.decoded))
        }
    }
}
