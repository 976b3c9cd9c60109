import LMTensor

// Follows transformers' GenerationMixin._sample (v5.23): greedy search and multinomial sampling.
extension SearchRun {
    /// Greedy search (argmax of the processed logits) or sampling (a draw from their softmax); each
    /// input expands into `num_return_sequences` independent rows when sampling.
    mutating func greedy<D: StepDecoder>(decoder: inout D, processors: inout LogitsProcessorList) throws
        -> [[Hypothesis]] {
        let sampling = settings.mode == .sample
        let perInput = sampling ? settings.numReturnSequences : 1
        let rowCount = prompts.count * perInput
        let wantScores = settings.outputScores
        var history: [[Int32]] = []
        history.reserveCapacity(rowCount)
        for r in 0..<rowCount { history.append(prompts[r / perInput]) }
        var logProbs = [[Float]](repeating: [], count: wantScores ? rowCount : 0)
        // Alive logical rows, and the decoder row each reads its logits from (all samples of an input
        // share its row until the first reorder expands them).
        var alive = Array(0..<rowCount)
        var physical = alive.map { $0 / perInput }
        var scratch = [Float](repeating: 0, count: vocab)
        var logits = try prefill(&decoder)
        var stepIndex: UInt64 = 0

        while true {
            var stillAlive: [Int] = []
            var stillPhysical: [Int] = []
            var next: [Int32] = []
            let shared = physical.count != Set(physical).count
            for (slot, r) in alive.enumerated() {
                let p = physical[slot]
                let token: Int32 = try logits.storage.withUnsafeMutableBufferPointer { all in
                    let own = UnsafeMutableBufferPointer(rebasing: all[(p * vocab)..<((p + 1) * vocab)])
                    return try scratch.withUnsafeMutableBufferPointer { scratchBuf in
                        // A row shared by several samples is processed in a private copy.
                        let scores: UnsafeMutableBufferPointer<Float>
                        if shared {
                            _ = scratchBuf.update(fromContentsOf: own)
                            scores = scratchBuf
                        } else {
                            scores = own
                        }
                        history[r].withUnsafeBufferPointer { tokens in
                            processors.process(scores, row: ProcessorRow(tokens: tokens, input: r / perInput))
                        }
                        let ro = UnsafeBufferPointer(scores)
                        let chosen = sampling
                            ? try sample(ro, stream: UInt64(r), counter: stepIndex)
                            : RowMath.argmax(ro)
                        if wantScores {
                            let m = RowMath.max(ro)
                            let logSum = LibM.ln(RowMath.sumExp(ro, minus: m))
                            logProbs[r].append((ro[chosen] - m) - logSum)
                        }
                        return Int32(chosen)
                    }
                }
                history[r].append(token)
                let finished = eos.contains(token) || history[r].count >= settings.maxLength
                try emit(TokenEvent(input: r / perInput, sequence: r % perInput, tokens: [token]))
                if !finished {
                    stillAlive.append(r)
                    stillPhysical.append(p)
                    next.append(token)
                }
            }
            if stillAlive.isEmpty { break }
            // Rows now map one to one onto decoder rows; reorder only when that changes anything.
            if stillPhysical != Array(0..<(logits.shape[0])) {
                try decoder.reorder(stillPhysical)
            }
            alive = stillAlive
            physical = Array(0..<alive.count)
            stepIndex += 1
            logits = try step(&decoder, next, rows: alive.count)
        }

        var results: [[Hypothesis]] = []
        results.reserveCapacity(prompts.count)
        for i in 0..<prompts.count {
            var hyps: [Hypothesis] = []
            for s in 0..<perInput {
                let r = i * perInput + s
                let lps = wantScores ? logProbs[r] : nil
                hyps.append(Hypothesis(ids: Array(history[r].dropFirst()),
                                       score: lps.map { $0.reduce(0, +) }, tokenLogProbs: lps))
            }
            results.append(hyps)
        }
        return results
    }

    /// A draw from softmax(scores) by inverting the cumulative distribution with one uniform number
    /// (torch.multinomial's distribution; its random stream cannot be reproduced).
    func sample(_ scores: UnsafeBufferPointer<Float>, stream: UInt64, counter: UInt64) throws -> Int {
        let m = RowMath.max(scores)
        guard m > -.infinity, m.isFinite else {
            throw GenerationError.invalidArgument(
                "sampling: no token has a finite score (every token suppressed, or the logits are not finite)")
        }
        var total: Double = 0
        for x in scores where x > -.infinity { total += LibM.expd(Double(x - m)) }
        let target = rng.uniform(stream: stream, counter: counter) * total
        var cumulative: Double = 0
        var last = 0
        for (i, x) in scores.enumerated() where x > -.infinity {
            cumulative += LibM.expd(Double(x - m))
            last = i
            if cumulative > target { return i }
        }
        return last
    }
}
