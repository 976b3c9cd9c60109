import LMTensor

// Follows transformers' GenerationMixin._beam_search (v5.23) and its helpers _get_top_k_continuations,
// _get_running_beams_for_next_iteration, _update_finished_beams, _check_early_stop_heuristic and
// _beam_search_has_unfinished_sequences, per input instead of as batched tensors.

/// A running beam: its decoder tokens and (with output_scores) the processed log-prob of each generated token.
struct Beam {
    var tokens: [Int32]
    var logProbs: [Float]
}

/// One of an input's `num_beams` finished-hypothesis slots (HF's `sequences` / `beam_scores` /
/// `is_sent_finished` rows). Slots start empty with score -1e9.
struct FinishedSlot {
    var beam: Beam
    var score: Float
    var isFinished: Bool
}

/// A continuation chosen by top-k: beam `beam` extended by `token`.
struct Candidate {
    var beam: Int
    var token: Int32
    /// Accumulated score (running score + processed log-prob).
    var score: Float
    /// The processed log-prob of `token` alone.
    var logProb: Float
    var hitsStop: Bool
}

/// The beam state of one input.
struct BeamInput {
    var running: [Beam]
    var runningScores: [Float]
    var slots: [FinishedSlot]
    /// HF's `is_early_stop_heuristic_unsatisfied`: the input may still improve.
    var improvable = true
    var done = false
    /// Generated tokens already streamed.
    var emitted = 0
    /// Decoder row of each running beam in the current layout.
    var rows: [Int]
}

/// HF's "very large negative" constant (exactly representable in float32).
let beamNegativeInfinity: Float = -1.0e9

/// The indices of the `k` largest values, largest first; equal values keep index order, NaN ranks last.
func stableTopIndices(_ values: [Float], _ k: Int) -> [Int] {
    let key = values.map { $0.isNaN ? -Float.infinity : $0 }
    let order = key.indices.sorted { key[$0] > key[$1] || (key[$0] == key[$1] && $0 < $1) }
    return Array(order.prefix(k))
}

extension SearchRun {
    mutating func beam<D: StepDecoder>(decoder: inout D, processors: inout LogitsProcessorList) throws
        -> [[Hypothesis]] {
        let nb = settings.numBeams
        let eosCount = settings.eosTokenIds.count
        let beamsToKeep = Swift.max(2, 1 + eosCount) * nb
        guard beamsToKeep <= nb * vocab else {
            throw GenerationError.invalidArgument(
                "beam search keeps \(beamsToKeep) candidates per step but there are only \(nb) x \(vocab)")
        }
        let prompt = settings.promptLength
        var states: [BeamInput] = prompts.enumerated().map { i, p in
            let start = Beam(tokens: p, logProbs: [])
            var scores = [Float](repeating: beamNegativeInfinity, count: nb)
            scores[0] = 0
            return BeamInput(
                running: [Beam](repeating: start, count: nb), runningScores: scores,
                slots: [FinishedSlot](repeating: FinishedSlot(beam: start, score: beamNegativeInfinity,
                                                              isFinished: false), count: nb),
                rows: [Int](repeating: i, count: nb))
        }
        var selector = TopKSelector()
        var logits = try prefill(&decoder)
        var curLen = prompt
        var stepIndex: UInt64 = 0

        while true {
            var allHit = true
            let active = states.indices.filter { !states[$0].done }
            let chosen = try selectAll(active: active, states: states, logits: &logits, processors: &processors,
                                       selector: &selector, k: beamsToKeep, curLen: curLen, stepIndex: stepIndex,
                                       threads: decoder.searchThreads)
            for (b, candidates) in zip(active, chosen) {
                if candidates.contains(where: { !$0.hitsStop }) { allHit = false }
                update(&states[b], candidates: candidates, curLen: curLen)
            }
            curLen += 1
            for b in active {
                checkEarlyStop(&states[b], curLen: curLen)
            }
            let finishedAll = allHit || states.allSatisfy(\.done)
            for b in active {
                try stream(&states[b], input: b, final: finishedAll || states[b].done)
            }
            if finishedAll { break }

            // Next layout: the running beams of inputs still searching, in input order.
            var indices: [Int] = []
            var tokens: [Int32] = []
            for b in states.indices where !states[b].done {
                let base = indices.count
                for j in 0..<nb {
                    indices.append(states[b].rows[j])
                    tokens.append(states[b].running[j].tokens.last ?? 0)
                    states[b].rows[j] = base + j
                }
            }
            try decoder.reorder(indices)
            stepIndex += 1
            logits = try step(&decoder, tokens, rows: indices.count)
        }

        let n = settings.numReturnSequences
        let wantScores = settings.outputScores
        return states.map { state in
            state.slots.prefix(n).map { slot in
                Hypothesis(ids: Array(slot.beam.tokens.dropFirst()), score: slot.score,
                           tokenLogProbs: wantScores ? slot.beam.logProbs : nil)
            }
        }
    }

