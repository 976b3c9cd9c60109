#!/usr/bin/env python3
"""Writes Tests/CLI/cases/generate-<variant>.{in,out} from the model goldens (no torch needed)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "Fixtures", "models")
CASES = os.path.join(HERE, "..", "CLI", "cases")

for variant in sorted(os.listdir(MODELS)):
    path = os.path.join(MODELS, variant, "goldens.json")
    if not os.path.isfile(path):
        continue
    goldens = json.load(open(path))
    with open(os.path.join(CASES, f"generate-{variant}.in"), "w") as f:
        for i in goldens["inputs"]:
            f.write(" ".join(map(str, i["source_ids"])) + "\n")
    with open(os.path.join(CASES, f"generate-{variant}.out"), "w") as f:
        for i in goldens["inputs"]:
            f.write(" ".join(map(str, i["greedy_fixed"])) + "\n")
