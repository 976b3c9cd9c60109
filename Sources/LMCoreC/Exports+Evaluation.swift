#if canImport(Glibc)
import Glibc
#endif
import CLMCore
import LMCore
import LMEvaluation

/// The object behind an `lmcore_evaluation *`: names, scores, signatures and lines as C strings
/// it owns, and optional sentence scores.
final class EvaluationHandle {
    let names: [UnsafeMutablePointer<CChar>?]
    let signatures: [UnsafeMutablePointer<CChar>?]
    let lines: [UnsafeMutablePointer<CChar>?]
    let scores: [CorpusScore]
    /// sentence[i][m], when asked for.
    let sentence: [[Double]]?

    init(names: [MetricName], scores: [CorpusScore], lines: [String], sentence: [[Double]]?) {
        self.names = names.map { strdup($0.rawValue) }
        signatures = scores.map { strdup($0.signature) }
        self.lines = lines.map { strdup($0) }
        self.scores = scores
        self.sentence = sentence
    }

    deinit {
        for p in names + signatures + lines { free(p) }
    }

    func metric(_ m: Int) throws(LMCoreError) -> Int {
        guard m >= 0, m < scores.count else {
            throw LMCoreError(.invalidArgument, "metric index \(m) is out of range (\(scores.count) metrics)")
        }
        return m
    }
}

@_cdecl("lmcore_evaluation_default_params")
public func exported_lmcore_evaluation_default_params() -> lmcore_evaluation_params {
    lmcore_evaluation_params(struct_size: MemoryLayout<lmcore_evaluation_params>.size, metrics: nil, tokenize: nil, lowercase: 0, chrf_lowercase: 0, stem: 0, sentence_scores: 0,
                             bootstrap_samples: 0, seed: 12345)
}

@_cdecl("lmcore_evaluation_default_params_by_ref")
public func exported_lmcore_evaluation_default_params_by_ref(_ params: UnsafeMutablePointer<lmcore_evaluation_params>?) {
    params?.pointee = exported_lmcore_evaluation_default_params()
}

