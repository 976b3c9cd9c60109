"""Evaluation metrics computed by liblmcore: sacrebleu 2.6.0's BLEU, chrF, chrF++ and TER and
rouge-score 0.1.2's ROUGE, with the same numbers (0-100 scale).

    from lmcore import metrics
    metrics.bleu(hypotheses, [references]).score          # corpus BLEU, as sacrebleu.corpus_bleu
    metrics.chrf(hypotheses, [refs_a, refs_b])             # several reference streams
    metrics.evaluate(hypotheses, [references], ["bleu", "chrf++", "rougeL"], stem=True)

`references` is a list of reference streams, each with one string per hypothesis, as
sacrebleu's `corpus_score(hyps, [refs])`. The corpus ROUGE is the mean of sentence F-measures.
"""
import ctypes
from typing import Dict, List, Optional, Sequence

from . import _check, _lib
from ._library import EvaluationParams

__all__ = ["MetricScore", "evaluate", "bleu", "chrf", "chrf_plus_plus", "ter", "rouge", "sentence_scores", "METRICS",
           "TOKENIZERS"]

METRICS = ("bleu", "chrf", "chrf++", "ter", "rouge1", "rouge2", "rougeL", "rougeLsum")
TOKENIZERS = ("13a", "intl", "zh", "char", "none")


class MetricScore:
    """A corpus score: `name` ("bleu"), `score` (0-100), sacrebleu's `signature` and printed
    `line`, and with bootstrap resampling `mean` and `ci` (half-width of the 95% interval)."""

    __slots__ = ("name", "score", "signature", "line", "mean", "ci")

    def __init__(self, name, score, signature, line, mean=None, ci=None):
        self.name, self.score, self.signature, self.line, self.mean, self.ci = name, score, signature, line, mean, ci

    def __float__(self):
        return self.score

    def __repr__(self):
        return self.line


def _texts(values, what):
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a list of strings, not a single string")
    values = list(values)
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise TypeError(f"{what}[{i}] must be str, not {type(v).__name__}")
    return values


def _run(hypotheses, references, metrics, tokenize, lowercase, chrf_lowercase, stem, sentence, bootstrap, seed):
    hyps = _texts(hypotheses, "hypotheses")
    if not hyps:
        raise ValueError("hypotheses is empty")
    if isinstance(references, (str, bytes)) or not isinstance(references, Sequence):
        raise TypeError("references must be a list of reference streams (lists of strings)")
    streams = [_texts(s, f"references[{k}]") for k, s in enumerate(references)]
    if not streams:
        raise ValueError("references is empty: give at least one reference stream")
    for k, s in enumerate(streams):
        if len(s) != len(hyps):
            raise ValueError(f"references[{k}] has {len(s)} lines but there are {len(hyps)} hypotheses")
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    for name in names:
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r} (expected one of {', '.join(METRICS)})")
    if tokenize not in TOKENIZERS:
        raise ValueError(f"unknown tokenize {tokenize!r} (expected one of {', '.join(TOKENIZERS)})")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not 0 <= bootstrap <= 100_000:
        raise ValueError("bootstrap must be an int in 0..100000")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise ValueError("seed must be an int in 0..2**64-1")
    enc = lambda s: s.encode("utf-8", "surrogatepass")
    h = (ctypes.c_char_p * len(hyps))(*map(enc, hyps))
    flat = [enc(t) for s in streams for t in s]
    r = (ctypes.c_char_p * len(flat))(*flat)
    p = _lib.lmcore_evaluation_default_params()
    p.metrics = ",".join(names).encode()
    p.tokenize = tokenize.encode()
    p.lowercase, p.chrf_lowercase = int(bool(lowercase)), int(bool(chrf_lowercase))
    p.stem, p.sentence_scores = int(bool(stem)), int(bool(sentence))
    p.bootstrap_samples, p.seed = bootstrap, seed
    handle = ctypes.c_void_p()
    _check(_lib.lmcore_evaluate(h, len(hyps), r, len(streams), ctypes.byref(p), ctypes.byref(handle)))
    try:
        out, value, mean, ci = [], ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        for m, name in enumerate(names):
            _check(_lib.lmcore_evaluation_score(handle, m, ctypes.byref(value)))
            _check(_lib.lmcore_evaluation_interval(handle, m, ctypes.byref(mean), ctypes.byref(ci)))
            has_ci = bootstrap > 1
            out.append(MetricScore(name, value.value, _lib.lmcore_evaluation_signature(handle, m).decode(),
                                   _lib.lmcore_evaluation_line(handle, m).decode(),
                                   mean.value if has_ci else None, ci.value if has_ci else None))
        rows = None
        if sentence:
            rows = []
            for i in range(len(hyps)):
                row = {}
                for m, name in enumerate(names):
                    _check(_lib.lmcore_evaluation_sentence_score(handle, m, i, ctypes.byref(value)))
                    row[name] = value.value
                rows.append(row)
        return out, rows
    finally:
        _lib.lmcore_evaluation_free(handle)


