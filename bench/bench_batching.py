"""Length-sorted batching (RequestOptions / max_batch_size) on a mixed-length file.

    swift build -c release && /opt/lmcore-ref/bin/python bench/bench_batching.py [--model DIR] [--reps 5]

The input is what a user's file looks like: held-out lines of 1 to 7 digits in every language, in
random order (seeded). Compared, interleaved over --reps repetitions, beam 4 (the model's default):
  unsorted    consecutive chunks of 32 lines, one translate() call each (batches as they come,
              what lmcore did before sorting)
  sorted      one translate() call over the whole file, max_batch_size=32 (sorted by length into
              batches of 32, results in input order)
  tokens      the same with batch_type="tokens", max_batch_size=32*avg tokens
Outputs are checked equal. Prints lines/s and the median per-repetition ratio, and the CPU flags.
"""
import argparse
import os
import random
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
os.environ.setdefault("LMCORE_LIBRARY", os.path.join(ROOT, ".build", "release", "liblmcore.so"))
import lmcore  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "numbers-7lang"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--lines", type=int, default=2048)
    args = ap.parse_args()
    rows = [l.split("\t")[2] for l in open(os.path.join(ROOT, "models", "numbers-7lang", "eval", "heldout.tsv"))
            .read().splitlines()[1:]]
    random.Random(7).shuffle(rows)
    lines = (rows * (args.lines // len(rows) + 1))[:args.lines]
    model = lmcore.Model(args.model, threads=2)
    avg = sum(len(model.tokenizer.encode(l)) for l in lines) / len(lines)
    runs = {
        "unsorted": lambda: [h for i in range(0, len(lines), 32) for h in model.translate(lines[i:i + 32])],
        "sorted": lambda: model.translate(lines, max_batch_size=32),
        "tokens": lambda: model.translate(lines, max_batch_size=int(32 * avg), batch_type="tokens"),
    }
    outputs = {k: [h[0].text for h in f()] for k, f in runs.items()}
    assert outputs["sorted"] == outputs["unsorted"] == outputs["tokens"]
    times = {k: [] for k in runs}
    keys = list(runs)
    for rep in range(args.reps):
        for k in keys[rep % 3:] + keys[:rep % 3]:
            start = time.perf_counter()
            runs[k]()
            times[k].append(time.perf_counter() - start)
    flags = " ".join(sorted(set(re.findall(r"avx512[a-z_0-9]*|avx2|fma|amx[a-z_]*", open("/proc/cpuinfo").read()))))
    print(f"CPU flags: {flags}")
    print(f"{args.model}: {len(lines)} mixed-length lines (avg {avg:.1f} tokens), beam 4, 2 threads, {args.reps} reps")
    for k in keys:
        ratios = sorted(u / t for u, t in zip(times["unsorted"], times[k]))
        print(f"{k:9} {len(lines) / min(times[k]):8.0f} lines/s (best)   vs unsorted {ratios[len(ratios) // 2]:.2f}x (median)")


if __name__ == "__main__":
    main()
