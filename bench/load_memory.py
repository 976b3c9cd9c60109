"""Load time and peak memory: lmcore vs CTranslate2, per compute type, from the files each one loads.

    /opt/lmcore-ref/bin/python bench/make_models.py          # once: bench/work/<model>{,-ct2,-ct2-int8,-int8}
    swift build -c release                                   # once: liblmcore.so and lmcore-cli
    /opt/lmcore-ref/bin/python bench/load_memory.py [--model opus-mt-en-de] [--reps 5]

Each measurement is a fresh process (so ru_maxrss is that engine's alone): import the binding, note
RSS, load the model (timed), note RSS, run one small call that touches every weight (batch 4 x 16
ids, 8 greedy steps), note peak RSS. Engines, rotated each repetition:
  lmcore-float32         bench/work/<model> (float32 safetensors), compute_type float32
  lmcore-int8            the same file, compute_type int8 (quantized at load)
  lmcore-int8-file       bench/work/<model>-int8 (`lmcore-cli convert --quantize int8`), compute_type int8
  ct2-float32            bench/work/<model>-ct2 (float32 model.bin), compute_type float32
  ct2-int8               the same file, compute_type int8 (quantized at load)
  ct2-int8-file          bench/work/<model>-ct2-int8 (converted with quantization int8), compute_type int8
lmcore's load includes its warm-up (Model+WarmUp.swift: a 2-step beam search, so the first call costs
what later ones do); CTranslate2 has none. Medians over the repetitions; ratios lmcore / CT2 for the
same compute type and the same kind of file (lower is better).
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE))
from bench_generate import machine, make_batch  # noqa: E402

ENGINES = {  # name: (engine, folder suffix, compute type)
    "lmcore-float32": ("lmcore", "", "float32"),
    "lmcore-int8": ("lmcore", "", "int8"),
    "lmcore-int8-file": ("lmcore", "-int8", "int8"),
    "ct2-float32": ("ct2", "-ct2", "float32"),
    "ct2-int8": ("ct2", "-ct2", "int8"),
    "ct2-int8-file": ("ct2", "-ct2-int8", "int8"),
}
PAIRS = [("lmcore-float32", "ct2-float32"), ("lmcore-int8", "ct2-int8"), ("lmcore-int8-file", "ct2-int8-file")]


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(args):
    engine, suffix, compute = ENGINES[args.worker]
    folder = WORK / (args.model + suffix)
    config = json.loads((WORK / args.model / "config.json").read_text())
    batch = make_batch(4, 16, 16, config["vocab_size"], config["eos_token_id"],
                       {config["eos_token_id"], 1, config["pad_token_id"]}, 7)
    if engine == "lmcore":
        sys.path.insert(0, str(ROOT / "bindings" / "python"))
        import lmcore
        before = rss_mb()
        t0 = time.perf_counter()
        model = lmcore.Model(str(folder), threads=args.threads, compute_type=compute)
        load = time.perf_counter() - t0
        loaded = rss_mb()
        model.generate_ids(batch, max_new_tokens=8, min_new_tokens=8)
        effective = model.info["compute_type"]
    else:
        import ctranslate2
        vocab = json.loads((folder / "shared_vocabulary.json").read_text())
        tokens = [[vocab[i] for i in s] for s in batch]
        before = rss_mb()
        t0 = time.perf_counter()
        translator = ctranslate2.Translator(str(folder), device="cpu", compute_type=compute,
                                            intra_threads=args.threads, inter_threads=1)
        load = time.perf_counter() - t0
        loaded = rss_mb()
        translator.translate_batch(tokens, beam_size=1, max_decoding_length=8, min_decoding_length=8)
        effective = translator.compute_type
    print(json.dumps({"load_s": load, "rss_before_mb": before, "rss_loaded_mb": loaded, "rss_peak_mb": rss_mb(),
                      "compute_type": effective}))


def ensure_files(model):
    """The int8 files, made when missing (lmcore-cli convert; CTranslate2's converter needs the
    reference venv, so its int8 folder comes from make_models.py)."""
    lm = WORK / (model + "-int8")
    if not (lm / "model.safetensors").exists():
        subprocess.run([str(ROOT / ".build" / "release" / "lmcore-cli"), "convert", "--model", str(WORK / model),
                        "--out", str(lm), "--quantize", "int8", "--force"], check=True, stdout=subprocess.DEVNULL)
    if not (WORK / (model + "-ct2-int8") / "model.bin").exists():
        sys.exit(f"{WORK / (model + '-ct2-int8')} is missing: run bench/make_models.py {model}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="opus-mt-en-de")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--worker", choices=list(ENGINES), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    names = [n for n in args.engines.split(",") if n]
    for n in names:
        if n not in ENGINES:
            sys.exit(f"unknown engine {n!r}; known: {', '.join(ENGINES)}")
    ensure_files(args.model)
    print("CPU flags: " + " ".join(machine()["cpu_flags"]))
    print(f"model {args.model}, {args.threads} threads, {args.reps} interleaved fresh-process reps")
    runs = {n: [] for n in names}
    for rep in range(args.reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for n in order:
            out = subprocess.run([sys.executable, __file__, "--worker", n, "--model", args.model,
                                  "--threads", str(args.threads)], check=True, capture_output=True, text=True)
            runs[n].append(json.loads(out.stdout.strip().splitlines()[-1]))
            time.sleep(0.5)
    results = {"machine": machine(), "model": args.model, "engines": {}, "ratios": {}}
    print(f"{'engine':18s} {'type':>8s} {'load s':>7s} {'RSS loaded':>10s} {'peak RSS':>9s} {'(of it, before load)':>20s}")
    for n in names:
        r = runs[n]
        row = {k: statistics.median(x[k] for x in r) for k in ("load_s", "rss_before_mb", "rss_loaded_mb", "rss_peak_mb")}
        row["compute_type"] = r[0]["compute_type"]
        results["engines"][n] = row
        print(f"{n:18s} {row['compute_type']:>8s} {row['load_s']:7.3f} {row['rss_loaded_mb']:7.0f} MB {row['rss_peak_mb']:6.0f} MB "
              f"{row['rss_before_mb']:17.0f} MB")
    for a, b in PAIRS:
        if a in runs and b in runs:
            # Paired per repetition, as the two ran next to each other.
            load = statistics.median(x["load_s"] / y["load_s"] for x, y in zip(runs[a], runs[b]))
            peak = statistics.median((x["rss_peak_mb"] - x["rss_before_mb"]) / (y["rss_peak_mb"] - y["rss_before_mb"])
                                     for x, y in zip(runs[a], runs[b]))
            results["ratios"][f"{a}/{b}"] = {"load": load, "peak_rss_above_import": peak}
            print(f"{a}/{b}: load {load:.2f}x, peak RSS above the import {peak:.2f}x (median of per-rep ratios)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