def evaluate(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
             metrics: Sequence[str] = ("bleu", "chrf", "ter"), *, tokenize: str = "13a", lowercase: bool = False,
             chrf_lowercase: bool = False, stem: bool = False, bootstrap: int = 0,
             seed: int = 12345) -> Dict[str, MetricScore]:
    """Corpus scores by metric name (`lowercase` is BLEU's, `chrf_lowercase` chrF's, as in sacrebleu)."""
    scores, _ = _run(hypotheses, references, metrics, tokenize, lowercase, chrf_lowercase, stem, False, bootstrap,
                     seed)
    return {s.name: s for s in scores}


def sentence_scores(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                    metrics: Sequence[str] = ("bleu",), *, tokenize: str = "13a", lowercase: bool = False,
                    chrf_lowercase: bool = False, stem: bool = False) -> List[Dict[str, float]]:
    """One {metric: score} per hypothesis (sentence BLEU with effective order, as sacrebleu's sentence_bleu)."""
    _, rows = _run(hypotheses, references, metrics, tokenize, lowercase, chrf_lowercase, stem, True, 0, 12345)
    return rows


def bleu(hypotheses, references, *, tokenize: str = "13a", lowercase: bool = False, bootstrap: int = 0,
         seed: int = 12345) -> MetricScore:
    """Corpus BLEU as sacrebleu.corpus_bleu (smoothing exp, 4-grams)."""
    return evaluate(hypotheses, references, ["bleu"], tokenize=tokenize, lowercase=lowercase, bootstrap=bootstrap,
                    seed=seed)["bleu"]


def chrf(hypotheses, references, *, lowercase: bool = False, bootstrap: int = 0, seed: int = 12345) -> MetricScore:
    """Corpus chrF (character 6-grams, beta 2) as sacrebleu.corpus_chrf."""
    return evaluate(hypotheses, references, ["chrf"], chrf_lowercase=lowercase, bootstrap=bootstrap, seed=seed)["chrf"]


def chrf_plus_plus(hypotheses, references, *, lowercase: bool = False, bootstrap: int = 0,
                   seed: int = 12345) -> MetricScore:
    """Corpus chrF++ (chrF with word bigrams) as sacrebleu's CHRF(word_order=2)."""
    return evaluate(hypotheses, references, ["chrf++"], chrf_lowercase=lowercase, bootstrap=bootstrap,
                    seed=seed)["chrf++"]


def ter(hypotheses, references, *, bootstrap: int = 0, seed: int = 12345) -> MetricScore:
    """Corpus TER as sacrebleu.corpus_ter (case-insensitive, tercom tokenization)."""
    return evaluate(hypotheses, references, ["ter"], bootstrap=bootstrap, seed=seed)["ter"]


def rouge(hypotheses, references, type: str = "rougeL", *, stem: bool = False) -> MetricScore:
    """Mean sentence F-measure x 100 of rouge-score's `type` (rouge1, rouge2, rougeL, rougeLsum)."""
    if type not in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        raise ValueError(f"unknown ROUGE type {type!r}")
    return evaluate(hypotheses, references, [type], stem=stem)[type]
