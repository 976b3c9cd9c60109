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
  metadata.json     versions, generation settings, exact-match accuracy (overall, per language)

Every input is generated alone (batch of one), as `lmcore-cli translate` runs it, so padding
never enters the reference numbers. "ids" are the full generated sequence as generate() returns
it: decoder_start_token_id (= pad) first, </s> last.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

import num2words
import safetensors
import tokenizers
import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

# The README's sample inputs: one per language, chosen before training (some are training
# numbers, which is fine for a demonstration; accuracy is measured on heldout.tsv only).
SAMPLES = [
    ">>en<< 1984",
    ">>fr<< 4213",
    ">>de<< 2026",
    ">>es<< 3500000",
    ">>it<< 777",
    ">>pt<< 90210",
    ">>nl<< 1234567",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="checkpoint folder (written by train.py)")
    parser.add_argument("--threads", type=int, default=1)
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

    beam, greedy = [], []
    margins = {"beam4": (float("inf"), ""), "greedy": (float("inf"), "")}
    hits = {"beam4": collections.Counter(), "greedy": collections.Counter()}
    with torch.no_grad():
        for i, (lang, n, src, ref) in enumerate(rows):
            b = generate(model, tokenizer, src)
            g = generate(model, tokenizer, src, num_beams=1)
            beam.append(b)
            greedy.append({"ids": g["ids"], "text": g["text"]})
            margins["greedy"] = min(margins["greedy"], (g["margin"], src))
            margins["beam4"] = min(margins["beam4"], (beam_margin(model, tokenizer, src), src))
            hits["beam4"][lang] += b["text"] == ref
            hits["greedy"][lang] += g["text"] == ref
            if (i + 1) % 200 == 0:
                print(f"{i + 1}/{len(rows)} beam4 {sum(hits['beam4'].values()) / (i + 1):.4f} "
                      f"greedy {sum(hits['greedy'].values()) / (i + 1):.4f} {time.time() - t0:.0f}s", flush=True)
        samples = []
        for src in SAMPLES:
            lang, number = src[2:4], int(src.split()[1])
            samples.append({"source": src, "reference": data.target_text(lang, number), **generate(model, tokenizer, src)})
    write_jsonl(os.path.join(out_dir, "hf_beam4.jsonl"), beam)
    write_jsonl(os.path.join(out_dir, "hf_greedy.jsonl"), greedy)
    write_jsonl(os.path.join(out_dir, "samples.jsonl"), samples)

    per_lang = {lang: len(test[lang]) for lang in data.LANGS}
    accuracy = {
        mode: {"all": round(sum(c.values()) / len(rows), 4),
               **{lang: round(c[lang] / per_lang[lang], 4) for lang in data.LANGS}}
        for mode, c in hits.items()
    }
    metadata = {
        "generator": "models/train/evaluate.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "tokenizers": tokenizers.__version__, "safetensors": safetensors.__version__,
                     "num2words": getattr(num2words, "__version__", "0.5.14")},
        "model_loading": "AutoModelForSeq2SeqLM.from_pretrained(folder) (float32), eval(), batch of one",
        "generation": {"beam4": "model.generate(**inputs) with generation_config.json defaults",
                       "greedy": "model.generate(**inputs, num_beams=1)"},
        "heldout_examples": len(rows),
        "exact_match": accuracy,
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
    print(json.dumps(accuracy, indent=1))
    print("smallest margins:", json.dumps(metadata["smallest_margins"]))
    for s in samples:
        print(f"{s['source']} -> {s['text']}" + ("" if s["text"] == s["reference"] else f"  (ref: {s['reference']})"))
    print(f"{time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
