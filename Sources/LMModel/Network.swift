import LMInput
import LMTensor

/// The layers of a loaded model: a Transformer encoder-decoder or a recurrent one. Both encode a
/// batch into an `EncoderOutput` and decode it step by step through a `DecodingState`, so search,
/// scoring and embedding never ask which.
package enum Network: Sendable {
    case transformer(Encoder, Decoder)
    case recurrent(RecurrentModel)
}

/// The per-request state of decoding one batch, one row per hypothesis: feed a token per row, get
/// next-token logits; reorder rows between steps (beam search). One per request; not shared.
package protocol DecodingState: AnyObject {
    /// Current rows.
    var rows: Int { get }
    /// Width of the logits.
    var vocabularySize: Int { get }
    /// Feeds one token per row; returns next-token logits (rows, vocab).
    func step(_ tokens: [Int32]) throws -> Tensor
    /// Keeps rows `indices` in this order (repeats allowed); state moves with its row.
    func reorder(_ indices: [Int]) throws
}

extension Linear {
    /// The logits of `rows` hidden rows written straight into the returned tensor's storage: no
    /// copy of the (rows, vocab) logits, the largest activation of a step.
    package func logits(_ hidden: UnsafePointer<Float>, rows: Int) -> Tensor {
        let vocab = outFeatures
        let storage = [Float](unsafeUninitializedCapacity: rows * vocab) { buffer, initialized in
            if let logits = buffer.baseAddress { self(hidden, rows: rows, into: logits) }
            initialized = rows * vocab
        }
        return Tensor(shape: [rows, vocab], storage: storage)
    }
}

/// The argument checks every DecodingState makes, in the same words.
enum StepChecks {
    /// Throws unless there is one token per row, each a row of the decoder's token table.
    static func tokens(_ tokens: [Int32], rows: Int, embeddingRows: Int) throws {
        guard tokens.count == rows else {
            throw InputError.invalidArgument("step: \(tokens.count) tokens for \(rows) rows")
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= embeddingRows }) {
            throw InputError.invalidArgument("decoder input id \(bad) is outside the vocabulary [0, \(embeddingRows))")
        }
    }

    /// Throws unless every index names one of `rows` rows.
    static func reorder(_ indices: [Int], rows: Int) throws {
        if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
            throw InputError.invalidArgument("reorder: row \(bad) does not exist (\(rows) rows)")
        }
    }
}

extension DecoderState: DecodingState {
    package var vocabularySize: Int { decoder.vocabularySize }
}
