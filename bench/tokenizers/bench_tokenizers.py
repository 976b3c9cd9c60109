#!/usr/bin/env python3
"""Single-thread tokenizer throughput: lmcore (LMTokenizer.HFTokenizer) vs HF tokenizers.

Builds ~20 MB of multilingual text (seeded: the shared corpus' words mixed with random words from
a dozen scripts, so word caches do not see only repeats), then for each tokenizer, interleaved and
best of N: HF `Tokenizer.encode_batch(lines)` with TOKENIZERS_PARALLELISM=false, and lmcore's
`encodeBatch` through bench/tokenizers/TokenizerBench.swift (compiled here with swiftc against the
release objects of LMTokenizer, so no Package.swift target is needed). Also checks that both give
the same ids (count and checksum) and reports load times.

Run from the repo root: /opt/lmcore-ref/bin/python bench/tokenizers/bench_tokenizers.py [--mb 20] [--repeats 3]
"""
import argparse
import glob
import json
import os
import random
import subprocess
import sys
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"

from tokenizers import Tokenizer  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(REPO, "bench", "work")
FIX = os.path.join(REPO, "Tests", "Fixtures", "tokenizers")
TOKENIZERS = [("gpt2", "byte-level BPE"), ("roberta-base", "byte-level BPE"), ("bert-base-uncased", "WordPiece"),
              ("t5-small", "Unigram"), ("marian-nmt-ortx-test", "Unigram")]
SCRIPTS = [(0x61, 0x7A), (0x430, 0x44F), (0x3B1, 0x3C9), (0x627, 0x64A), (0x5D0, 0x5EA), (0x915, 0x939),
           (0xE01, 0xE2E), (0x4E00, 0x4FFF), (0x3041, 0x3093), (0xAC00, 0xAD00), (0x10D0, 0x10F0), (0xC0, 0xFF)]


def make_text(mb, seed=1234):
    rng = random.Random(seed)
    with open(os.path.join(REPO, "Tests", "Fixtures", "corpus", "multilingual.jsonl"), encoding="utf-8") as f:
        corpus = [json.loads(line)["text"] for line in f if line.strip()]
    words = [w for line in corpus for w in line.split()]
    target = mb * 1_000_000
    lines, size = [], 0
    while size < target:
        n = rng.randint(5, 40)
        out = []
        for _ in range(n):
            if rng.random() < 0.7:
                out.append(rng.choice(words))
            else:
                lo, hi = rng.choice(SCRIPTS)
                out.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(2, 9))))
            if rng.random() < 0.1:
                out.append(rng.choice([",", ".", "!", "?", "123", "2024", ":", "-"]))
        line = " ".join(out)
        lines.append(line)
        size += len(line.encode("utf-8")) + 1
    return lines, size


def build_harness():
    subprocess.run(["swift", "build", "-c", "release", "--target", "LMTokenizer"], cwd=REPO, check=True)
    objects = sorted(glob.glob(os.path.join(REPO, ".build", "release", "LMTokenizer.build", "*.o")))
    exe = os.path.join(WORK, "tokbench")
    subprocess.run(["swiftc", "-O", "-parse-as-library", "-target-cpu", "haswell",
                    "-I", os.path.join(REPO, ".build", "release", "Modules"),
                    "-I", os.path.join(REPO, "Sources", "COniguruma"),
                    os.path.join(REPO, "bench", "tokenizers", "TokenizerBench.swift"), *objects, "-lonig", "-o", exe],
                   check=True)
    return exe


def fnv(encodings):
    h, n = 0xcbf29ce484222325, 0
    for e in encodings:
        for i in e.ids:
            h = ((h ^ i) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
            n += 1
    return n, h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    lines, size = make_text(args.mb)
    path = os.path.join(WORK, f"bench_{args.mb}mb.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    exe = build_harness()
    print(f"text: {size / 1e6:.1f} MB, {len(lines)} lines; single thread; best of 2 x {args.repeats}", flush=True)
    print("wall = elapsed time; cpu = CPU time of the encoding thread (robust on a shared machine); load = CPU time")
    print(f"{'tokenizer':22} {'model':15} {'HF MB/s':>8} {'lmcore MB/s':>11} {'ratio':>6} {'HF cpu':>8} {'lm cpu':>8} "
          f"{'ratio':>6} {'HF load':>8} {'lm load':>8}  ids", flush=True)
    results = {}
    for name, kind in TOKENIZERS:
        if args.only and args.only != name:
            continue
        tj = os.path.join(FIX, name, "tokenizer.json")
        hf_times, lm_times, hf_cpu, lm_cpu, lm = [], [], [], [], None
        hf_load = float("inf")
        for _ in range(3):
            c0 = time.thread_time()
            hf = Tokenizer.from_file(tj)
            hf_load = min(hf_load, time.thread_time() - c0)
        # Interleaved rounds; within a round each side encodes the whole text `repeats` times in
        # one process, so both keep their word caches warm across repeats (as HF's object does).
        for r in range(2):
            for k in range(args.repeats):
                t0, c0 = time.perf_counter(), time.thread_time()
                encs = hf.encode_batch(lines, add_special_tokens=True)
                hf_cpu.append(time.thread_time() - c0)
                hf_times.append(time.perf_counter() - t0)
                if r == 0 and k == 0:
                    hf_count, hf_sum = fnv(encs)
                del encs
            out = subprocess.run([exe, tj, path, str(args.repeats)], check=True, capture_output=True, text=True).stdout
            lm = json.loads(out)
            lm_times.extend(lm["encode_s"])
            lm_cpu.extend(lm["encode_cpu_s"])
        hf_mbs = size / 1e6 / min(hf_times)
        lm_mbs = size / 1e6 / min(lm_times)
        hf_cpu_mbs = size / 1e6 / min(hf_cpu)
        lm_cpu_mbs = size / 1e6 / min(lm_cpu)
        same = "same" if (lm["tokens"], lm["checksum"]) == (hf_count, hf_sum) else \
            f"DIFFERENT ({lm['tokens']} vs {hf_count})"
        print(f"{name:22} {kind:15} {hf_mbs:8.2f} {lm_mbs:11.2f} {lm_mbs / hf_mbs:6.2f} {hf_cpu_mbs:8.2f} "
              f"{lm_cpu_mbs:8.2f} {lm_cpu_mbs / hf_cpu_mbs:6.2f} {hf_load * 1000:6.0f}ms {lm['load_s'] * 1000:6.0f}ms  {same}",
              flush=True)
        results[name] = {"hf_mb_s": hf_mbs, "lmcore_mb_s": lm_mbs, "ratio": lm_mbs / hf_mbs,
                         "hf_cpu_mb_s": hf_cpu_mbs, "lmcore_cpu_mb_s": lm_cpu_mbs, "cpu_ratio": lm_cpu_mbs / hf_cpu_mbs,
                         "hf_load_s": hf_load, "lmcore_load_s": lm["load_s"], "ids_identical": same == "same"}
    with open(os.path.join(WORK, "bench_tokenizers.json"), "w") as f:
        json.dump(results, f, indent=1)
    return 0 if all(r["ids_identical"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
