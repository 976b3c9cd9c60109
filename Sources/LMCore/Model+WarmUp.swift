import LMGeneration
import LMModel

extension Model {
    /// One short beam search at load, so the user's first call does not pay for what any first
    /// call pays: opening OpenBLAS and starting its threads, starting the kernel thread pool,
    /// faulting in the code, the plain (OpenBLAS) weights, and the scratch and decoder-cache pools.
    /// Measured (bench/README.md, "First call"): without it the first call took 1.17-1.47x a later
    /// one on opus-mt-en-de and flan-t5-small, with it 1.01-1.06x. Costs one 8-id encode and 2 decoder steps of
    /// 4 beams (a few ms on the bench models). Errors are ignored: a model that cannot run this
    /// reports its problem on the user's own call, with the user's inputs.
    func warmUp() {
        let vocabulary = Int32(clamping: network.config.vocabSize)
        guard vocabulary > 0 else { return }
        let eos = Int32(clamping: network.config.eosTokenIds.first ?? 0)
        let source = (0..<7).map { Int32($0 * 97 % Int(vocabulary)) } + [eos]
        var options = GenerationOptions()
        options.numBeams = 4
        options.maxNewTokens = 2
        options.minNewTokens = 2
        _ = try? generate([source], options: options)
    }
}
