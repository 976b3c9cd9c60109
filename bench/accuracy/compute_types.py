"""Accuracy of lmcore's compute types on the bundled model: held-out exact match per type.

    python3 bench/accuracy/compute_types.py [--library .build/release/liblmcore.so]

Translates models/numbers-7lang/eval/heldout.tsv (3,584 inputs, stratified by language and digit
count) with every compute type, greedy and beam 4 (the model's default), and counts outputs equal to
the reference. Also reports, per reduced type, how many outputs differ from float32's. Needs only
the Python package (no torch); prints the CPU flags the figures hold on.
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cpu_flags():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return sorted(f for f in line.split(":", 1)[1].split()
                          if f in ("avx2", "fma") or f.startswith(("avx512", "amx")))
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--library", default=str(ROOT / ".build" / "release" / "liblmcore.so"))
    ap.add_argument("--model", default=str(ROOT / "models" / "numbers-7lang"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--heldout", default=str(ROOT / "models" / "numbers-7lang" / "eval" / "heldout.tsv"),
                    help="the split (the recurrent example shares the Transformer's)")
    args = ap.parse_args()
    os.environ["LMCORE_LIBRARY"] = args.library
    sys.path.insert(0, str(ROOT / "bindings" / "python"))
    import lmcore

    rows = [line.split("\t") for line in Path(args.heldout).read_text().splitlines()[1:]]
    sources = [r[2] for r in rows]
    references = [r[3] for r in rows]
    print("CPU flags: " + " ".join(cpu_flags()))
    print(f"{len(sources)} held-out inputs, {args.model}")
    print(f"{'compute type':14s} {'beams':>5s} {'exact':>12s} {'%':>7s} {'vs float32':>12s} {'seconds':>8s}")
    baseline = {}
    for compute_type in ("float32", "float16", "int8_float32", "int8"):
        with lmcore.Model(args.model, threads=args.threads, compute_type=compute_type) as model:
            in_effect = model.info["compute_type"]
            for beams in (1, 4):
                t0 = time.perf_counter()
                out = [h[0].text for h in model.translate(sources, beam_size=beams)]
                seconds = time.perf_counter() - t0
                exact = sum(o == r for o, r in zip(out, references))
                if compute_type == "float32":
                    baseline[beams] = out
                changed = sum(o != b for o, b in zip(out, baseline[beams]))
                print(f"{in_effect:14s} {beams:5d} {exact:5d} / {len(out):4d} {100 * exact / len(out):7.2f} "
                      f"{changed:6d} differ {seconds:8.2f}")


if __name__ == "__main__":
    main()
