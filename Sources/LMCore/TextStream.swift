import LMGeneration
import LMTokenizer

/// A piece of generated text that is now final (streaming translate).
public struct TextEvent: Sendable, Equatable {
    /// The input (index into the call's texts).
    public var input: Int
    /// Which of the input's sequences (0 unless sampling several).
    public var sequence: Int
    /// New text, to append to what the sequence has streamed so far.
    public var text: String
}

/// Streaming text callback: return `false` to stop (the call then fails as cancelled).
public typealias TextCallback = (TextEvent) -> Bool

/// Turns streamed ids into stable text pieces, as transformers' TextStreamer does: each time ids
/// arrive the whole sequence is decoded (special tokens skipped) and the text up to its last space
/// is released, all of it after a newline or a CJK character, and the rest when the sequence
/// ends. Decoding the whole sequence, not token by token, keeps byte-level pieces and
/// SentencePiece word boundaries right; a trailing U+FFFD (a UTF-8 character whose bytes have not
/// all arrived) is held back as well.
// Follows transformers/generation/streamers.py TextStreamer.put/end (v5.23), in Unicode scalars
// as Python's str indices.
public final class TextStreamAssembler {
    private struct Key: Hashable { let input: Int, sequence: Int }
    private struct Sequence { var ids: [Int32] = []; var printed = 0 }
    private let tokenizer: any TextTokenizer
    private var sequences: [Key: Sequence] = [:]

    public init(tokenizer: any TextTokenizer) {
        self.tokenizer = tokenizer
    }

    /// The stable new text after `event`'s tokens, or nil.
    public func add(_ event: TokenEvent) throws -> TextEvent? {
        let key = Key(input: event.input, sequence: event.sequence)
        var s = sequences[key] ?? Sequence()
        s.ids += event.tokens
        let text = Array(try tokenizer.decode(s.ids, skipSpecialTokens: true).unicodeScalars)
        var end: Int
        if text.last == "\n" || text.last.map(Self.isCJK) == true {
            end = text.count
        } else {
            end = (text.lastIndex(of: " ") ?? -1) + 1
        }
        if let replacement = text.firstIndex(of: "\u{FFFD}"), text[replacement...].allSatisfy({ $0 == "\u{FFFD}" }) {
            end = min(end, replacement)
        }
        defer { sequences[key] = s }
        guard end > s.printed else { return nil }
        let piece = String(String.UnicodeScalarView(text[s.printed..<end]))
        s.printed = end
        return TextEvent(input: event.input, sequence: event.sequence, text: piece)
    }

    /// The remaining text of every sequence of `inputs` (they have finished), and forgets them.
    public func finish(inputs: Set<Int>) throws -> [TextEvent] {
        var out: [TextEvent] = []
        for (key, s) in sequences.sorted(by: { ($0.key.input, $0.key.sequence) < ($1.key.input, $1.key.sequence) })
            where inputs.contains(key.input) {
            let text = Array(try tokenizer.decode(s.ids, skipSpecialTokens: true).unicodeScalars)
            if text.count > s.printed {
                out.append(TextEvent(input: key.input, sequence: key.sequence,
                                     text: String(String.UnicodeScalarView(text[s.printed...]))))
            }
            sequences[key] = nil
        }
        return out
    }

    /// transformers' `_is_chinese_char`: the CJK ideograph blocks.
    static func isCJK(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}
