#!/usr/bin/env python3
"""`lmcore-cli evaluate` against sacrebleu's own command line on the same files.

    /opt/lmcore-ref/bin/python bench/bench_evaluate.py [--pairs 100000] [--reps 3] [--metrics bleu chrf ter]

Writes a seeded corpus of N hypothesis/reference pairs (sentences of 5-40 words drawn from a
Zipf-like vocabulary of 20,000 words with punctuation and numbers; hypotheses are perturbed
references) to a temporary folder, then times, interleaved and repeated, for each metric:
  sacrebleu REF -i HYP -m METRIC -b          (sacrebleu 2.6.0's CLI, the reference venv's python)
  lmcore-cli evaluate -r REF --metrics M     (stdin HYP)
checks that both print the same score (4 decimals) and reports the median time and the ratio
sacrebleu / lmcore (higher is better for lmcore). Record the CPU flags with every table.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SACREBLEU_NAME = {"bleu": "bleu", "chrf": "chrf", "ter": "ter"}


def corpus(n, seed=20261203):
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzéèàüöß"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 10))) for _ in range(20000)]
    weights = [1 / (r + 1) for r in range(len(vocab))]
    refs, hyps = [], []
    for _ in range(n):
        words = rng.choices(vocab, weights, k=rng.randint(5, 40))
        for i in range(len(words)):
            r = rng.random()
            if r < 0.05:
                words[i] = words[i].capitalize()
            elif r < 0.08:
                words[i] += rng.choice([",", ".", ";", "!", "?"])
            elif r < 0.10:
                words[i] = str(rng.randint(0, 10000))
        ref = " ".join(words) + "."
        hyp = list(words)
        for _ in range(rng.randint(0, 6)):
            op, i = rng.random(), rng.randrange(len(hyp))
            if op < 0.3 and len(hyp) > 1:
                del hyp[i]
            elif op < 0.6:
                hyp[i] = rng.choices(vocab, weights)[0]
            elif op < 0.8 and len(hyp) > 1:
                j = rng.randrange(len(hyp))
                hyp[i], hyp[j] = hyp[j], hyp[i]
            else:
                hyp.insert(i, rng.choices(vocab, weights)[0])
        refs.append(ref)
        hyps.append(" ".join(hyp) + ".")
    return hyps, refs


def timed(cmd, stdin_path=None):
    t = time.perf_counter()
    with open(stdin_path or os.devnull, "rb") as f:
        out = subprocess.run(cmd, stdin=f, capture_output=True, check=True).stdout.decode()
    return time.perf_counter() - t, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--metrics", nargs="+", default=["bleu", "chrf", "ter"])
    ap.add_argument("--cli", default=os.path.join(ROOT, ".build", "release", "lmcore-cli"))
    args = ap.parse_args()
    flags = subprocess.run("grep -o -E 'avx512[a-z_]*|avx2|fma|amx[a-z_]*' /proc/cpuinfo | sort -u | tr '\\n' ' '",
                           shell=True, capture_output=True, text=True).stdout.strip()
    print(f"CPU flags: {flags}; {os.cpu_count()} cores; {args.pairs} pairs, {args.reps} interleaved reps")
    hyps, refs = corpus(args.pairs)
    with tempfile.TemporaryDirectory() as tmp:
        hyp_path, ref_path = os.path.join(tmp, "hyp.txt"), os.path.join(tmp, "ref.txt")
        for path, lines in ((hyp_path, hyps), (ref_path, refs)):
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        print("| metric | sacrebleu CLI (s) | lmcore-cli evaluate (s) | sacrebleu / lmcore | same score |")
        print("|---|---:|---:|---:|---|")
        for metric in args.metrics:
            sacre, ours, ratios, same = [], [], [], True
            for _ in range(args.reps):
                ts, out_s = timed([sys.executable, "-m", "sacrebleu", ref_path, "-i", hyp_path, "-m",
                                   SACREBLEU_NAME[metric], "-b", "-w", "4"])
                tl, out_l = timed([args.cli, "evaluate", "-r", ref_path, "--metrics", metric, "--json"], hyp_path)
                ours_score = json.loads(out_l)[metric]
                same &= f"{ours_score:.4f}" == out_s.strip().split()[0]
                sacre.append(ts)
                ours.append(tl)
                ratios.append(ts / tl)
            print(f"| {metric} | {statistics.median(sacre):.2f} | {statistics.median(ours):.2f} | "
                  f"{statistics.median(ratios):.2f}x | {'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
