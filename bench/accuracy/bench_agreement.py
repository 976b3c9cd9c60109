"""Accuracy of lmcore's compute types, and of CTranslate2 int8, against transformers float32.

    /opt/lmcore-ref/bin/python bench/make_models.py      # once: bench/work/<model>{,-ct2,-ct2-int8}
    swift build -c release                               # once: .build/release/liblmcore.so
    lmcore-cli convert --model bench/work/<m> --out bench/work/<m>-int8 --quantize int8   # once per model
    /opt/lmcore-ref/bin/python bench/accuracy/bench_agreement.py
    /opt/lmcore-ref/bin/python bench/accuracy/bench_agreement.py --models t5-small --batch 2 --new-tokens 4

On the random-weight bench models (bench/work/opus-mt-en-de, t5-small, flan-t5-small), the batch of
bench/bench_generate.py (32 inputs of 20-40 ids ending in EOS, seed 1234, specials excluded) is run by:
  reference            transformers, torch float32, model.generate greedy with min = max = --new-tokens
                       (as bench_generate's HFWorker: decoder start token dropped, cut after the first
                       EOS), then teacher-forced along its own greedy sequences: one forward pass with
                       decoder_input_ids = [decoder start] + greedy[:-1], log_softmax of the raw logits
                       at each greedy token
  lmcore-float32, lmcore-float16, lmcore-int8-float32, lmcore-int8
                       lmcore (bindings/python) on bench/work/<model> with that compute_type ("int8"
                       runs int8_float32 where the CPU has no AVX-512 VNNI: the table says so)
  lmcore-int8-file     compute_type "int8" on bench/work/<model>-int8 (stored int8 checkpoint)
  ct2-float32, ct2-int8  CTranslate2 on bench/work/<model>-ct2, compute_type float32 / int8 (quantized
                       at load)
  ct2-int8-file        CTranslate2 compute_type int8 on bench/work/<model>-ct2-int8 (converted int8)
Per engine:
  greedy = HF          sequences whose greedy ids equal transformers' exactly, like bench_generate's
                       checks: lmcore's whole sequence; CTranslate2's first --new-tokens - 1 tokens
                       (it does not emit Marian's forced EOS: min_decoding_length bans EOS to the end)
  mean/max |d log p|   along transformers' greedy sequences (the same targets for every engine), the
                       engine's teacher-forced per-token log-probabilities (lmcore Model.score,
                       CTranslate2 Translator.score_batch) against transformers', over every target
                       token of every sequence (EOS included where the target has one)
Token alignment: lmcore's score takes the ids after the decoder start token and scores exactly them
(EOS only when the target holds it); CTranslate2's score_batch adds the start token and appends EOS
itself, so targets go to it without a trailing EOS and its log_probs are cut to the target's length,
after checking that its returned tokens are the target's. Each float32 engine's mean |d log p| is
float32 rounding, which grows with the size of the logits (the random t5-small's are large: about
1e-3 for both lmcore and CTranslate2): lmcore float32's is flagged (exit status 1) when it is above
both --alignment-tolerance and twice CTranslate2 float32's on the same model, which would mean
misaligned tokens or a real numerical difference rather than rounding.

transformers runs in this process; each engine runs in its own subprocess (its libraries never share
a process with torch, and each model is freed before the next is loaded). Speed and memory are not
measured (bench/bench_generate.py does that).
"""
import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
WORK = BENCH / "work"
sys.path.insert(0, str(BENCH))
from bench_generate import add_batch_arguments, make_batch, machine  # noqa: E402
from load_memory import ENGINES as FILE_ENGINES  # noqa: E402

MODELS = ["opus-mt-en-de", "t5-small", "flan-t5-small"]
# Engine name: (library, folder suffix under bench/work/<model>, compute_type): load_memory.py's
# engines (the files each engine loads) plus lmcore's other two compute types on the float file.
ENGINES = {**FILE_ENGINES, "lmcore-float16": ("lmcore", "", "float16"),
           "lmcore-int8-float32": ("lmcore", "", "int8_float32")}
# The float32 engines: lmcore's log-probs must match transformers' as closely as CTranslate2's do.
FLOAT32 = ("lmcore-float32", "ct2-float32")


