"""Generation speed and memory: lmcore vs Hugging Face transformers vs CTranslate2, same model, same batch.

    /opt/lmcore-ref/bin/python bench/make_models.py          # once: bench/work/<model>{,-ct2}
    swift build -c release                                   # once: .build/release/liblmcore.so
    /opt/lmcore-ref/bin/python bench/bench_generate.py                  # greedy
    /opt/lmcore-ref/bin/python bench/bench_generate.py --beams 4        # beam search

A fixed, seeded batch (32 inputs of 20-40 ids ending in EOS) is decoded with a fixed number of new
tokens (min = max = --new-tokens, so every engine runs the same number of decoder steps) by:
  lmcore          the Python ctypes package (bindings/python), threads=2, OpenBLAS kernels as lmcore
                  picks them (since 9a87711: from the CPU's flags, SkylakeX where AVX-512 exists;
                  before: OpenBLAS 0.3.21's own detection, which gives SSE3 "Prescott" on current CPUs)
  lmcore-haswell  the same with OPENBLAS_CORETYPE=Haswell (AVX2 kernels; the environment wins)
  lmcore-skx      (not by default) the same with OPENBLAS_CORETYPE=SkylakeX (AVX-512 kernels)
  alt, alt-haswell, alt-skx, alt-int8   (not by default) lmcore, lmcore-haswell, lmcore-skx and lmcore-int8
                  with the library --alt-library, to A/B a change
  hf              transformers' model.generate, torch fp32, torch.set_num_threads(2), inference mode
  lmcore-openblas (not by default) lmcore with LMCORE_PACKED_GEMM=0: every product through OpenBLAS,
                  as before the packed decoder kernels (the kernels' A/B within one build)
  lmcore-float16, lmcore-int8-float32  (not by default) lmcore with compute_type "float16" /
                  "int8_float32" (decoder weights stored in half precision / int8, float32 arithmetic)
  lmcore-int8     (not by default) lmcore with compute_type "int8" (int8 weights and activations,
                  int32 sums, where the CPU has AVX-512 VNNI; int8_float32 elsewhere). Until
                  the commit that added int8, this name ran int8_float32 (bench/README.md's AVX2 table)
  lmcore-int8-file  (not by default) compute_type "int8" on bench/work/<model>-int8, the checkpoint
                  `lmcore-cli convert --quantize int8` writes (made here when missing): int8 weights
                  stored, packed at load without quantizing (same ids as lmcore-int8 on the float file)
  ct2             CTranslate2 Translator(intra_threads=2, inter_threads=1, compute_type="float32")
  ct2-int8        (not by default) the same with compute_type="int8" (quantized at load)
Each engine lives in its own subprocess (so ru_maxrss is per engine), loads once, runs a warm-up,
then the timed runs are interleaved engine by engine over --reps repetitions (the order rotates each
repetition) with a pause between runs so one engine's spinning BLAS/OpenMP threads do not eat into the
next one's time. The machine's speed drifts, so best-of and median are both reported, and ratios
are given as best/best and as the median of per-repetition ratios.

Token counts: transformers and lmcore count the tokens after the decoder start token; for Marian the
last one is the forced EOS (forced_eos_token_id, as in real opus-mt configs; the T5 models have none). CTranslate2 counts the
tokens it returns (no start token, no EOS: min_decoding_length bans EOS until the maximum). Both are
--new-tokens decoder steps per sequence.

Checks (untimed, on the warm-up output): lmcore's ids equal transformers' ids, sequence by sequence
(greedy and beam); CTranslate2's greedy tokens equal transformers' (CT2's beam search is a different
algorithm, so beam ids are not compared). A greedy sequence that first differs where transformers'
own top-2 logit margin is below --tie-margin (a near-tie: float32 summation order decides it, and
CTranslate2 float32 flips such ties too) is reported as a near-tie, not a failure.
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"

ENGINES = ["lmcore", "lmcore-haswell", "hf", "ct2"]
# OPENBLAS_CORETYPE per lmcore variant (None: OpenBLAS's own detection). The "alt" variants run the
# library given by --alt-library (A/B of two builds on the same batch).
CORETYPES = {"lmcore": None, "lmcore-haswell": "Haswell", "lmcore-skx": "SkylakeX",
             "lmcore-openblas": None, "lmcore-float16": None, "lmcore-int8-float32": None,
             "lmcore-int8": None, "lmcore-int8-file": None,
             "alt": None, "alt-haswell": "Haswell", "alt-skx": "SkylakeX", "alt-int8": None}
# Extra environment per lmcore variant: lmcore-openblas turns lmcore's packed decoder kernels off
# (every product through OpenBLAS), the A/B of the kernels within one build.
LMCORE_ENV = {"lmcore-openblas": {"LMCORE_PACKED_GEMM": "0"}}
# lmcore's compute_type per variant (default float32).
LMCORE_COMPUTE = {"lmcore-float16": "float16", "lmcore-int8-float32": "int8_float32", "lmcore-int8": "int8",
                  "lmcore-int8-file": "int8", "alt-int8": "int8"}
# lmcore variants that load another folder than bench/work/<model>: its suffix.
LMCORE_FOLDER = {"lmcore-int8-file": "-int8"}
# CTranslate2 variants: compute_type per engine name.
CT2_TYPES = {"ct2": "float32", "ct2-int8": "int8"}


def add_batch_arguments(ap):
    """The options that define the benchmark batch (make_batch) and its decoding, shared by the
    scripts that must run the same inputs as this one (bench/accuracy/bench_agreement.py)."""
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--min-len", type=int, default=20)
    ap.add_argument("--max-len", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)


def make_batch(size, min_len, max_len, vocab, eos, specials, seed):
    """`size` id sequences of min_len..max_len ids: random ordinary tokens, then EOS."""
    rng = random.Random(seed)
    batch = []
    for _ in range(size):
        n = rng.randint(min_len, max_len)
        ids = []
        while len(ids) < n - 1:
            t = rng.randrange(vocab)
            if t not in specials:
                ids.append(t)
        batch.append(ids + [eos])
    return batch


# ----------------------------------------------------------------------------------------------
# Workers: one engine each, driven over a pipe (one JSON line per command and per answer).

class Worker:
    """Engine-independent part: the command loop."""

    def __init__(self, args, config):
        self.args = args
        self.config = config
        self.batch = make_batch(args.batch, args.min_len, args.max_len, config["vocab_size"],
                                config["eos_token_id"], {config["eos_token_id"], 1, config["pad_token_id"]},
                                args.seed)

    def options(self):
        return dict(new_tokens=self.args.new_tokens, beams=self.args.beams)


class LMCoreWorker(Worker):
    def load(self, path):
        sys.path.insert(0, str(ROOT / "bindings" / "python"))
        import lmcore
        self.model = lmcore.Model(path, threads=self.args.threads,
                                  compute_type=LMCORE_COMPUTE.get(self.args.worker, "float32"))
        return {"library": lmcore.LIBRARY_PATH, "version": lmcore.version(),
                "compute_type": self.model.info["compute_type"]}

    def late_info(self):
        """After a generate call (OpenBLAS may be opened on first use)."""
        import ctypes
        # The OpenBLAS liblmcore.so linked or opened (never loading one itself): which kernels it runs.
        core = "not loaded"
        for name in ("libopenblas.so.0", "libopenblas.so"):
            try:
                blas = ctypes.CDLL(name, mode=os.RTLD_NOLOAD | os.RTLD_GLOBAL)
            except OSError:
                continue
            blas.openblas_get_corename.restype = ctypes.c_char_p
            core = blas.openblas_get_corename().decode()
            break
        return {"openblas_core": core}

    def generate(self):
        n = self.args.new_tokens
        out = self.model.generate_ids(self.batch, max_new_tokens=n, min_new_tokens=n, beam_size=self.args.beams)
        return [hyps[0].ids for hyps in out]


class HFWorker(Worker):
    def load(self, path):
        import torch
        import transformers
        torch.set_num_threads(self.args.threads)
        self.torch = torch
        self.model = transformers.AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32).eval()
        pad = self.config["pad_token_id"]
        width = max(len(s) for s in self.batch)
        self.input_ids = torch.tensor([s + [pad] * (width - len(s)) for s in self.batch])
        self.attention_mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in self.batch])
        return {"torch": torch.__version__, "transformers": transformers.__version__,
                "torch_threads": torch.get_num_threads()}

    def _generate(self, **extra):
        n = self.args.new_tokens
        with self.torch.inference_mode():
            return self.model.generate(input_ids=self.input_ids, attention_mask=self.attention_mask,
                                       max_new_tokens=n, min_new_tokens=n, num_beams=self.args.beams,
                                       do_sample=False, **extra)

    def generate(self):
        return self._strip(self._generate().tolist())

    def _strip(self, sequences):
        """Drops the decoder start token and, after the first EOS, the padding. (Not trailing pad ids
        in general: T5's pad id is an ordinary output a random model may generate.)"""
        eos = self.config["eos_token_id"]
        out = []
        for s in sequences:
            s = s[1:]   # the decoder start token
            if eos in s:
                s = s[:s.index(eos) + 1]
            out.append(s)
        return out

    def check(self):
        """Greedy ids plus, per position, the margin between the best and second-best processed
        logit (how close a float32 rounding difference would be to flipping the argmax)."""
        if self.args.beams != 1:
            return {"ids": self.generate()}
        out = self._generate(return_dict_in_generate=True, output_scores=True)
        margins = []
        for step in out.scores:   # (batch, vocab) per step
            top = self.torch.topk(step, 2, dim=-1).values
            margins.append((top[:, 0] - top[:, 1]).tolist())
        per_row = [[margins[t][r] for t in range(len(margins))] for r in range(len(self.batch))]
        return {"ids": self._strip(out.sequences.tolist()), "margins": per_row}


class CT2Worker(Worker):
    def load(self, path):
        import ctranslate2
        self.translator = ctranslate2.Translator(path, device="cpu", compute_type=CT2_TYPES[self.args.worker],
                                                 intra_threads=self.args.threads, inter_threads=1)
        vocab = json.loads((Path(path) / "shared_vocabulary.json").read_text())
        self.index = {t: i for i, t in enumerate(vocab)}
        self.tokens = [[vocab[i] for i in s] for s in self.batch]
        return {"ctranslate2": ctranslate2.__version__}

    def generate(self):
        n = self.args.new_tokens
        results = self.translator.translate_batch(
            self.tokens, beam_size=self.args.beams, max_decoding_length=n, min_decoding_length=n,
            return_scores=False)
        return [[self.index[t] for t in r.hypotheses[0]] for r in results]


WORKERS = {**{name: LMCoreWorker for name in CORETYPES}, "hf": HFWorker,
           **{name: CT2Worker for name in CT2_TYPES}}


def worker_main(args):
    # Answers go to the original stdout; anything the libraries print goes to stderr.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)

    def send(obj):
        proto.write(json.dumps(obj) + "\n")

    config = json.loads((WORK / args.model / "config.json").read_text())
    w = WORKERS[args.worker](args, config)
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = WORK / (args.model + ("-ct2" if args.worker in CT2_TYPES else LMCORE_FOLDER.get(args.worker, "")))
    t0 = time.perf_counter()
    info = w.load(str(path))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    w.generate()   # warm-up
    if hasattr(w, "late_info"):
        info.update(w.late_info())
    send({"ready": True, "info": info, "load_seconds": load, "warmup_seconds": time.perf_counter() - t0,
          "rss_start_kb": rss_start, "rss_loaded_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "run":
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t0 = time.perf_counter()
            ids = w.generate()
            dt = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            send({"seconds": dt, "cpu_seconds": cpu, "tokens": sum(len(s) for s in ids)})
        elif cmd == "check":
            send(w.check() if hasattr(w, "check") else {"ids": w.generate()})
        elif cmd == "exit":
            send({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
            return


# ----------------------------------------------------------------------------------------------
# Driver.

class Engine:
    def __init__(self, name, args):
        env = dict(os.environ)
        env.pop("OPENBLAS_CORETYPE", None)
        if CORETYPES.get(name):
            env["OPENBLAS_CORETYPE"] = CORETYPES[name]
        env.pop("LMCORE_PACKED_GEMM", None)
        env.update(LMCORE_ENV.get(name, {}))
        if name.startswith("alt"):
            if not args.alt_library:
                sys.exit(f"engine {name} needs --alt-library")
            env["LMCORE_LIBRARY"] = str(Path(args.alt_library).resolve())
        # Every engine gets the same thread budget from its own setting, not from the environment.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.pop(var, None)
        env.update(TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_OFFLINE="1")
        cmd = [sys.executable, __file__, "--worker", name] + args.passthrough
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
                                     bufsize=1)
        self.ready = self.receive()
        self.times = []
        self.cpu = []
        self.tokens = None

    def receive(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            sys.exit(f"{self.name}: worker exited with status {self.proc.returncode} (see its stderr above)")
        return json.loads(line)

    def ask(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self.receive()

    def close(self):
        self.maxrss_kb = self.ask("exit")["maxrss_kb"]
        self.proc.wait()


def compare(name_a, a, name_b, b, limit=None, margins=None, tie_margin=0.0):
    """Compares id lists sequence by sequence (the first `limit` ids when given); returns (no
    differences other than near-ties, report). With `margins` (transformers' top-2 logit margin per
    sequence and position), a sequence whose first difference is at a margin below `tie_margin` is a
    near-tie."""
    lines = []
    bad = ties = 0
    for i, (x, y) in enumerate(zip(a, b)):
        xs, ys = (x[:limit], y[:limit]) if limit else (x, y)
        if xs != ys:
            bad += 1
            pos = next((k for k in range(min(len(xs), len(ys))) if xs[k] != ys[k]), min(len(xs), len(ys)))
            detail = (f"  input {i}: first difference at generated position {pos}: "
                      f"{name_a} {xs[pos:pos + 4]} vs {name_b} {ys[pos:pos + 4]} (lengths {len(xs)}, {len(ys)})")
            if margins is not None and pos < len(margins[i]):
                detail += f"; transformers' top-2 logit margin there: {margins[i][pos]:.3g}"
                if margins[i][pos] < tie_margin:
                    ties += 1
                    detail += " (near-tie)"
            lines.append(detail)
    head = f"{name_a} vs {name_b}: " + (f"all {len(a)} sequences identical" if bad == 0
                                        else f"{bad} of {len(a)} sequences differ"
                                        + (f", {ties} of them at a near-tie" if ties else ""))
    return bad == ties, [head] + lines[:10]


def summarize(values):
    return max(values), statistics.median(values)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="opus-mt-en-de", help="a folder under bench/work (make_models.py)")
    ap.add_argument("--beams", type=int, default=1)
    add_batch_arguments(ap)
    ap.add_argument("--reps", type=int, default=5, help="timed runs per engine, interleaved")
    ap.add_argument("--tie-margin", type=float, default=0.01,
                    help="a greedy difference where transformers' top-2 logit margin is below this is a "
                         "near-tie, reported but not a failed check (default 0.01)")
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between runs (idle spinning threads)")
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help=f"comma-separated, from {list(WORKERS)} (default {','.join(ENGINES)})")
    ap.add_argument("--alt-library", help="another liblmcore.so, run by the engines alt, alt-haswell, alt-skx, alt-int8")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.passthrough = ["--model", args.model, "--beams", str(args.beams), "--new-tokens", str(args.new_tokens),
                        "--batch", str(args.batch), "--min-len", str(args.min_len), "--max-len", str(args.max_len),
                        "--seed", str(args.seed), "--threads", str(args.threads)]
    if args.worker:
        return worker_main(args)

    names = [e for e in args.engines.split(",") if e]
    for n in names:
        if n not in WORKERS:
            sys.exit(f"unknown engine {n!r}; known: {', '.join(WORKERS)}")
    if not (WORK / args.model / "config.json").exists():
        sys.exit(f"{WORK / args.model} is missing: run bench/make_models.py first")

    if "lmcore-int8-file" in names and not (WORK / (args.model + "-int8") / "model.safetensors").exists():
        subprocess.run([str(ROOT / ".build" / "release" / "lmcore-cli"), "convert", "--model", str(WORK / args.model),
                        "--out", str(WORK / (args.model + "-int8")), "--quantize", "int8", "--force"], check=True)
    mode = "greedy" if args.beams == 1 else f"beam {args.beams}"
    print("CPU flags: " + " ".join(machine()["cpu_flags"]))
    print(f"model {args.model}, {mode}, batch {args.batch} x {args.min_len}-{args.max_len} ids, "
          f"{args.new_tokens} new tokens, {args.threads} threads, {args.reps} interleaved reps")
    engines = []
    for n in names:   # one at a time: loading is not what is measured
        e = Engine(n, args)
        r = e.ready
        print(f"  {n:14s} loaded in {r['load_seconds']:.2f} s, warm-up {r['warmup_seconds']:.2f} s  {r['info']}")
        engines.append(e)

    # Correctness on untimed runs.
    checks = {e.name: e.ask("check") for e in engines}
    check_report = []
    check_ok = True
    if "hf" in checks:
        hf = checks["hf"]
        for n in CORETYPES:
            if n in checks:
                ok, lines = compare(n, checks[n]["ids"], "hf", hf["ids"], margins=hf.get("margins"),
                                    tie_margin=args.tie_margin)
                if n in LMCORE_COMPUTE:
                    # Reduced precision may change ids: reported (the accuracy figures), not a failure.
                    check_report += [lines[0] + ("" if ok else " (informational)")] + lines[1:4]
                else:
                    check_ok &= ok
                    check_report += lines
        for ct2 in CT2_TYPES:
            if ct2 in checks and args.beams == 1:
                # transformers' last token is the forced EOS; CTranslate2 stops at the maximum instead.
                ok, lines = compare(ct2, checks[ct2]["ids"], "hf", hf["ids"], limit=args.new_tokens - 1,
                                    margins=hf.get("margins"))
                check_report += [l + ("" if ok else " (informational)") for l in lines[:1]] + lines[1:]
        if "margins" in hf:
            smallest = min(min(m) for m in hf["margins"])
            check_report.append(f"smallest top-2 logit margin in transformers' greedy run: {smallest:.3g}")
    if "lmcore-int8-file" in checks and "lmcore-int8" in checks:
        # The stored int8 weights pack to the bytes int8 packs at load: the ids must be the same.
        ok, lines = compare("lmcore-int8-file", checks["lmcore-int8-file"]["ids"], "lmcore-int8",
                            checks["lmcore-int8"]["ids"])
        check_ok &= ok
        check_report += lines
    for v in ("", "-haswell", "-skx", "-int8"):
        if f"alt{v}" in checks and f"lmcore{v}" in checks:
            ok, lines = compare(f"alt{v}", checks[f"alt{v}"]["ids"], f"lmcore{v}", checks[f"lmcore{v}"]["ids"])
            check_ok &= ok
            check_report += lines
    counts = {n: sorted({len(s) for s in c["ids"]}) for n, c in checks.items()}
    check_report.append("tokens per sequence: " + ", ".join(f"{n} {v}" for n, v in counts.items()))
    print("checks:")
    for line in check_report:
        print("  " + line)

    for rep in range(args.reps):
        order = engines[rep % len(engines):] + engines[:rep % len(engines)]
        for e in order:
            time.sleep(args.pause)
            r = e.ask("run")
            e.times.append(r["seconds"])
            e.cpu.append(r["cpu_seconds"])
            e.tokens = r["tokens"]
        print(f"  rep {rep + 1}: " + "  ".join(f"{e.name} {e.tokens / e.times[-1]:.0f}" for e in engines) + " tok/s",
              flush=True)
    for e in engines:
        e.close()

    print(f"\n{'engine':14s} {'tok/s best':>10s} {'median':>8s} {'s/batch best':>12s} {'CPU s best':>10s} "
          f"{'median':>7s} {'peak RSS':>9s} {'(after warm-up)':>15s} {'(interp.)':>9s}")
    results = {"mode": mode, "args": {k: v for k, v in vars(args).items() if k not in ("passthrough", "worker")},
               "engines": {}, "checks": check_report, "checks_ok": check_ok,
               "date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine()}
    for e in engines:
        rates = [e.tokens / t for t in e.times]
        best, med = summarize(rates)
        r = e.ready
        print(f"{e.name:14s} {best:10.0f} {med:8.0f} {min(e.times):12.3f} {min(e.cpu):10.2f} "
              f"{statistics.median(e.cpu):7.2f} {e.maxrss_kb / 1024:6.0f} MB {r['rss_loaded_kb'] / 1024:12.0f} MB "
              f"{r['rss_start_kb'] / 1024:6.0f} MB")
        results["engines"][e.name] = {"tokens": e.tokens, "seconds": e.times, "cpu_seconds": e.cpu,
                                      "tok_s_best": best, "tok_s_median": med,
                                      "peak_rss_mb": e.maxrss_kb / 1024, "rss_after_warmup_mb": r["rss_loaded_kb"] / 1024,
                                      "rss_interpreter_mb": r["rss_start_kb"] / 1024, "info": r["info"],
                                      "load_seconds": r["load_seconds"], "warmup_seconds": r["warmup_seconds"]}
    by = {e.name: e for e in engines}
    ratios = {}
    pairs = [(a, b) for a in CORETYPES if not a.startswith("alt") for b in ("hf", *CT2_TYPES)]
    pairs += [("lmcore-haswell", "lmcore"), ("lmcore-skx", "lmcore"), ("lmcore-skx", "lmcore-haswell"),
              ("lmcore", "lmcore-openblas"), ("lmcore-float16", "lmcore"), ("lmcore-int8-float32", "lmcore"),
              ("lmcore-int8", "lmcore")]
    pairs += [(f"alt{v}", f"lmcore{v}") for v in ("", "-haswell", "-skx", "-int8")]
    for a, b in pairs:
        if a in by and b in by:
            ea, eb = by[a], by[b]
            best = min(eb.times) / min(ea.times)
            paired = statistics.median(tb / ta for ta, tb in zip(ea.times, eb.times))
            ratios[f"{a}/{b}"] = {"best": best, "median_paired": paired}
            print(f"speed {a}/{b}: {best:.2f}x best/best, {paired:.2f}x median of per-rep ratios")
    results["ratios"] = ratios
    print("checks " + ("passed" if check_ok else "FAILED"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if check_ok else 1


def machine():
    """The CPU a table holds on: model name and the SIMD flags kernels dispatch on (the CPU of these
    machines changes between sessions)."""
    cpu, flags = "unknown", []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = sorted(f for f in line.split(":", 1)[1].split()
                               if f in ("avx2", "fma") or f.startswith(("avx512", "amx")))
    except OSError:
        pass
    return {"cpu": cpu, "cpu_flags": flags, "cores": os.cpu_count(), "load_average": os.getloadavg()}


if __name__ == "__main__":
    sys.exit(main())