@_cdecl("lmcore_evaluate")
public func exported_lmcore_evaluate(
    _ hypotheses: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
    _ references: UnsafePointer<UnsafePointer<CChar>?>?, _ sets: Int,
    _ params: UnsafePointer<lmcore_evaluation_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> lmcore_status {
    out?.pointee = nil
    return exported("lmcore_evaluate") {
        guard let out else { throw nullArgument("out_evaluation") }
        let hyps = try CStrings.list(hypotheses, count: count, name: "hypotheses")
        guard sets >= 1 else { throw LMCoreError(.invalidArgument, "n_reference_sets is 0") }
        try CArrays.checkSize(sets, name: "n_reference_sets", limit: 1024)
        let (total, overflow) = count.multipliedReportingOverflow(by: sets)
        guard !overflow else { throw LMCoreError(.invalidArgument, "n_hypotheses x n_reference_sets overflows") }
        let flat = try CStrings.list(references, count: total, name: "references")
        let streams = (0..<sets).map { k in Array(flat[(k * count)..<((k + 1) * count)]) }
        let p = try ParamStructs.evaluation(params)
        let (names, options) = try evaluationOptions(p)
        do {
            let scores = try Evaluation.corpus(hypotheses: hyps, references: streams, metrics: names, options: options)
            let lines = zip(names, scores).map { name, score in
                Evaluation.format(score, bleu: name == .bleu ? Evaluation.metric(.bleu, options) as? BLEU : nil)
            }
            let sentence = p.sentence_scores != 0
                ? try Evaluation.sentences(hypotheses: hyps, references: streams, metrics: names, options: options) : nil
            out.pointee = Handles.retain(EvaluationHandle(names: names, scores: scores, lines: lines, sentence: sentence))
        } catch let error as EvaluationError {
            throw LMCoreError(.invalidArgument, error.description)
        }
    }
}

/// The metric names and options of C parameters.
private func evaluationOptions(_ p: lmcore_evaluation_params) throws -> ([MetricName], EvaluationOptions) {
    do {
        let names = try MetricName.list(p.metrics.map { try CStrings.string($0, name: "params.metrics") } ?? "bleu,chrf,ter")
        let tokenize = try p.tokenize.map { try CStrings.string($0, name: "params.tokenize") } ?? "13a"
        guard let tokenizer = BLEUTokenizer(rawValue: tokenize) else {
            throw EvaluationError.unknown(kind: "tokenizer", value: tokenize, expected: BLEUTokenizer.allCases.map(\.rawValue))
        }
        guard p.bootstrap_samples >= 0, p.bootstrap_samples <= 100_000 else {
            throw LMCoreError(.invalidArgument, "params.bootstrap_samples is \(p.bootstrap_samples), expected 0...100000")
        }
        return (names, EvaluationOptions(tokenize: tokenizer, lowercase: p.lowercase != 0, chrfLowercase: p.chrf_lowercase != 0,
                                         stem: p.stem != 0,
                                         bootstrapSamples: Int(p.bootstrap_samples), seed: p.seed))
    } catch let error as EvaluationError {
        throw LMCoreError(.invalidArgument, "params: \(error.description)")
    }
}

@_cdecl("lmcore_evaluation_metric_count")
public func exported_lmcore_evaluation_metric_count(_ evaluation: OpaquePointer?) -> Int {
    (try? Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation"))?.scores.count ?? 0
}

@_cdecl("lmcore_evaluation_metric_name")
public func exported_lmcore_evaluation_metric_name(_ evaluation: OpaquePointer?, _ m: Int) -> UnsafePointer<CChar>? {
    guard let h = try? Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation"),
          let m = try? h.metric(m) else { return nil }
    return UnsafePointer(h.names[m])
}

@_cdecl("lmcore_evaluation_signature")
public func exported_lmcore_evaluation_signature(_ evaluation: OpaquePointer?, _ m: Int) -> UnsafePointer<CChar>? {
    guard let h = try? Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation"),
          let m = try? h.metric(m) else { return nil }
    return UnsafePointer(h.signatures[m])
}

@_cdecl("lmcore_evaluation_line")
public func exported_lmcore_evaluation_line(_ evaluation: OpaquePointer?, _ m: Int) -> UnsafePointer<CChar>? {
    guard let h = try? Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation"),
          let m = try? h.metric(m) else { return nil }
    return UnsafePointer(h.lines[m])
}

@_cdecl("lmcore_evaluation_score")
public func exported_lmcore_evaluation_score(_ evaluation: OpaquePointer?, _ m: Int,
                                             _ score: UnsafeMutablePointer<Double>?) -> lmcore_status {
    exported("lmcore_evaluation_score") {
        let h = try Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation")
        guard let score else { throw nullArgument("score") }
        score.pointee = h.scores[try h.metric(m)].score
    }
}

@_cdecl("lmcore_evaluation_interval")
public func exported_lmcore_evaluation_interval(_ evaluation: OpaquePointer?, _ m: Int,
                                                _ mean: UnsafeMutablePointer<Double>?,
                                                _ halfWidth: UnsafeMutablePointer<Double>?) -> lmcore_status {
    exported("lmcore_evaluation_interval") {
        let h = try Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation")
        guard let mean else { throw nullArgument("mean") }
        guard let halfWidth else { throw nullArgument("half_width") }
        let b = h.scores[try h.metric(m)].bootstrap
        mean.pointee = b?.mean ?? .nan
        halfWidth.pointee = b?.halfWidth ?? .nan
    }
}

@_cdecl("lmcore_evaluation_sentence_score")
public func exported_lmcore_evaluation_sentence_score(_ evaluation: OpaquePointer?, _ m: Int, _ i: Int,
                                                      _ score: UnsafeMutablePointer<Double>?) -> lmcore_status {
    exported("lmcore_evaluation_sentence_score") {
        let h = try Handles.borrow(evaluation, as: EvaluationHandle.self, name: "evaluation")
        guard let score else { throw nullArgument("score") }
        let m = try h.metric(m)
        guard let sentence = h.sentence else {
            throw LMCoreError(.invalidArgument, "the evaluation has no sentence scores (set params.sentence_scores)")
        }
        guard i >= 0, i < sentence.count else {
            throw LMCoreError(.invalidArgument, "hypothesis index \(i) is out of range (\(sentence.count) hypotheses)")
        }
        score.pointee = sentence[i][m]
    }
}

@_cdecl("lmcore_evaluation_free")
public func exported_lmcore_evaluation_free(_ evaluation: OpaquePointer?) {
    Handles.release(evaluation, as: EvaluationHandle.self)
}
