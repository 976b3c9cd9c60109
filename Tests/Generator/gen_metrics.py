#!/usr/bin/env python3
"""Golden fixtures for LMEvaluation: sacrebleu's BLEU, chrF, chrF++ and TER and Google's
rouge-score ROUGE on a small multilingual corpus.

The corpus is a pure function of SEED: hand-written sentences in eleven languages and scripts
(Latin with accents, Cyrillic, Greek with final sigma, Arabic, Hindi, Chinese, Japanese, Korean),
numbers with separators, HTML entities and <skipped>, punctuation runs, one-word and empty
lines, and very long lines; hypotheses are seeded perturbations of references (dropped,
swapped, repeated, re-cased and replaced words; changed punctuation), and a second reference
stream is another perturbation. Everything runs through the reference libraries' public APIs.

Writes Tests/Fixtures/metrics/goldens.json:
  {"versions", "hypotheses", "references": [stream1, stream2],
   "cases": [{"metric", "options", "refs": 1|2, "corpus": score, "signature",
              "statistics": [...per sentence...] (sacrebleu metrics), "sentence": [...scores...],
              "details": {...}}]}
Run: /opt/lmcore-ref/bin/python Tests/Generator/gen_metrics.py
"""
import json
import os
import random

import nltk
import rouge_score
import sacrebleu
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF, TER

SEED = 20261203
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Fixtures", "metrics", "goldens.json")

BASE = [
    "The quick brown fox jumps over the lazy dog.",
    "In 2024, the company earned $1,234,567.89 -- up 12.5% from last year!",
    "Dr. Smith's patients (all 37 of them) waited; nobody complained... for once?",
    "Tom & Jerry &amp; friends said &quot;hello&quot; to the &lt;crowd&gt;.",
    "She sells sea-shells by the sea-shore, 3-4 times a week.",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Les élèves ont reçu leurs résultats à 18h30, n'est-ce pas ?",
    "¿Dónde está la biblioteca? ¡No lo sé!",
    "Быстрая коричневая лиса прыгает через ленивую собаку.",
    "ΟΔΟΣ ΣΟΦΙΑΣ: Ο ΣΩΚΡΑΤΗΣ ΕΙΠΕ «ΓΝΩΘΙ ΣΑΥΤΟΝ».",
    "القطة تجلس على السجادة الحمراء في الصباح.",
    "यह एक सरल वाक्य है, जिसमें कुछ शब्द हैं।",
    "我们今天去公园散步，天气非常好。",
    "北京是中国的首都，人口超过两千万。",
    "東京タワーは高さ333メートルです。",
    "한국어 문장은 띄어쓰기를 사용합니다.",
    "Running runners ran quickly through the generously organized marathons.",
    "The cats are sitting on the mats, and the dogs were barking loudly.",
    "<skipped> part of the line was skipped",
    "Wait—what?! No way… (really) [sure] {ok} \"quoted\" 'single'",
    "e-mail: john.doe@example.com, URL: https://example.org/a/b?c=d&e=f",
    "İstanbul'da KELVIN sıcaklığı 300K idi; ǅemal said ﬁne.",
    "word",
    "A",
    "",
    "   ",
    "1984",
    "3.14159 is π and 2.71828 is e; 1,000,000 > 999.999",
    "Numbers: 1.5, 2,5, -3, +4, 5-6, 7–8, 10.",
    "He said: 'It's over.' Then he left.",
]

FILLER = ("the of and to in is was he for it with as his on be at by had are but from or have an they which one you "
          "were her all she there would their we him been has when who will more no if out so said what up its about "
          "into than them can only other new some could time these two may then do first any my now such like our over "
          "man me even most made after also did many before must through back years where much your way well down "
          "should because each just those people how too little state good very make world still own see men work "
          "long get here between both life being under never day same another know while last might us great old year "
          "off come since against go came right used take three").split()


