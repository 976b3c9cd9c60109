"""Golden outputs for lmcore's tests: the recurrent numbers checkpoint (model_type "rnn_seq2seq").

    /opt/lmcore-ref/bin/python models/train/evaluate_rnn.py models/numbers-7lang-gru

transformers has no recurrent seq2seq, so the reference is torch: the float16 checkpoint upcast
to float32 in the batched tutorial-3 module (rnn_model.py), and transformers' own generate() on
top of it through a MarianMTModel subclass whose forward re-runs the batched decoder over the
whole prefix (use_cache=False), as Tests/Generator/gen_rnn_models.py `ReferenceSeq2Seq` does for
the test fixtures (there one input at a time over rnn_reference.py). Beam search, length
penalty, early stopping and bad_words_ids are therefore HF's, with generation_config.json's
settings (beam 4, bad_words_ids [[800]], max_length 64, length_penalty 1.0, early_stopping False).

Checks before writing anything:
* the module holds exactly the stored float16 values, upcast, under the canonical names;
* rnn_reference.Seq2Seq (the formulas, one input at a time) loaded with the same state_dict gives
  the batched module's teacher-forced logits within 1e-4 on 21 held-out inputs (all in one padded
  batch, so masking = per-input semantics);
* batched generate() = generate() one input at a time, on --check-alone inputs (greedy and beam);
* generate() over rnn_reference.Seq2Seq itself (gen_rnn_models.py's ReferenceSeq2Seq, one input
  at a time) = the batched outputs, on --check-reference inputs (greedy and beam).

Writes <model>/eval/:
  torch_beam4.jsonl  line i is for data row i of models/numbers-7lang/eval/heldout.tsv (the
                     Transformer's 3,584-row held-out split, checked to be data.py's):
                     {"input_ids", "ids" (decoder start 800 first, </s> last),
                     "text" (decode skip_special_tokens), "score" (sequences_scores)}
  torch_greedy.jsonl the same with num_beams=1: {"input_ids", "ids", "text"}
  metadata.json      versions, settings, exact match (overall, per language, per digit count,
                     per bucket), errors, sacrebleu BLEU/chrF of beam 4, smallest margins, checks
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time

import num2words
import safetensors
import sacrebleu
import tokenizers
import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoTokenizer, GenerationConfig, MarianConfig, MarianMTModel
from transformers.modeling_outputs import BaseModelOutput, Seq2SeqLMOutput

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "Tests", "Generator"))
import data  # noqa: E402
import rnn_reference  # noqa: E402
from evaluate import accuracy_table  # noqa: E402
from rnn_model import Seq2Seq  # noqa: E402

HELDOUT = os.path.join(HERE, "..", "numbers-7lang", "eval", "heldout.tsv")


def load_model(folder: str):
    """The batched module with the stored fp16 weights upcast to fp32, and its sizes."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    assert config["model_type"] == "rnn_seq2seq" and config["cell"] == "gru" and config["num_layers"] == 1
    assert config["bidirectional_encoder"] and config["bridge"] == "linear_tanh" and config["attention"] == "bahdanau"
    stored = load_file(os.path.join(folder, "model.safetensors"))
    assert all(t.dtype == torch.float16 for t in stored.values())
    vocab, emb = stored["encoder.embedding.weight"].shape
    hidden = config["hidden_size"]
    dec_hidden = stored["encoder.fc.weight"].shape[0]
    assert vocab == config["vocab_size"]
    model = Seq2Seq(vocab, emb, hidden, dec_hidden)
    assert set(model.state_dict()) == set(stored), set(model.state_dict()) ^ set(stored)
    model.load_state_dict({k: v.float() for k, v in stored.items()}, strict=True)
    model.eval()
    for k, v in model.state_dict().items():
        assert v.dtype == torch.float32 and torch.equal(v, stored[k].float()), k
    return model, config, dict(vocab=vocab, emb=emb, hidden=hidden, dec_hidden=dec_hidden), stored


