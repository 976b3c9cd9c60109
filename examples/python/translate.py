#!/usr/bin/env python3
"""Translate a few texts with beam search, from Python.

    PYTHONPATH=bindings/python python3 examples/python/translate.py models/numbers ">>fr<< 4213" ">>de<< 77"
"""
import sys

import lmcore


def main():
    if len(sys.argv) < 3:
        print(f"usage: {sys.argv[0]} MODEL_DIR TEXT...", file=sys.stderr)
        return 2
    try:
        model = lmcore.Model(sys.argv[1])
        for text, hyps in zip(sys.argv[2:], model.translate(sys.argv[2:], beam_size=4)):
            print(f"{text}\t{hyps[0].text}")
    except lmcore.LMCoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