def perturb(rng, text):
    words = text.split()
    if not words:
        return rng.choice(["", "word", text])
    ops = rng.randint(0, 4)
    for _ in range(ops):
        op = rng.random()
        i = rng.randrange(len(words)) if words else 0
        if op < 0.2 and len(words) > 1:
            del words[i]
        elif op < 0.4 and len(words) > 1:
            j = rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        elif op < 0.55:
            words.insert(i, words[i] if words else "x")
        elif op < 0.7:
            words[i] = words[i].upper() if rng.random() < 0.5 else words[i].lower()
        elif op < 0.85:
            words[i] = rng.choice(FILLER)
        else:
            words[i] = words[i].rstrip(".,!?;:") + rng.choice(["", ".", ",", "!", "?!", "...", " ."])
        if not words:
            break
    return " ".join(words)


def long_line(rng, n):
    return " ".join(rng.choice(FILLER) + ("," if rng.random() < 0.05 else "") for _ in range(n)) + "."


def corpus():
    rng = random.Random(SEED)
    refs = list(BASE)
    for _ in range(50):
        refs.append(perturb(rng, rng.choice(BASE) + " " + rng.choice(BASE)))
    for n in (120, 300):
        refs.append(long_line(rng, n))
    # Multi-sentence references for ROUGE-Lsum (newline separated).
    refs.append("The cat sat on the mat.\nThe dog sat on the log.\nEveryone was happy.")
    refs.append("我们今天去公园。\n天气非常好。")
    hyps = [perturb(rng, r) if "\n" not in r else r.replace("sat", "lay", 1) for r in refs]
    hyps[BASE.index("word")] = "word"
    hyps[BASE.index("A")] = "B"
    hyps[BASE.index("1984")] = ""
    refs2 = [perturb(rng, r) if "\n" not in r else r for r in refs]
    return hyps, refs, refs2


def sacre_case(metric_name, metric, hyps, streams, options, sentence_metric=None):
    stats = metric._extract_corpus_statistics(hyps, streams)
    score = metric.corpus_score(hyps, streams)
    sent_metric = sentence_metric or metric
    sentence = [sent_metric.sentence_score(h, [s[i] for s in streams]).score for i, h in enumerate(hyps)]
    case = {"metric": metric_name, "options": options, "refs": len(streams), "corpus": score.score,
            "signature": str(metric.get_signature()), "statistics": [[float(x) for x in row] for row in stats],
            "sentence": sentence, "formatted": score.format(signature=str(metric.get_signature()))}
    if metric_name == "bleu":
        case["details"] = {"counts": list(map(float, score.counts)), "totals": list(map(float, score.totals)),
                           "precisions": score.precisions, "bp": score.bp, "sys_len": score.sys_len,
                           "ref_len": score.ref_len}
        case["sentence_signature"] = str(sent_metric.get_signature())
    return case


