// Follows transformers' NoBadWordsLogitsProcessor / SequenceBiasLogitsProcessor (v5.23).

/// Forbids token sequences: a one-token bad word is always banned; a longer one bans its last token
/// whenever the row ends with the rest of it. Single-token bad words equal to an EOS id are dropped,
/// as HF does, so EOS stays reachable.
package struct NoBadWordsLogitsProcessor: LogitsProcessor {
    /// Tokens banned at every step.
    package let bannedTokens: [Int32]
    /// Multi-token bad words, as (prefix, last token).
    package let sequences: [(prefix: [Int32], last: Int32)]

    /// Validates like HF: a non-empty list of non-empty lists of ids in [0, vocabularySize), of which at
    /// least one remains after removing the single-EOS entries.
    package init(badWordsIds: [[Int32]], eosTokenIds: [Int32], vocabularySize: Int) throws {
        guard !badWordsIds.isEmpty else {
            throw GenerationError.invalidArgument("bad_words_ids must be a non-empty list of lists of token ids")
        }
        for word in badWordsIds {
            guard !word.isEmpty else {
                throw GenerationError.invalidArgument("bad_words_ids contains an empty list")
            }
            for id in word where id < 0 || Int(id) >= vocabularySize {
                throw GenerationError.invalidArgument(
                    "bad_words_ids contains token \(id), outside the vocabulary of \(vocabularySize) tokens")
            }
        }
        var seenWords = Set<[Int32]>()
        var single: [Int32] = []
        var multi: [(prefix: [Int32], last: Int32)] = []
        for word in badWordsIds where !(word.count == 1 && eosTokenIds.contains(word[0])) {
            guard seenWords.insert(word).inserted, let last = word.last else { continue }
            if word.count == 1 { single.append(last) } else { multi.append((Array(word.dropLast()), last)) }
        }
        guard !single.isEmpty || !multi.isEmpty else {
            // HF's SequenceBiasLogitsProcessor rejects the empty dictionary left after removing EOS entries.
            throw GenerationError.invalidArgument(
                "bad_words_ids has no entry left once single EOS tokens are removed (HF rejects this too)")
        }
        bannedTokens = single
        sequences = multi
    }

    package func process(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow) {
        // HF adds a -inf bias (not an assignment): the same result for every finite score.
        for id in bannedTokens { scores.addIfValid(id, -.infinity) }
        let t = row.tokens
        for (prefix, last) in sequences where prefix.count <= t.count {
            let start = t.count - prefix.count
            var match = true
            for j in 0..<prefix.count where t[start + j] != prefix[j] {
                match = false
                break
            }
            if match { scores.addIfValid(last, -.infinity) }
        }
    }

    package func masksOnly(row: ProcessorRow) -> Bool { true }
}