def strip(sequences, eos):
    """As bench_generate's HFWorker._strip: drops the decoder start token and everything after the
    first EOS (not trailing pad ids in general: T5's pad id is an ordinary output)."""
    out = []
    for s in sequences:
        s = s[1:]
        if eos in s:
            s = s[:s.index(eos) + 1]
        out.append(s)
    return out


# ----------------------------------------------------------------------------------------------
# Reference: transformers float32 (in this process).

def hf_reference(path, batch, config, new_tokens, threads):
    """Greedy ids and, teacher-forced along them, the log-probability of each greedy token."""
    import torch
    import transformers
    torch.set_num_threads(threads)
    model = transformers.AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32).eval()
    pad, eos = config["pad_token_id"], config["eos_token_id"]
    width = max(len(s) for s in batch)
    input_ids = torch.tensor([s + [pad] * (width - len(s)) for s in batch])
    attention_mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in batch])
    with torch.inference_mode():
        out = model.generate(input_ids=input_ids, attention_mask=attention_mask, max_new_tokens=new_tokens,
                             min_new_tokens=new_tokens, num_beams=1, do_sample=False).tolist()
        greedy = strip(out, eos)
        # Teacher forcing: the start token generate used, then each greedy sequence but its last
        # token. Shorter rows are right-padded; the decoder is causal, so padding after a position
        # does not change it, and padded positions are not read.
        longest = max(len(g) for g in greedy)
        decoder_input_ids = torch.tensor([[row[0]] + g[:-1] + [pad] * (longest - len(g))
                                          for row, g in zip(out, greedy)])
        logits = model(input_ids=input_ids, attention_mask=attention_mask,
                       decoder_input_ids=decoder_input_ids).logits
        log_probs = torch.log_softmax(logits.float(), dim=-1)
        targets = torch.tensor([g + [0] * (longest - len(g)) for g in greedy])
        chosen = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1).tolist()
    token_log_probs = [row[:len(g)] for row, g in zip(chosen, greedy)]
    info = {"torch": torch.__version__, "transformers": transformers.__version__,
            "decoder_start": sorted({row[0] for row in out})}
    del model, logits, log_probs
    gc.collect()
    return greedy, token_log_probs, info


# ----------------------------------------------------------------------------------------------
# Engines (each in its own subprocess, see worker_main).

def run_lmcore(path, compute_type, job):
    """Greedy ids and Model.score's per-token log-probs of the targets."""
    sys.path.insert(0, str(ROOT / "bindings" / "python"))
    import lmcore
    n = job["new_tokens"]
    with lmcore.Model(path, threads=job["threads"], load_tokenizer=False, compute_type=compute_type) as model:
        in_effect = model.info["compute_type"]
        out = model.generate_ids(job["batch"], max_new_tokens=n, min_new_tokens=n, beam_size=1)
        ids = [hyps[0].ids for hyps in out]
        # Targets are the ids after the decoder start token; lmcore scores exactly those (EOS too
        # when the target ends with it), one log-prob per target id.
        scored = model.score(job["batch"], job["targets"])
    scores = []
    for i, (target, s) in enumerate(zip(job["targets"], scored)):
        if len(s.token_scores) != len(target):
            raise SystemExit(f"lmcore score, input {i}: {len(s.token_scores)} log-probs for {len(target)} target ids")
        scores.append(list(s.token_scores))
    return {"ids": ids, "log_probs": scores, "compute_type": in_effect, "library": lmcore.LIBRARY_PATH,
            "version": lmcore.version()}