def pad_sources(srcs, pad):
    S = max(map(len, srcs))
    src = torch.full((len(srcs), S), pad, dtype=torch.long)
    for b, s in enumerate(srcs):
        src[b, : len(s)] = torch.tensor(s)
    return src, torch.tensor([len(s) for s in srcs])


@torch.no_grad()
def check_reference_logits(model, sizes, stored, tokenizer, rows, config) -> float:
    """rnn_reference.Seq2Seq (one input at a time) vs the batched module (one padded batch)."""
    cfg = dict(cell="gru", num_layers=1, bidirectional_encoder=True, bridge="linear_tanh", attention="bahdanau")
    ref = rnn_reference.Seq2Seq(cfg, sizes["vocab"], sizes["vocab"], sizes["emb"], sizes["hidden"],
                                sizes["dec_hidden"]).eval()
    ref.load_state_dict({k: v.float() for k, v in stored.items()}, strict=True)
    pad = config["pad_token_id"]
    srcs = [tokenizer(r[2])["input_ids"] for r in rows]
    prefixes = [[config["decoder_start_token_id"]] + tokenizer(r[3])["input_ids"][:-1] for r in rows]
    src, src_len = pad_sources(srcs, pad)
    T = max(map(len, prefixes))
    trg = torch.full((len(rows), T), pad, dtype=torch.long)
    for b, p in enumerate(prefixes):
        trg[b, : len(p)] = torch.tensor(p)
    batched = model(src, src_len, trg)
    worst = 0.0
    for b, (s, p) in enumerate(zip(srcs, prefixes)):
        expected = ref.logits(s, p)
        worst = max(worst, float((batched[b, : len(p)] - expected).abs().max()))
    assert worst < 1e-4, f"batched module vs rnn_reference: max |diff| {worst}"
    return worst


class IdsEncoder(torch.nn.Module):
    """Hands the unpadded source ids to forward() through encoder_outputs (pad positions -1)."""

    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        ids = input_ids.clone().float()
        if attention_mask is not None:
            ids[attention_mask == 0] = -1
        return BaseModelOutput(last_hidden_state=ids.unsqueeze(-1))


class TorchSeq2Seq(MarianMTModel):
    """transformers' generate over the batched module: logits of the last prefix position, the
    decoder re-run over the whole prefix at every step (no cache)."""

    def get_encoder(self, *args, **kwargs):
        return self._ids_encoder

    def forward(self, input_ids=None, attention_mask=None, decoder_input_ids=None, encoder_outputs=None,
                past_key_values=None, use_cache=None, return_dict=True, **kwargs):
        ids = encoder_outputs.last_hidden_state[:, :, 0]
        src_len = (ids >= 0).sum(1)
        src = ids.clamp(min=0).long()
        with torch.no_grad():
            if self._alone:  # rnn_reference.Seq2Seq, one row at a time (gen_rnn_models.py's ReferenceSeq2Seq)
                rows = [self._reference.logits([int(x) for x in r if x >= 0], p)[-1]
                        for r, p in zip(ids.tolist(), decoder_input_ids.tolist())]
                logits = torch.stack(rows).unsqueeze(1)
            else:
                logits = self._module(src, src_len, decoder_input_ids, last_only=True)
        return Seq2SeqLMOutput(logits=logits)


def hf_wrapper(module, folder, config, reference=None):
    wrapper_config = MarianConfig(
        vocab_size=config["vocab_size"], d_model=8, encoder_layers=1, decoder_layers=1, encoder_attention_heads=1,
        decoder_attention_heads=1, encoder_ffn_dim=8, decoder_ffn_dim=8, max_position_embeddings=128,
        pad_token_id=config["pad_token_id"], decoder_start_token_id=config["decoder_start_token_id"],
        eos_token_id=config["eos_token_id"], bos_token_id=None)
    hf = TorchSeq2Seq(wrapper_config).eval()
    hf._ids_encoder = IdsEncoder()
    hf._module = module
    hf._reference = reference
    hf._alone = reference is not None
    hf.generation_config = GenerationConfig.from_pretrained(folder)
    return hf


