#!/usr/bin/env python3
"""Translate a text file line by line in batches, with a progress bar on stderr.

    PYTHONPATH=bindings/python python3 examples/python/translate_file.py models/numbers input.txt output.txt
"""
import sys
import time

import lmcore


def progress(done, total, started):
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else 0.0
    width = 30
    filled = width * done // max(1, total)
    sys.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total} {rate:.1f} lines/s ETA {eta:.0f}s")
    sys.stderr.flush()


def main():
    if len(sys.argv) != 4:
        print(f"usage: {sys.argv[0]} MODEL_DIR INPUT OUTPUT [--batch N]", file=sys.stderr)
        return 2
    model_dir, source, target = sys.argv[1:4]
    with open(source, encoding="utf-8") as f:
        lines = f.read().splitlines()
    batch = 32
    try:
        model = lmcore.Model(model_dir)
        started = time.monotonic()
        with open(target, "w", encoding="utf-8") as out:
            for start in range(0, len(lines), batch):
                chunk = lines[start:start + batch]
                for hyps in model.translate(chunk, beam_size=4):
                    out.write(hyps[0].text + "\n")
                progress(min(start + batch, len(lines)), len(lines), started)
        sys.stderr.write("\n")
    except lmcore.LMCoreError as e:
        print(f"\nerror: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