def run_ct2(path, compute_type, job):
    """Greedy ids (translate_batch, as bench_generate's CT2Worker) and score_batch's per-token
    log-probs of the targets."""
    import ctranslate2
    n, eos = job["new_tokens"], job["eos"]
    translator = ctranslate2.Translator(path, device="cpu", compute_type=compute_type,
                                        intra_threads=job["threads"], inter_threads=1)
    vocab = json.loads((Path(path) / "shared_vocabulary.json").read_text())
    index = {t: i for i, t in enumerate(vocab)}
    source = [[vocab[i] for i in s] for s in job["batch"]]
    results = translator.translate_batch(source, beam_size=1, max_decoding_length=n, min_decoding_length=n,
                                         return_scores=False)
    ids = [[index[t] for t in r.hypotheses[0]] for r in results]
    # score_batch prepends the decoder start token and appends EOS itself: the targets go without
    # their trailing EOS (when they have one), and the log-probs are cut to the target's length
    # (dropping the appended EOS's when the target had none, as T5's greedy outputs here).
    trimmed = [t[:-1] if t and t[-1] == eos else t for t in job["targets"]]
    scored = translator.score_batch(source, [[vocab[i] for i in t] for t in trimmed])
    scores = []
    for i, (target, r) in enumerate(zip(job["targets"], scored)):
        tokens = [index[t] for t in r.tokens]
        if len(r.log_probs) == len(tokens) + 1:   # tokens without the appended EOS
            tokens.append(eos)
        if len(r.log_probs) != len(tokens) or tokens[:len(target)] != target:
            raise SystemExit(f"ct2 score_batch, input {i}: scored tokens {tokens[:8]}... ({len(r.log_probs)} "
                             f"log-probs) do not line up with the target {target[:8]}... ({len(target)} ids)")
        scores.append(list(r.log_probs[:len(target)]))
    del translator
    return {"ids": ids, "log_probs": scores, "compute_type": compute_type, "ctranslate2": ctranslate2.__version__}


def worker_main(args):
    job = json.loads(Path(args.job).read_text())
    library, suffix, compute_type = ENGINES[args.worker]
    path = str(WORK / (job["model"] + suffix))
    run = run_lmcore if library == "lmcore" else run_ct2
    result = run(path, compute_type, job)
    Path(args.out).write_text(json.dumps(result))
    return 0


def run_engine(name, job, tmp, threads):
    """One engine in a fresh interpreter: its result, or an error string."""
    job_file, out_file = Path(tmp) / "job.json", Path(tmp) / f"{name}.json"
    job_file.write_text(json.dumps(job))
    env = dict(os.environ)
    # lmcore and CTranslate2 get their thread count from their own setting, not the environment.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE"):
        env.pop(var, None)
    proc = subprocess.run([sys.executable, __file__, "--worker", name, "--job", str(job_file), "--out", str(out_file)],
                          env=env)
    if proc.returncode != 0 or not out_file.exists():
        return None
    return json.loads(out_file.read_text())


# ----------------------------------------------------------------------------------------------
# Comparison.

def greedy_agreement(ids, reference, limit=None):
    """Sequences equal to the reference (the first `limit` ids when given, as bench_generate's
    compare()), and per sequence the first differing position (None when equal)."""
    equal, first = 0, []
    for x, y in zip(ids, reference):
        xs, ys = (x[:limit], y[:limit]) if limit else (x, y)
        if xs == ys:
            equal += 1
            first.append(None)
        else:
            first.append(next((k for k in range(min(len(xs), len(ys))) if xs[k] != ys[k]), min(len(xs), len(ys))))
    return equal, first


