"""Markdown tables from bench_generate.py --json files (as pasted into bench/README.md).

    /opt/lmcore-ref/bin/python bench/summarize.py bench/work/results/*.json
    /opt/lmcore-ref/bin/python bench/summarize.py --matrix bench/work/results/*.json   # one row per run

--matrix prints one table over all runs: per run (model, batch, search) the median per-rep speed ratio
of each lmcore compute type to CTranslate2 float32 and int8, peak RSS, and greedy agreement with
transformers.
"""
import json
import sys
from pathlib import Path

ORDER = ["lmcore", "lmcore-float16", "lmcore-int8-float32", "lmcore-int8", "lmcore-int8-file", "lmcore-openblas", "lmcore-haswell", "lmcore-skx", "hf",
         "ct2", "ct2-int8", "alt", "alt-haswell", "alt-skx"]
TYPES = [("lmcore", "float32"), ("lmcore-float16", "float16"), ("lmcore-int8-float32", "int8_float32"),
         ("lmcore-int8", "int8"), ("lmcore-int8-file", "int8 file")]
SHORT = {"float32": "f32", "float16": "f16", "int8_float32": "i8f32", "int8": "i8", "int8 file": "i8 file"}


def median(r, key):
    x = r["ratios"].get(key)
    return f"{x['median_paired']:.2f}" if x else "-"


def agreement(r, name):
    """'k/n' greedy sequences identical to transformers, from the check lines."""
    for line in r["checks"]:
        if line.startswith(f"{name} vs hf: "):
            rest = line.split(": ", 1)[1]
            if rest.startswith("all"):
                n = rest.split()[1]
                return f"{n}/{n}"
            bad, _, total = rest.split()[:3]
            return f"{int(total) - int(bad)}/{total}"
    return "-"


def matrix(paths):
    runs = [json.loads(Path(p).read_text()) for p in paths]
    flags = sorted({" ".join(r["machine"].get("cpu_flags", [])) for r in runs})
    print(f"CPU flags: {'; '.join(flags)}\n")
    print("| model | batch | search | " + " | ".join(f"{t} / ct2" for _, t in TYPES) + " | "
          + " | ".join(f"{t} / ct2-int8" for _, t in TYPES)
          + f" | peak RSS MB ({', '.join(SHORT[t] for _, t in TYPES)} / ct2, ct2-int8)"
          + f" | greedy = HF ({', '.join(SHORT[t] for _, t in TYPES)} / ct2-int8) |")
    print("|---|---:|---|" + "---:|" * (2 * len(TYPES)) + "---|---|")
    for r in sorted(runs, key=lambda r: (r["args"]["model"], r["args"]["batch"], r["args"]["beams"])):
        a, e = r["args"], r["engines"]
        rss = lambda n: f"{e[n]['peak_rss_mb']:.0f}" if n in e else "-"
        greedy = a["beams"] == 1
        print(f"| {a['model']} | {a['batch']} | {r['mode']} | "
              + " | ".join(median(r, f"{n}/ct2") for n, _ in TYPES) + " | "
              + " | ".join(median(r, f"{n}/ct2-int8") for n, _ in TYPES) + " | "
              + ", ".join(rss(n) for n, _ in TYPES) + f" / {rss('ct2')}, {rss('ct2-int8')} | "
              + (", ".join(agreement(r, n) for n, _ in TYPES) + f" / {agreement(r, 'ct2-int8')}" if greedy else "n/a (beam)")
              + " |")
    startup(runs)


def startup(runs):
    """Load seconds and first call / median later call per engine, for runs that recorded them."""
    names = [n for n, _ in TYPES] + ["ct2", "ct2-int8"]
    print("\n| model | batch | search | " + " | ".join(f"{n} load s (first / later)" for n in names) + " |")
    print("|---|---:|---|" + "---:|" * len(names))
    for r in sorted(runs, key=lambda r: (r["args"]["model"], r["args"]["batch"], r["args"]["beams"])):
        a, e = r["args"], r["engines"]

        def cell(n):
            x = e.get(n)
            if not x or "load_seconds" not in x:
                return "-"
            later = sorted(x["seconds"])[len(x["seconds"]) // 2]
            return f"{x['load_seconds']:.2f} ({x['warmup_seconds'] / later:.2f})"
        print(f"| {a['model']} | {a['batch']} | {r['mode']} | " + " | ".join(cell(n) for n in names) + " |")


def ratio(r, key):
    x = r.get(key)
    return f"{x['median_paired']:.2f}x / {x['best']:.2f}x" if x else "-"


def main(paths):
    for path in paths:
        r = json.loads(Path(path).read_text())
        a = r["args"]
        print(f"#### {a['model']}, {r['mode']} ({Path(path).name}, {r['date']}, load average at end "
              f"{' '.join(f'{x:.1f}' for x in r['machine']['load_average'])}, {a['reps']} reps)\n")
        print("| engine | tok/s best | tok/s median | peak RSS MB | vs hf (median / best) | vs ct2 (median / best) |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in ORDER:
            e = r["engines"].get(name)
            if not e:
                continue
            print(f"| {name} | {e['tok_s_best']:.0f} | {e['tok_s_median']:.0f} | {e['peak_rss_mb']:.0f} | "
                  f"{ratio(r['ratios'], f'{name}/hf')} | {ratio(r['ratios'], f'{name}/ct2')} |")
        extra = [k for k in ("lmcore-skx/lmcore-haswell", "lmcore-haswell/lmcore", "lmcore-skx/lmcore",
                             "alt/lmcore", "alt-haswell/lmcore-haswell", "alt-skx/lmcore-skx")
                 if k in r["ratios"]]
        if extra:
            print("\n" + "; ".join(f"{k}: {ratio(r['ratios'], k)}" for k in extra) + " (median / best)")
        checks = [c for c in r["checks"] if "sequences" in c or "margin" in c]
        print("\nChecks " + ("passed" if r["checks_ok"] else "FAILED") + ": " + "; ".join(checks) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--matrix"]:
        matrix(sys.argv[2:])
    else:
        main(sys.argv[1:])