def trim(seq, start, eos):
    seq = [int(x) for x in seq]
    assert seq[0] == start, seq
    out = [start]
    for t in seq[1:]:
        out.append(t)
        if t == eos:
            break
    return out


@torch.no_grad()
def generate(hf, tokenizer, sources, batch: int, beams: bool, start: int, eos: int, log=None):
    """Per source: {"input_ids", "ids", "text"} + "score" and "beam_margin" (beam) or "margin" (greedy)."""
    pad = hf.config.pad_token_id
    results = []
    t0 = time.time()
    for lo in range(0, len(sources), batch):
        part = sources[lo : lo + batch]
        srcs = [tokenizer(s)["input_ids"] for s in part]
        ids, _ = pad_sources(srcs, pad)
        mask = torch.tensor([[1] * len(s) + [0] * (ids.shape[1] - len(s)) for s in srcs])
        options = dict(num_return_sequences=4) if beams else dict(num_beams=1)
        g = hf.generate(ids, attention_mask=mask, do_sample=False, use_cache=False, output_scores=True,
                        return_dict_in_generate=True, **options)
        for i, s in enumerate(srcs):
            if beams:
                seq = trim(g.sequences[4 * i], start, eos)
                scores = g.sequences_scores[4 * i : 4 * i + 4]
                row = dict(input_ids=s, ids=seq, text=tokenizer.decode(seq, skip_special_tokens=True),
                           score=float(scores[0]), beam_margin=float(scores[0] - scores[1]))
            else:
                seq = trim(g.sequences[i], start, eos)
                margin = float("inf")
                for step in range(len(seq) - 1):  # the steps that chose seq[1:]
                    top = torch.log_softmax(g.scores[step][i], -1).topk(2).values
                    margin = min(margin, float(top[0] - top[1]))
                    assert int(g.scores[step][i].argmax()) == seq[step + 1]
                row = dict(input_ids=s, ids=seq, text=tokenizer.decode(seq, skip_special_tokens=True), margin=margin)
            results.append(row)
        if log and (lo // batch) % 8 == 7:
            print(f"  {'beam4' if beams else 'greedy'} {lo + len(part)}/{len(sources)} {time.time() - t0:.0f}s",
                  flush=True)
    return results


def write_jsonl(path, rows, keys):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps({k: row[k] for k in keys}, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="checkpoint folder (written by train_rnn.py)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64, help="inputs per generate() call")
    parser.add_argument("--limit", type=int, help="smoke test: only the first N held-out rows")
    parser.add_argument("--check-alone", type=int, default=100, help="inputs also generated one at a time")
    parser.add_argument("--check-reference", type=int, default=14,
                        help="inputs also generated over rnn_reference.Seq2Seq one at a time")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()
    t0 = time.time()

    model, config, sizes, stored = load_model(args.model)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    start, eos = config["decoder_start_token_id"], config["eos_token_id"]
    tokens = tokenizer.convert_ids_to_tokens(tokenizer(">>fr<< 4213")["input_ids"])
    assert tokens == [">>fr<<", "▁", "4", "2", "1", "3", "</s>"], tokens
    gen = GenerationConfig.from_pretrained(args.model)
    assert gen.num_beams == 4 and gen.bad_words_ids == [[config["pad_token_id"]]] and gen.max_length == 64
    assert gen.decoder_start_token_id == start and gen.eos_token_id == eos

    with open(HELDOUT, newline="") as f:
        rows = [(r["lang"], int(r["number"]), r["source"], r["reference"])
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    test, _ = data.split_numbers()
    assert rows == data.pairs(test), "heldout.tsv is not data.py's split"
    assert len(rows) == 3584
    if args.limit:
        rows = rows[: args.limit]
    sources = [r[2] for r in rows]

    # Consistency: formulas one input at a time vs the batched module; 3 inputs per language.
    probe = [r for i, r in enumerate(rows) if i % max(1, len(rows) // 21) == 0][:21]
    worst = check_reference_logits(model, sizes, stored, tokenizer, probe, config)
    print(f"teacher-forced logits, batched module vs rnn_reference.Seq2Seq on {len(probe)} inputs: "
          f"max |diff| {worst:.2e}", flush=True)

    hf = hf_wrapper(model, args.model, config)
    greedy = generate(hf, tokenizer, sources, args.batch, False, start, eos, log=True)
    print(f"greedy done {time.time() - t0:.0f}s", flush=True)
    beam = generate(hf, tokenizer, sources, args.batch, True, start, eos, log=True)
    print(f"beam4 done {time.time() - t0:.0f}s", flush=True)

    # Batched generate() = one input at a time (masking and packing = per-input semantics).
    step = max(1, len(sources) // max(1, args.check_alone))
    alone_idx = list(range(0, len(sources), step))[: args.check_alone]
    alone_g = generate(hf, tokenizer, [sources[i] for i in alone_idx], 1, False, start, eos)
    alone_b = generate(hf, tokenizer, [sources[i] for i in alone_idx], 1, True, start, eos)
    score_diff = 0.0
    for i, g, b in zip(alone_idx, alone_g, alone_b):
        assert g["ids"] == greedy[i]["ids"] and b["ids"] == beam[i]["ids"], sources[i]
        score_diff = max(score_diff, abs(b["score"] - beam[i]["score"]))
    assert score_diff < 1e-4, score_diff
    print(f"batched = alone on {len(alone_idx)} inputs (greedy and beam; max score diff {score_diff:.1e}) "
          f"{time.time() - t0:.0f}s", flush=True)

    # generate() over the formulas themselves (rnn_reference.Seq2Seq, one input at a time).
    cfg = dict(cell="gru", num_layers=1, bidirectional_encoder=True, bridge="linear_tanh", attention="bahdanau")
    reference = rnn_reference.Seq2Seq(cfg, sizes["vocab"], sizes["vocab"], sizes["emb"], sizes["hidden"],
                                      sizes["dec_hidden"]).eval()
    reference.load_state_dict({k: v.float() for k, v in stored.items()}, strict=True)
    href = hf_wrapper(None, args.model, config, reference=reference)
    step = max(1, len(sources) // max(1, args.check_reference))
    ref_idx = list(range(step // 2, len(sources), step))[: args.check_reference]
    ref_g = generate(href, tokenizer, [sources[i] for i in ref_idx], 1, False, start, eos)
    ref_b = generate(href, tokenizer, [sources[i] for i in ref_idx], 1, True, start, eos)
    for i, g, b in zip(ref_idx, ref_g, ref_b):
        assert g["ids"] == greedy[i]["ids"] and b["ids"] == beam[i]["ids"], sources[i]
        assert abs(b["score"] - beam[i]["score"]) < 1e-4
    print(f"rnn_reference generate = batched on {len(ref_idx)} inputs (greedy and beam) {time.time() - t0:.0f}s",
          flush=True)

    out_dir = os.path.join(args.model, "eval")
    os.makedirs(out_dir, exist_ok=True)
    write_jsonl(os.path.join(out_dir, "torch_beam4.jsonl"), beam, ("input_ids", "ids", "text", "score"))
    write_jsonl(os.path.join(out_dir, "torch_greedy.jsonl"), greedy, ("input_ids", "ids", "text"))

    accuracy = {"beam4": accuracy_table(rows, [b["text"] for b in beam]),
                "greedy": accuracy_table(rows, [g["text"] for g in greedy])}
    errors = {mode: [{"source": r[2], "reference": r[3], "output": o["text"]}
                     for r, o in zip(rows, outs) if o["text"] != r[3]]
              for mode, outs in (("beam4", beam), ("greedy", greedy))}
    by_lang = {"all": list(range(len(rows)))} | {
        lang: [i for i, r in enumerate(rows) if r[0] == lang] for lang in data.LANGS}
    corpus_metrics = {
        key: {"bleu": sacrebleu.corpus_bleu([beam[i]["text"] for i in idx], [[rows[i][3] for i in idx]]).score,
              "chrf": sacrebleu.corpus_chrf([beam[i]["text"] for i in idx], [[rows[i][3] for i in idx]]).score}
        for key, idx in by_lang.items() if idx
    }
    gm = min((g["margin"], s) for g, s in zip(greedy, sources))
    bm = min((b["beam_margin"], s) for b, s in zip(beam, sources))
    metadata = {
        "generator": "models/train/evaluate_rnn.py",
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "safetensors": safetensors.__version__,
                     "num2words": getattr(num2words, "__version__", "0.5.14"), "sacrebleu": sacrebleu.__version__},
        "model": {"model_type": "rnn_seq2seq", **{k: config[k] for k in ("cell", "num_layers", "bidirectional_encoder",
                                                                           "bridge", "attention")},
                  "embedding": sizes["emb"], "encoder_hidden_per_direction": sizes["hidden"],
                  "decoder_hidden": sizes["dec_hidden"], "vocab": sizes["vocab"],
                  "parameters": sum(t.numel() for t in stored.values())},
        "model_loading": "model.safetensors (float16) upcast to float32 into models/train/rnn_model.py Seq2Seq, eval()",
        "generation": {
            "how": "transformers generate() over a MarianMTModel subclass whose forward re-runs the batched "
                   "module's decoder over the whole prefix (use_cache=False); inputs padded in batches of "
                   f"{args.batch}, padded source positions packed away / masked (outputs equal one input at a time)",
            "beam4": "generation_config.json defaults (num_beams 4, bad_words_ids [[800]], max_length 64, "
                     "length_penalty 1.0, early_stopping False); score = sequences_scores of the best of 4 returned",
            "greedy": "the same with num_beams=1",
        },
        "checks": {
            "teacher_forced_logits_vs_rnn_reference_max_abs_diff": worst, "inputs": len(probe),
            "batched_equals_alone_inputs": len(alone_idx), "batched_vs_alone_max_score_diff": score_diff,
            "rnn_reference_generate_equals_batched_inputs": len(ref_idx),
        },
        "heldout_examples": len(rows),
        "exact_match": accuracy,
        "beam4_sacrebleu": corpus_metrics,
        "errors": errors,
        "smallest_margins": {
            "greedy_top1_minus_top2_logprob": {"value": round(gm[0], 4), "source": gm[1]},
            "beam4_best_minus_second_sequences_score": {"value": round(bm[0], 4), "source": bm[1]},
        },
    }
    with open(os.path.join(out_dir, "metadata.json"), "w") as f:
        json.dump(metadata, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for mode in ("beam4", "greedy"):
        table = accuracy[mode]
        print(f"{mode}: all {table['all']['correct']}/{table['all']['total']} = {table['all']['accuracy']:.4f}; "
              f"worst bucket {min((v['accuracy'], k) for k, v in table.items() if '/' in k)}")
        print("  " + "  ".join(f"{k} {v['correct']}/{v['total']}" for k, v in table.items() if "/" not in k))
        for e in errors[mode]:
            print(f"  error: {e['source']} -> {e['output']} (ref: {e['reference']})")
    print("beam4 sacrebleu:", json.dumps({k: {m: round(v, 2) for m, v in d.items()} for k, d in corpus_metrics.items()}))
    print("smallest margins:", json.dumps(metadata["smallest_margins"]))
    print(f"{time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
