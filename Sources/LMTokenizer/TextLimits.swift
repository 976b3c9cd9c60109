import LMInput

/// The largest text one encode accepts, checked before any work. Tokenizing costs ~100 bytes of
/// working memory per input byte (measured on a 1.8 MB line: lmcore 238 MB peak, HF tokenizers
/// 527 MB, the same tokenizer.json), so 16 MiB bounds an encode near 2 GB where an unchecked 1 GB
/// line would exhaust the machine. No seq2seq model reads anything near this length.
package enum TextLimits {
    package static let maxTextBytes = 1 << 24

    package static func check(_ text: String, _ pair: String? = nil) throws {
        for t in [text] + (pair.map { [$0] } ?? []) where t.utf8.count > maxTextBytes {
            throw InputError.invalidArgument("a text of \(t.utf8.count) bytes is longer than lmcore's limit of "
                + "\(maxTextBytes) bytes (16 MiB) per text; split it")
        }
    }
}
