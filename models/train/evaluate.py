"""Golden outputs for lmcore's tests: HF transformers on the saved numbers checkpoint.

    /opt/lmcore-ref/bin/python models/train/evaluate.py models/numbers-7lang

Reloads the checkpoint from disk exactly as a user would (AutoTokenizer /
AutoModelForSeq2SeqLM.from_pretrained, fp32, generation settings from generation_config.json),
checks the round trip (fp16 file -> fp32 model, config, tokenizer), then writes <model>/eval/:

  heldout.tsv       the held-out split: lang, number, source, reference (num2words)
  hf_beam4.jsonl    one line per heldout.tsv line: HF generate() with the checkpoint's defaults
                    (beam 4): {"input_ids": the source's ids, "ids": [...], "text": ...,
                    "score": sequences_scores}
  hf_greedy.jsonl   the same with num_beams=1: {"ids": [...], "text": ...}
  samples.jsonl     the README's sample inputs: {"source", "reference", "input_ids", "ids", "text", "score"}
  metadata.json     versions, generation settings, exact-match accuracy (overall, per language,
                    per digit count, and per language x digit count bucket), sacrebleu's corpus
                    BLEU and chrF of the beam-4 outputs (overall and per language)
and <model>/samples.txt, the demo's inputs (SAMPLES below), in samples.jsonl's order.

Every input is generated alone (batch of one), as `lmcore-cli translate` runs it, so padding
never enters the reference numbers; `--jobs N` splits the inputs over N processes (one torch
thread each), which changes nothing in the outputs. "ids" are the full generated sequence as generate() returns
it: decoder_start_token_id (= pad) first, </s> last.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import sys
import time

import num2words
import safetensors
import sacrebleu
import tokenizers
import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

# The README's sample inputs: every language, every digit count from 0 up, chosen before
# training (some are held out, some are training numbers, which is fine for a demonstration;
# accuracy is measured on heldout.tsv only). The first five are the ones issue 12 found wrong.
SAMPLES = [
    ">>en<< 0",
    ">>en<< 7",
    ">>en<< 12",
    ">>nl<< 80",
    ">>de<< 45",
    ">>es<< 15",
    ">>it<< 777",
    ">>fr<< 4213",
    ">>en<< 1984",
    ">>de<< 2026",
    ">>pt<< 90210",
    ">>nl<< 1234567",
    ">>es<< 3500000",
]


def check_round_trip(folder: str, model, tokenizer) -> None:
    """The fp32 model from_pretrained() builds holds exactly the (fp16) stored values, upcast."""
    stored = load_file(os.path.join(folder, "model.safetensors"))
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    for key, value in stored.items():
        live = params.get(key, buffers.get(key))
        assert live is not None, f"{key} not in the loaded model"
        assert live.dtype == torch.float32, f"{key} loaded as {live.dtype}"
        assert torch.equal(live, value.float()), f"{key} differs after loading"
    assert model.lm_head.weight.data_ptr() == model.model.shared.weight.data_ptr(), "lm_head not tied"
    assert float(model.final_logits_bias.abs().max()) > 0, "final_logits_bias is all zeros"
    gen = model.generation_config
    assert gen.num_beams == 4 and gen.bad_words_ids == [[tokenizer.pad_token_id]]
    assert gen.decoder_start_token_id == tokenizer.pad_token_id and gen.eos_token_id == 0
    enc = tokenizer(">>fr<< 4213")
    tokens = tokenizer.convert_ids_to_tokens(enc["input_ids"])
    assert tokens == [">>fr<<", "▁", "4", "2", "1", "3", "</s>"], tokens


def generate(model, tokenizer, source: str, **kwargs) -> dict:
    enc = tokenizer(source, return_tensors="pt")
    out = model.generate(**enc, return_dict_in_generate=True, output_scores=True, **kwargs)
    ids = out.sequences[0].tolist()
    result = {"input_ids": enc["input_ids"][0].tolist(), "ids": ids,
              "text": tokenizer.decode(ids, skip_special_tokens=True)}
    if getattr(out, "sequences_scores", None) is not None:
        result["score"] = float(out.sequences_scores[0])
    else:
        # Greedy: the smallest log-probability gap between the chosen and the runner-up token.
        result["margin"] = min(float(torch.log_softmax(s[0], -1).topk(2).values.diff().abs()) for s in out.scores)
    return result


def beam_margin(model, tokenizer, source: str) -> float:
    """Gap between the best and the second-best finished beam (generation defaults, 4 returned)."""
    enc = tokenizer(source, return_tensors="pt")
    out = model.generate(**enc, num_return_sequences=4, return_dict_in_generate=True, output_scores=True)
    return float(out.sequences_scores[0] - out.sequences_scores[1])


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


_worker: tuple | None = None


def _init_worker(folder: str, threads: int) -> None:
    global _worker
    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder)
    model.eval()
    _worker = (model, tokenizer)


def _evaluate_row(src: str) -> tuple[dict, dict, float]:
    """(beam-4 output, greedy output, beam margin) for one source, each generated alone."""
    model, tokenizer = _worker
    with torch.no_grad():
        return generate(model, tokenizer, src), generate(model, tokenizer, src, num_beams=1), \
            beam_margin(model, tokenizer, src)


def accuracy_table(rows, texts: list[str]) -> dict:
    """Exact match overall, per language, per digit count and per "lang/digits" bucket."""
    hits: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for (lang, n, _, ref), text in zip(rows, texts):
        digits = data.digit_count(n)
        for key in ("all", lang, f"{digits}_digits", f"{lang}/{digits}"):
            hits[key][0] += text == ref
            hits[key][1] += 1
    return {key: {"correct": c, "total": t, "accuracy": round(c / t, 4)} for key, (c, t) in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="checkpoint folder (written by train.py)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--jobs", type=int, default=1, help="processes generating in parallel")
    parser.add_argument("--limit", type=int, help="smoke test: only the first N held-out inputs per language")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSeq2SeqLM.from_pretrained(args.model)
    model.eval()
    check_round_trip(args.model, model, tokenizer)

    test, _ = data.split_numbers()
    if args.limit:
        test = {lang: numbers[: args.limit] for lang, numbers in test.items()}
    rows = data.pairs(test)
    out_dir = os.path.join(args.model, "eval")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "heldout.tsv"), "w") as f:
        f.write("lang\tnumber\tsource\treference\n")
        for lang, n, src, ref in rows:
            f.write(f"{lang}\t{n}\t{src}\t{ref}\n")

    sources = [r[2] for r in rows] + SAMPLES
    with multiprocessing.get_context("fork").Pool(args.jobs, _init_worker, (args.model, args.threads)) as pool:
        results = []
        for i, result in enumerate(pool.imap(_evaluate_row, sources, chunksize=8)):
            results.append(result)
            if (i + 1) % 400 == 0:
                print(f"{i + 1}/{len(sources)} {time.time() - t0:.0f}s", flush=True)
    beam = [b for b, _, _ in results[: len(rows)]]
    greedy = [{"ids": g["ids"], "text": g["text"]} for _, g, _ in results[: len(rows)]]
    margins = {
        "greedy": min((g["margin"], src) for (_, g, _), src in zip(results, sources[: len(rows)])),
        "beam4": min((m, src) for (_, _, m), src in zip(results, sources[: len(rows)])),
    }
    samples = []
    for src, (b, _, _) in zip(SAMPLES, results[len(rows):]):
        lang, number = src[2:4], int(src.split()[1])
        samples.append({"source": src, "reference": data.target_text(lang, number), **b})
    write_jsonl(os.path.join(out_dir, "hf_beam4.jsonl"), beam)
    write_jsonl(os.path.join(out_dir, "hf_greedy.jsonl"), greedy)
    write_jsonl(os.path.join(out_dir, "samples.jsonl"), samples)
    # The demo's inputs (scripts/demo.sh), in the same order as samples.jsonl.
    with open(os.path.join(args.model, "samples.txt"), "w") as f:
        f.write("".join(src + "\n" for src in SAMPLES))

    accuracy = {"beam4": accuracy_table(rows, [b["text"] for b in beam]),
                "greedy": accuracy_table(rows, [g["text"] for g in greedy])}
    errors = {mode: [{"source": r[2], "reference": r[3], "output": o["text"]}
                     for r, o in zip(rows, outs) if o["text"] != r[3]]
              for mode, outs in (("beam4", beam), ("greedy", greedy))}
    # Corpus BLEU and chrF of the beam-4 outputs (sacrebleu defaults: 13a, exp smoothing; chrF2),
    # overall and per language: what `lmcore-cli translate --reference` must print for the split.
    by_lang = {"all": list(range(len(rows)))} | {lang: [i for i, r in enumerate(rows) if r[0] == lang] for lang in data.LANGS}
    corpus_metrics = {
        key: {"bleu": sacrebleu.corpus_bleu([beam[i]["text"] for i in idx], [[rows[i][3] for i in idx]]).score,
              "chrf": sacrebleu.corpus_chrf([beam[i]["text"] for i in idx], [[rows[i][3] for i in idx]]).score}
        for key, idx in by_lang.items()
    }
    metadata = {
        "generator": "models/train/evaluate.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "tokenizers": tokenizers.__version__, "safetensors": safetensors.__version__,
                     "num2words": getattr(num2words, "__version__", "0.5.14"), "sacrebleu": sacrebleu.__version__},
        "model_loading": "AutoModelForSeq2SeqLM.from_pretrained(folder) (float32), eval(), batch of one",
        "generation": {"beam4": "model.generate(**inputs) with generation_config.json defaults",
                       "greedy": "model.generate(**inputs, num_beams=1)"},
        "heldout_examples": len(rows),
        "exact_match": accuracy,
        "beam4_sacrebleu": corpus_metrics,
        "errors": errors,
        "smallest_margins": {
            "greedy_top1_minus_top2_logprob": {"value": round(margins["greedy"][0], 4), "source": margins["greedy"][1]},
            "beam4_best_minus_second_sequences_score": {"value": round(margins["beam4"][0], 4),
                                                        "source": margins["beam4"][1]},
        },
        "samples": [{"source": s["source"], "text": s["text"], "correct": s["text"] == s["reference"]}
                    for s in samples],
    }
    with open(os.path.join(out_dir, "metadata.json"), "w") as f:
        json.dump(metadata, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for mode in ("beam4", "greedy"):
        table = accuracy[mode]
        print(f"{mode}: all {table['all']['accuracy']:.4f}; worst bucket "
              f"{min((v['accuracy'], k) for k, v in table.items() if '/' in k)}")
        print("  " + "  ".join(f"{k} {v['correct']}/{v['total']}" for k, v in table.items() if "/" not in k))
        for e in errors[mode]:
            print(f"  error: {e['source']} -> {e['output']} (ref: {e['reference']})")
    print("beam4 sacrebleu:", json.dumps({k: {m: round(v, 2) for m, v in d.items()} for k, d in corpus_metrics.items()}))
    print("smallest margins:", json.dumps(metadata["smallest_margins"]))
    for s in samples:
        print(f"{s['source']} -> {s['text']}" + ("" if s["text"] == s["reference"] else f"  (ref: {s['reference']})"))
    print(f"{time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
