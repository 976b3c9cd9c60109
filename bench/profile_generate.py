"""A minimal lmcore generate driver to run under a profiler: loads the model, runs --warmup untimed
and --runs timed generate_ids calls on bench_generate.py's batch, prints the times.

    # sampling profile with the real kernels (perf's cpu-clock works without hardware counters):
    perf record -e cpu-clock -F 1000 -g -o bench/work/perf.data -- \
        /opt/lmcore-ref/bin/python bench/profile_generate.py --runs 3
    perf report -i bench/work/perf.data --no-children --sort symbol

    # exact instruction counts of the generate call only (valgrind has no AVX-512: use Haswell kernels):
    OPENBLAS_CORETYPE=Haswell valgrind --tool=callgrind --toggle-collect=lmcore_generate \
        --callgrind-out-file=bench/work/callgrind.out /opt/lmcore-ref/bin/python bench/profile_generate.py \
        --warmup 0 --runs 1 --batch 8 --new-tokens 16
    callgrind_annotate --inclusive=yes bench/work/callgrind.out | head -60
"""
import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bindings" / "python"))

from bench_generate import WORK, make_batch  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="opus-mt-en-de")
    ap.add_argument("--beams", type=int, default=1)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import lmcore
    path = WORK / args.model
    config = json.loads((path / "config.json").read_text())
    eos, pad = config["eos_token_id"], config["pad_token_id"]
    batch = make_batch(args.batch, 20, 40, config["vocab_size"], eos, {eos, 1, pad}, args.seed)
    model = lmcore.Model(str(path), threads=args.threads)
    n = args.new_tokens
    for i in range(args.warmup + args.runs):
        t0 = time.perf_counter()
        out = model.generate_ids(batch, max_new_tokens=n, min_new_tokens=n, beam_size=args.beams)
        dt = time.perf_counter() - t0
        tokens = sum(len(h[0].ids) for h in out)
        label = "warm-up" if i < args.warmup else "run"
        print(f"{label} {i + 1}: {dt:.3f} s, {tokens / dt:.0f} tok/s", flush=True)


if __name__ == "__main__":
    main()
