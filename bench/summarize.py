"""Markdown tables from bench_generate.py --json files (as pasted into bench/README.md).

    /opt/lmcore-ref/bin/python bench/summarize.py bench/work/results/*.json
"""
import json
import sys
from pathlib import Path

ORDER = ["lmcore", "lmcore-haswell", "lmcore-skx", "hf", "ct2", "alt", "alt-haswell", "alt-skx"]


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
    main(sys.argv[1:])
