"""lmcore.metrics against sacrebleu and rouge-score (Tests/Fixtures/metrics/goldens.json, written
by Tests/Generator/gen_metrics.py): corpus scores within 1e-6, sentence scores, signatures and
sacrebleu's printed lines, and argument errors raised in Python before anything reaches ctypes."""
import json
from pathlib import Path

import pytest

import lmcore
from lmcore import metrics

GOLDENS = json.loads((Path(__file__).resolve().parents[3] / "Tests" / "Fixtures" / "metrics" / "goldens.json")
                     .read_text(encoding="utf-8"))
HYPS = GOLDENS["hypotheses"]


def golden(metric, refs, **options):
    for case in GOLDENS["cases"]:
        if case["metric"] == metric and case["refs"] == refs and all(case["options"].get(k) == v
                                                                        for k, v in options.items()):
            return case
    raise KeyError((metric, refs, options))


@pytest.mark.parametrize("refs", [1, 2])
@pytest.mark.parametrize("tokenize", ["13a", "intl", "zh", "char", "none"])
@pytest.mark.parametrize("lowercase", [False, True])
def test_bleu(refs, tokenize, lowercase):
    want = golden("bleu", refs, tokenize=tokenize, lowercase=lowercase, smooth_method=None)
    got = metrics.bleu(HYPS, GOLDENS["references"][:refs], tokenize=tokenize, lowercase=lowercase)
    assert abs(got.score - want["corpus"]) <= 1e-6
    assert got.signature == want["signature"]
    assert got.line == want["formatted"]
    assert float(got) == got.score


@pytest.mark.parametrize("refs", [1, 2])
def test_chrf_chrfpp_ter_rouge(refs):
    streams = GOLDENS["references"][:refs]
    chrf = golden("chrf", refs, word_order=0, lowercase=False, whitespace=False, eps_smoothing=False)
    assert abs(metrics.chrf(HYPS, streams).score - chrf["corpus"]) <= 1e-6
    chrfpp = golden("chrf", refs, word_order=2, whitespace=False)
    assert abs(metrics.chrf_plus_plus(HYPS, streams).score - chrfpp["corpus"]) <= 1e-6
    ter = golden("ter", refs, normalized=False, no_punct=False, asian_support=False, case_sensitive=False)
    got = metrics.ter(HYPS, streams)
    assert abs(got.score - ter["corpus"]) <= 1e-6 and got.line == ter["formatted"]
    for stem in (False, True):
        for t in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
            assert abs(metrics.rouge(HYPS, streams, t, stem=stem).score - golden(t, refs, use_stemmer=stem)["corpus"]) <= 1e-9


def test_evaluate_and_sentence_scores():
    streams = GOLDENS["references"][:2]
    scores = metrics.evaluate(HYPS, streams, ["bleu", "chrf", "ter", "rougeL"])
    assert list(scores) == ["bleu", "chrf", "ter", "rougeL"]
    rows = metrics.sentence_scores(HYPS, streams, ["bleu", "chrf"])
    want_bleu = golden("bleu", 2, tokenize="13a", lowercase=False, smooth_method=None)["sentence"]
    want_chrf = golden("chrf", 2, word_order=0, lowercase=False, whitespace=False, eps_smoothing=False)["sentence"]
    assert len(rows) == len(HYPS)
    for row, b, c in zip(rows, want_bleu, want_chrf):
        assert abs(row["bleu"] - b) <= 1e-6 and abs(row["chrf"] - c) <= 1e-6


def test_bootstrap_interval_is_seeded():
    a = metrics.bleu(HYPS, GOLDENS["references"][:1], bootstrap=100, seed=3)
    b = metrics.bleu(HYPS, GOLDENS["references"][:1], bootstrap=100, seed=3)
    assert a.mean == b.mean and a.ci == b.ci and a.ci > 0
    assert "bs:100|seed:3|" in a.signature


def test_bad_arguments_raise_before_ctypes():
    refs = [["a b c"]]
    with pytest.raises(TypeError):
        metrics.bleu("a b c", refs)  # a string, not a list
    with pytest.raises(TypeError):
        metrics.bleu([1], refs)
    with pytest.raises(ValueError, match="1 lines but there are 2"):
        metrics.bleu(["a", "b"], refs)
    with pytest.raises(ValueError):
        metrics.bleu([], refs)
    with pytest.raises(ValueError):
        metrics.bleu(["a"], [])
    with pytest.raises(ValueError, match="meteor"):
        metrics.evaluate(["a"], refs, ["meteor"])
    with pytest.raises(ValueError):
        metrics.bleu(["a"], refs, tokenize="moses")
    with pytest.raises(ValueError):
        metrics.bleu(["a"], refs, bootstrap=2**31)
    with pytest.raises(ValueError):
        metrics.rouge(["a"], refs, "rougeX")