def main():
    hyps, refs, refs2 = corpus()
    # sacrebleu warns on sentence BLEU without effective order; the goldens record both.
    import logging
    logging.getLogger("sacrebleu").setLevel(logging.ERROR)
    cases = []
    for streams in ([refs], [refs, refs2]):
        for tok in ("13a", "intl", "zh", "char", "none"):
            for lowercase in (False, True):
                options = {"tokenize": tok, "lowercase": lowercase}
                cases.append(sacre_case("bleu", BLEU(tokenize=tok, lowercase=lowercase), hyps, streams, options,
                                        BLEU(tokenize=tok, lowercase=lowercase, effective_order=True)))
        for smooth, value in (("floor", None), ("floor", 0.5), ("add-k", None), ("add-k", 2), ("none", None)):
            options = {"tokenize": "13a", "smooth_method": smooth, "smooth_value": value}
            cases.append(sacre_case("bleu", BLEU(smooth_method=smooth, smooth_value=value), hyps, streams, options,
                                    BLEU(smooth_method=smooth, smooth_value=value, effective_order=True)))
        for word_order, lowercase, whitespace, eps in ((0, False, False, False), (2, False, False, False),
                                                       (0, True, False, False), (2, False, True, False),
                                                       (0, False, False, True)):
            options = {"word_order": word_order, "lowercase": lowercase, "whitespace": whitespace,
                       "eps_smoothing": eps}
            cases.append(sacre_case("chrf", CHRF(word_order=word_order, lowercase=lowercase, whitespace=whitespace,
                                                 eps_smoothing=eps), hyps, streams, options))
        for normalized, no_punct, asian, case_sensitive in ((False, False, False, False), (True, False, False, False),
                                                           (False, True, False, False), (True, False, True, False),
                                                           (False, False, False, True)):
            options = {"normalized": normalized, "no_punct": no_punct, "asian_support": asian,
                       "case_sensitive": case_sensitive}
            cases.append(sacre_case("ter", TER(normalized=normalized, no_punct=no_punct, asian_support=asian,
                                               case_sensitive=case_sensitive), hyps, streams, options))
        for stem in (False, True):
            types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
            scorer = rouge_scorer.RougeScorer(types, use_stemmer=stem)
            rows = [scorer.score_multi([s[i] for s in streams], h) for i, h in enumerate(hyps)]
            for t in types:
                sentence = [[r[t].precision, r[t].recall, r[t].fmeasure] for r in rows]
                cases.append({"metric": t, "options": {"use_stemmer": stem}, "refs": len(streams),
                              "corpus": 100 * sum(s[2] for s in sentence) / len(sentence), "sentence": sentence})
    # The command line reads one segment per line: the same corpus without multi-line segments,
    # scored with each option set `lmcore-cli evaluate` offers (its --json keys and values).
    keep = [i for i in range(len(hyps)) if "\n" not in hyps[i] + refs[i] + refs2[i]]
    ch, cr, cr2 = [hyps[i] for i in keep], [refs[i] for i in keep], [refs2[i] for i in keep]
    cli = []
    for flags, streams in (([], [cr]), (["--tokenize", "intl", "--lowercase"], [cr]), (["--stem", "--chrf-lowercase"], [cr]),
                           ([], [cr, cr2]), (["--tokenize", "zh"], [cr, cr2]), (["--tokenize", "char"], [cr])):
        tok = flags[flags.index("--tokenize") + 1] if "--tokenize" in flags else "13a"
        lc = "--lowercase" in flags
        chrf_lc = "--chrf-lowercase" in flags
        stem = "--stem" in flags
        scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=stem)
        rows = [scorer.score_multi([st[i] for st in streams], h) for i, h in enumerate(ch)]
        expected = {
            "bleu": BLEU(tokenize=tok, lowercase=lc).corpus_score(ch, streams).score,
            "chrf": CHRF(lowercase=chrf_lc).corpus_score(ch, streams).score,
            "chrf++": CHRF(word_order=2, lowercase=chrf_lc).corpus_score(ch, streams).score,
            "ter": TER().corpus_score(ch, streams).score,
            **{t: 100 * sum(r[t].fmeasure for r in rows) / len(rows) for t in ("rouge1", "rouge2", "rougeL")},
        }
        sentence_bleu = BLEU(tokenize=tok, lowercase=lc, effective_order=True)
        sentence_chrf = CHRF(lowercase=chrf_lc)
        sentence = [{"bleu": sentence_bleu.sentence_score(h, [st[i] for st in streams]).score,
                     "chrf": sentence_chrf.sentence_score(h, [st[i] for st in streams]).score}
                    for i, h in enumerate(ch)]
        cli.append({"flags": flags, "refs": len(streams), "corpus": expected, "sentence": sentence})
    out = {
        "generator": "Tests/Generator/gen_metrics.py",
        "versions": {"sacrebleu": sacrebleu.__version__, "rouge_score": "0.1.2", "nltk": nltk.__version__},
        "hypotheses": hyps,
        "references": [refs, refs2],
        "cases": cases,
        "cli": {"hypotheses": ch, "references": [cr, cr2], "cases": cli},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"{len(hyps)} sentences, {len(cases)} cases -> {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
