// Follows HF tokenizers' PreTokenizedString (tokenizer/pre_tokenizer.rs): the pieces a text is
// cut into before the model runs, each either still open or already tokenized (added tokens).

/// A model token inside one piece; offsets are normalized bytes of that piece.
package struct Token: Sendable, Equatable {
    package var id: Int32
    package var value: String
    package var offsets: Range<Int>
    package init(id: Int32, value: String, offsets: Range<Int>) {
        self.id = id
        self.value = value
        self.offsets = offsets
    }
}

struct PreTokenizedString: Sendable {
    struct Split: Sendable {
        var normalized: NormalizedString
        var tokens: [Token]?
    }

    var splits: [Split]

    init(_ normalized: NormalizedString) {
        splits = [Split(normalized: normalized, tokens: nil)]
    }

    /// Replaces each open piece by the pieces `body` returns, dropping empty ones (HF `split`).
    mutating func split(_ body: (Int, NormalizedString) throws -> [Split]) throws {
        var out: [Split] = []
        out.reserveCapacity(splits.count)
        for (i, s) in splits.enumerated() {
            if s.tokens != nil {
                out.append(s)
                continue
            }
            for piece in try body(i, s.normalized) where !piece.normalized.isEmpty {
                out.append(piece)
            }
        }
        splits = out
    }

    mutating func split(_ body: (NormalizedString) throws -> [NormalizedString]) throws {
        try split { _, n in try body(n).map { Split(normalized: $0, tokens: nil) } }
    }

    /// Applies `body` to each open piece.
    mutating func normalize(_ body: (inout NormalizedString) throws -> Void) rethrows {
        for i in splits.indices where splits[i].tokens == nil {
            try body(&splits[i].normalized)
        }
    }
}