    /// `selectCandidates` for every active input. Inputs own disjoint logits rows and each worker has
    /// its own processors (their state is per-call scratch) and selector, so with `threads` > 1 the
    /// inputs are split across threads that would otherwise wait for the next decoder step; the
    /// result is the same as one thread's, input by input.
    func selectAll(active: [Int], states: [BeamInput], logits: inout Tensor, processors: inout LogitsProcessorList,
                   selector: inout TopKSelector, k: Int, curLen: Int, stepIndex: UInt64,
                   threads: Int) throws -> [[Candidate]] {
        // Below this many candidate scores per worker, waking a thread costs more than it saves.
        let minimumScoresPerWorker = 1 << 15
        let perInput = settings.numBeams * vocab
        let workers = Swift.min(threads, active.count, Swift.max(1, active.count * perInput / minimumScoresPerWorker))
        return try logits.storage.withUnsafeMutableBufferPointer { all -> [[Candidate]] in
            guard workers > 1 else {
                return try active.map { b in
                    try selectCandidates(states[b], input: b, all: all, processors: &processors, selector: &selector,
                                         k: k, curLen: curLen, stepIndex: stepIndex)
                }
            }
            var results = [Result<[Candidate], Error>](repeating: .success([]), count: active.count)
            let template = processors
            results.withUnsafeMutableBufferPointer { out in
                Parallel.chunks(active.count, threads: workers) { range in
                    var localProcessors = template
                    var localSelector = TopKSelector()
                    for i in range {
                        out[i] = Result {
                            try selectCandidates(states[active[i]], input: active[i], all: all,
                                                 processors: &localProcessors, selector: &localSelector,
                                                 k: k, curLen: curLen, stepIndex: stepIndex)
                        }
                    }
                }
            }
            return try results.map { try $0.get() }
        }
    }

