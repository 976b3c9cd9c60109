// Follows transformers' NoRepeatNGramLogitsProcessor and EncoderNoRepeatNGramLogitsProcessor (v5.23).

/// Bans any token that would complete an n-gram already present in the row (decoder start token
/// included), as HF does by matching the row's last n−1 tokens against every earlier window.
package struct NoRepeatNGramLogitsProcessor: LogitsProcessor {
    package let ngramSize: Int

    package init(ngramSize: Int) throws {
        guard ngramSize > 0 else {
            throw GenerationError.invalidArgument("no_repeat_ngram_size must be a positive integer, got \(ngramSize)")
        }
        self.ngramSize = ngramSize
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        let t = row.tokens
        let n = ngramSize
        let len = t.count
        guard len >= n else { return }
        let prefixStart = len - (n - 1)
        // Window w covers t[w ..< w+n]; it bans t[w+n-1] when t[w ..< w+n-1] equals the current suffix.
        for w in 0...(len - n) {
            var match = true
            var j = 0
            while j < n - 1 {
                if t[w + j] != t[prefixStart + j] { match = false; break }
                j += 1
            }
            if match { scores.setIfValid(t[w + n - 1], -.infinity) }
        }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}

/// Bans any token that would make the row's last n tokens an n-gram of its source input's encoder ids.
///
/// HF builds the n-grams from the encoder ids exactly as passed to `generate`, padding included; pass
/// the same (padded) ids to reproduce its batched results.
package struct EncoderNoRepeatNGramLogitsProcessor: LogitsProcessor {
    package let ngramSize: Int
    /// Per input: n−1 token prefix → the tokens that followed it in the encoder ids.
    private let ngrams: [[[Int32]: [Int32]]]

    package init(ngramSize: Int, encoderInputIds: [[Int32]]) throws {
        guard ngramSize > 0 else {
            throw GenerationError.invalidArgument(
                "encoder_no_repeat_ngram_size must be a positive integer, got \(ngramSize)")
        }
        self.ngramSize = ngramSize
        ngrams = encoderInputIds.map { ids in
            var table: [[Int32]: [Int32]] = [:]
            if ids.count >= ngramSize {
                for start in 0...(ids.count - ngramSize) {
                    let key = Array(ids[start..<(start + ngramSize - 1)])
                    table[key, default: []].append(ids[start + ngramSize - 1])
                }
            }
            return table
        }
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        let len = row.tokens.count
        // HF slices input_ids[cur_len+1-n : cur_len]; a shorter row yields a shorter key that matches nothing.
        guard len >= ngramSize - 1, row.input >= 0, row.input < ngrams.count else { return }
        let key = Array(row.tokens[(len - (ngramSize - 1))..<len])
        guard let banned = ngrams[row.input][key] else { return }
        for id in banned { scores.setIfValid(id, -.infinity) }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}