def log_prob_differences(log_probs, reference):
    diffs = [abs(a - b) for xs, ys in zip(log_probs, reference) for a, b in zip(xs, ys)]
    return sum(diffs) / len(diffs), max(diffs), len(diffs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS), help=f"comma-separated folders under bench/work "
                    f"(default {','.join(MODELS)})")
    ap.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, from {', '.join(ENGINES)} (default all)")
    add_batch_arguments(ap)
    ap.add_argument("--alignment-tolerance", type=float, default=1e-4,
                    help="mean |d log p| below which lmcore float32 always passes (default 1e-4)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--worker", choices=list(ENGINES), help=argparse.SUPPRESS)
    ap.add_argument("--job", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker_main(args)

    os.environ.update(TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_OFFLINE="1")
    models = [m for m in args.models.split(",") if m]
    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in ENGINES:
            sys.exit(f"unknown engine {e!r}; known: {', '.join(ENGINES)}")
    for m in models:
        for folder in [m] + sorted({m + ENGINES[e][1] for e in engines}):
            if not (WORK / folder).is_dir():
                sys.exit(f"{WORK / folder} is missing (bench/make_models.py; lmcore-cli convert --quantize int8 "
                         f"for <model>-int8)")

    flags = machine()["cpu_flags"]
    print("CPU flags: " + " ".join(flags))
    print(f"batch {args.batch} x {args.min_len}-{args.max_len} ids (seed {args.seed}), greedy, "
          f"{args.new_tokens} new tokens, {args.threads} threads")
    results = {"args": {k: v for k, v in vars(args).items() if k not in ("worker", "job", "out")},
               "date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "models": {}}
    rows = []
    misaligned = []
    failed = []
    with tempfile.TemporaryDirectory(prefix="bench_agreement-") as tmp:
        for m in models:
            config = json.loads((WORK / m / "config.json").read_text())
            eos, pad = config["eos_token_id"], config["pad_token_id"]
            batch = make_batch(args.batch, args.min_len, args.max_len, config["vocab_size"], eos, {eos, 1, pad},
                               args.seed)
            t0 = time.perf_counter()
            greedy, reference, info = hf_reference(str(WORK / m), batch, config, args.new_tokens, args.threads)
            lengths = sorted({len(g) for g in greedy})
            print(f"{m}: transformers reference in {time.perf_counter() - t0:.1f} s, target lengths {lengths}, "
                  f"{sum(g[-1] == eos for g in greedy)} of {len(greedy)} end in EOS  {info}", flush=True)
            model_result = {"reference": {**info, "ids": greedy, "log_probs": reference}, "engines": {}}
            float32_means = {}
            job = {"model": m, "batch": batch, "targets": greedy, "new_tokens": args.new_tokens,
                   "threads": args.threads, "eos": eos}
            for e in engines:
                t0 = time.perf_counter()
                r = run_engine(e, job, tmp, args.threads)
                if r is None:
                    print(f"  {e}: FAILED (see its stderr above)", flush=True)
                    failed.append(f"{m} {e}")
                    rows.append((m, e, "failed", "", ""))
                    continue
                # CTranslate2 stops at the maximum without the forced EOS: its first n-1 tokens
                # (bench_generate's compare(limit=new_tokens - 1); a limit of 0 compares everything).
                limit = args.new_tokens - 1 if ENGINES[e][0] == "ct2" else None
                equal, first = greedy_agreement(r["ids"], greedy, limit)
                mean, worst, count = log_prob_differences(r["log_probs"], reference)
                label = e if r["compute_type"] == ENGINES[e][2] else f"{e} (ran {r['compute_type']})"
                print(f"  {label}: {equal}/{len(greedy)} greedy = HF, mean |d log p| {mean:.2e}, max {worst:.2e} "
                      f"({count} tokens, {time.perf_counter() - t0:.1f} s)", flush=True)
                if e in FLOAT32:
                    float32_means[e] = mean
                rows.append((m, label, f"{equal}/{len(greedy)}", f"{mean:.2e}", f"{worst:.2e}"))
                model_result["engines"][e] = {
                    "compute_type_in_effect": r["compute_type"], "greedy_equal": equal, "sequences": len(greedy),
                    "greedy_compared_tokens": limit, "first_difference": first,
                    "mean_abs_log_prob_diff": mean, "max_abs_log_prob_diff": worst, "scored_tokens": count,
                    "ids": r["ids"], "log_probs": r["log_probs"],
                    **{k: v for k, v in r.items() if k not in ("ids", "log_probs", "compute_type")}}
            results["models"][m] = model_result
            ours, peer = float32_means.get("lmcore-float32"), float32_means.get("ct2-float32")
            if ours is not None and ours > args.alignment_tolerance and (peer is None or ours > 2 * peer):
                misaligned.append(f"{m} lmcore-float32: mean |d log p| {ours:.2e} > {args.alignment_tolerance:g}"
                                  + (f" and > 2 x ct2-float32's {peer:.2e}" if peer is not None else ""))

    print("\nCPU flags: " + " ".join(flags))
    print(f"{args.new_tokens} new tokens, greedy; log-probs teacher-forced along transformers' greedy ids\n")
    print("| model | engine | greedy = HF (k/%d) | mean \\|Δ log p\\| | max \\|Δ log p\\| |" % args.batch)
    print("|---|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for line in misaligned:
        print("ALIGNMENT? " + line)
    results["misaligned"] = misaligned
    results["failed"] = failed
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 1 if misaligned or failed else 0


if __name__ == "__main__":
    sys.exit(main())