    /// Log-softmax and processors on the input's beam rows (of `all`, the step's logits), then the
    /// top `k` continuations over all (beam, token) pairs of accumulated scores (or `k` samples
    /// without replacement when beam sampling). Writes only the input's own rows.
    func selectCandidates(_ s: BeamInput, input: Int, all: UnsafeMutableBufferPointer<Float>,
                          processors: inout LogitsProcessorList, selector: inout TopKSelector,
                          k: Int, curLen: Int, stepIndex: UInt64) throws -> [Candidate] {
        let nb = settings.numBeams
        let v = vocab
        let rows = s.rows
        let running = s.running
        let scores = s.runningScores
        // Beam sampling draws from the materialised row; the fold is for the deterministic top-k only.
        let fold = settings.mode == .beamSearch
        do {
            func row(_ r: Int) -> UnsafeMutableBufferPointer<Float> {
                UnsafeMutableBufferPointer(rebasing: all[(r * v)..<((r + 1) * v)])
            }
            // Beams sharing a decoder row (the first step) share their history too: process the row once.
            var folds = [LogSoftmaxFold](repeating: .identity, count: nb)
            var done: [Int: Int] = [:]
            for j in 0..<nb {
                if let first = done[rows[j]] {
                    folds[j] = folds[first]
                    continue
                }
                done[rows[j]] = j
                let scoresRow = row(rows[j])
                running[j].tokens.withUnsafeBufferPointer { tokens in
                    folds[j] = prepare(scoresRow, row: ProcessorRow(tokens: tokens, input: input),
                                       processors: &processors, fold: fold)
                }
            }
            var picked: [(index: Int, value: Float)] = []
            if settings.mode == .beamSample {
                selector.reset(k: k)
                for j in 0..<nb {
                    gumbelScan(UnsafeBufferPointer(row(rows[j])), add: scores[j], baseIndex: j * v,
                               selector: &selector, stream: UInt64(input),
                               counterBase: stepIndex &* UInt64(nb * v))
                }
                guard selector.count == k else {
                    throw GenerationError.invalidArgument(
                        "beam sampling needs \(k) tokens with non-zero probability, only \(selector.count) have one")
                }
                // Candidates come in sampling order (descending key); their value is the accumulated score.
                for c in 0..<k {
                    let index = selector.indices[c]
                    picked.append((index, all[rows[index / v] * v + index % v] + scores[index / v]))
                }
            } else {
                selector.reset(k: k)
                for j in 0..<nb {
                    selector.scan(UnsafeBufferPointer(row(rows[j])), add: scores[j], baseIndex: j * v,
                                  fold: folds[j])
                }
                for c in 0..<selector.count { picked.append((selector.indices[c], selector.values[c])) }
            }
            return picked.map { index, value in
                let beam = index / v
                let token = Int32(index % v)
                let lp = folds[beam].apply(all[rows[beam] * v + Int(token)])
                let hits = curLen + 1 >= settings.maxLength || eos.contains(token)
                return Candidate(beam: beam, token: token, score: value, logProb: lp, hitsStop: hits)
            }
        }
    }

    /// Turns a row of logits into HF's processed log-probabilities: `log_softmax`, then the processors.
    /// When the processors only mask (optionally followed by `renormalize_logits`), the row stays raw,
    /// masked in place, and the log-softmax(es) are returned as a fold for the top-k scan to apply on the
    /// fly; otherwise the log-probabilities are written out and the fold is the identity.
    func prepare(_ scores: UnsafeMutableBufferPointer<Float>, row: ProcessorRow,
                 processors: inout LogitsProcessorList, fold: Bool) -> LogSoftmaxFold {
        let raw = UnsafeBufferPointer(scores)
        let renormalizes = fold && processors.masksThenRenormalizes(row: row)
        guard fold && (renormalizes || processors.masksOnly(row: row)) else {
            RowMath.logSoftmax(scores)
            processors.process(scores, row: row)
            return .identity
        }
        var f = LogSoftmaxFold()
        let (lo, m) = RowMath.minMax(raw)
        f.shift = m
        f.logSum = LibM.ln(RowMath.sumExp(raw, minus: m, rowMin: lo))
        guard renormalizes else {
            processors.process(scores, row: row)
            return f
        }
        processors.processAllButLast(scores, row: row)
        // The second log-softmax: its max is the fold of the largest surviving raw value (monotone chain).
        let m2 = (RowMath.max(raw) - f.shift) - f.logSum
        f.shift2 = m2
        f.logSum2 = LibM.ln(RowMath.sumExp(raw, fold: f, minus: m2))
        return f
    }

