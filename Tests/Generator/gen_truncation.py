#!/usr/bin/env python3
"""transformers' truncation=True goldens for lmcore's max_input_length (RequestOptions).

For several real tokenizers (special tokens before and/or after the content) and every text of
Tests/Fixtures/corpus/multilingual.jsonl, the ids of `tokenizer(text, truncation=True,
max_length=N)` for a few N. Writes Tests/Fixtures/truncation/cases.json.

Run: /opt/lmcore-ref/bin/python Tests/Generator/gen_truncation.py
"""
import json
import os
import platform

import transformers
from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "Fixtures", "truncation", "cases.json")

# Folder relative to the repository: template ("$A </s>", "[CLS] $A [SEP]", "<s> $A </s>").
TOKENIZERS = ["models/numbers-7lang", "Tests/Fixtures/tokenizers/t5-small",
              "Tests/Fixtures/tokenizers/bert-base-uncased", "Tests/Fixtures/tokenizers/roberta-base"]
LENGTHS = [2, 3, 5, 8, 16]


def main():
    transformers.logging.set_verbosity_error()
    texts = [json.loads(line)["text"] for line in open(os.path.join(HERE, "..", "Fixtures", "corpus", "multilingual.jsonl"))]
    texts = [t for t in texts if t.strip()][:40] + [">>fr<< 4213", ">>de<< 1234567"]
    cases = []
    for folder in TOKENIZERS:
        tok = AutoTokenizer.from_pretrained(os.path.join(ROOT, folder))
        for text in texts:
            full = tok(text)["input_ids"]
            for n in LENGTHS:
                if n >= len(full) and n != LENGTHS[-1]:
                    continue
                cases.append(dict(tokenizer=folder, text=text, max_length=n,
                                  ids=tok(text, truncation=True, max_length=n)["input_ids"]))
    doc = dict(generator="Tests/Generator/gen_truncation.py",
               versions=dict(python=platform.python_version(), transformers=transformers.__version__),
               cases=cases)
    with open(OUT, "w") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