    /// HF's `_get_running_beams_for_next_iteration` and `_update_finished_beams` for one input.
    func update(_ s: inout BeamInput, candidates: [Candidate], curLen: Int) {
        let nb = settings.numBeams
        let wantScores = settings.outputScores
        func extended(_ c: Candidate) -> Beam {
            var beam = s.running[c.beam]
            beam.tokens.append(c.token)
            if wantScores { beam.logProbs.append(c.logProb) }
            return beam
        }
        // Finished candidates are pushed out of the running set by -1e9.
        let runningValues = candidates.map { $0.hitsStop ? $0.score + beamNegativeInfinity : $0.score }
        let nextRunning = stableTopIndices(runningValues, nb)

        // Only the top num_beams candidates may become final; the rest only back up the running set.
        let penalty = Float(LibM.powd(Double(curLen + 1 - settings.promptLength), settings.lengthPenalty))
        let full = settings.earlyStopping == .whenFull && s.slots.allSatisfy(\.isFinished)
        var merged = s.slots.map(\.score)
        for (c, cand) in candidates.enumerated() {
            var value = cand.score / penalty
            if full { value += beamNegativeInfinity }
            if !s.improvable { value += beamNegativeInfinity }
            if !(c < nb && cand.hitsStop) { value += beamNegativeInfinity }
            merged.append(value)
        }
        let keep = stableTopIndices(merged, nb)
        s.slots = keep.map { m in
            if m < nb { return s.slots[m] }
            let c = m - nb
            return FinishedSlot(beam: extended(candidates[c]), score: merged[m],
                                isFinished: c < nb && candidates[c].hitsStop)
        }
        let newRunning = nextRunning.map { extended(candidates[$0]) }
        s.runningScores = nextRunning.map { runningValues[$0] }
        s.rows = nextRunning.map { s.rows[candidates[$0].beam] }
        s.running = newRunning
    }

    /// HF's `_check_early_stop_heuristic`, then whether the input's results are final.
    func checkEarlyStop(_ s: inout BeamInput, curLen: Int) {
        let prompt = settings.promptLength
        let lp = settings.lengthPenalty
        let bestLength = settings.earlyStopping == .never && lp > 0 ? settings.maxLength - prompt : curLen - prompt
        let best = s.runningScores[0] / Float(LibM.powd(Double(bestLength), lp))
        let worst = s.slots.map(\.score).min() ?? beamNegativeInfinity
        let beatsSome = s.slots.contains { best > ($0.isFinished ? worst : beamNegativeInfinity) }
        s.improvable = s.improvable && beatsSome
        // From here on HF adds -1e9 to every new finished candidate of this input: its slots are final.
        let full = settings.earlyStopping == .whenFull && s.slots.allSatisfy(\.isFinished)
        s.done = !s.improvable || full
    }

    /// Streams the tokens every hypothesis that can still be returned first agrees on; when `final`,
    /// the rest of the best hypothesis.
    func stream(_ s: inout BeamInput, input: Int, final: Bool) throws {
        guard onTokens != nil else { return }
        let start = settings.promptLength + s.emitted
        let best = s.slots[0].beam.tokens
        var agreed: [Int32] = []
        if final {
            if best.count > start { agreed = Array(best[start...]) }
        } else {
            // Every future result descends from a running beam or is a finished slot already.
            var others = s.running.map(\.tokens)
            others += s.slots.filter(\.isFinished).map(\.beam.tokens)
            guard let first = others.first else { return }
            var pos = start
            while pos < first.count {
                let t = first[pos]
                if !others.allSatisfy({ $0.count > pos && $0[pos] == t }) { break }
                agreed.append(t)
                pos += 1
            }
        }
        s.emitted += agreed.count
        try emit(TokenEvent(input: input, sequence: 0, tokens: agreed))
    }
}

extension SearchRun {
    /// Beam sampling: `torch.multinomial(softmax(scores), k)` without replacement, by the Gumbel-top-k
    /// trick (the k largest of score + Gumbel noise are distributed as k sequential draws without
    /// replacement, in draw order). Zero-probability (-inf) entries are never drawn.
    func gumbelScan(_ row: UnsafeBufferPointer<Float>, add: Float, baseIndex: Int, selector: inout TopKSelector,
                    stream: UInt64, counterBase: UInt64) {
        for (t, x) in row.enumerated() {
            let value = x + add
            guard value > -.infinity else { continue }
            let index = baseIndex + t
            let u = rng.openUniform(stream: stream, counter: counterBase &+ UInt64(index))
            let gumbel = -LibM.ln(-LibM.ln(u))
            selector.offer(Float(Double(value) + gumbel), index: index)
        }
    }
}
