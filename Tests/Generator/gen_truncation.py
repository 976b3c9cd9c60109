#!/usr/bin/env python3
"""transformers' truncation=True goldens for lmcore's max_input_length (RequestOptions).

For several real tokenizers (special tokens before and/or after the content) and every text of
Tests/Fixtures/corpus/multilingual.jsonl, the ids of `tokenizer(text, truncation=True,
max_length=N)` for a few N. Writes Tests/Fixtures/truncation/cases.json.

Long texts (Tests/Fixtures/truncation/long.json): lmcore truncates a long text from prefixes of
it (LMCore/Tokenizers.swift, prefixTruncated) instead of tokenizing it whole, so these goldens are
texts of 10-40 KB (the corpus joined, CJK without spaces, one 10,000-byte word, repeated short
words) cut to 16, 128 and 512 tokens by transformers, through eight tokenizers including GPT-2's
byte-level BPE and Marian's SentencePiece (../shared/testdata/marian-spm/opus-mt-en-mg).

Run: /opt/lmcore-ref/bin/python Tests/Generator/gen_truncation.py
"""
import json
import os
import platform

import transformers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "Fixtures", "truncation", "cases.json")
LONG_OUT = os.path.join(HERE, "..", "Fixtures", "truncation", "long.json")

# Folder relative to the repository: template ("$A </s>", "[CLS] $A [SEP]", "<s> $A </s>").
TOKENIZERS = ["models/numbers-7lang", "Tests/Fixtures/tokenizers/t5-small",
              "Tests/Fixtures/tokenizers/bert-base-uncased", "Tests/Fixtures/tokenizers/roberta-base"]
LENGTHS = [2, 3, 5, 8, 16]
# A path ending in tokenizer.json is that file alone (PreTrainedTokenizerFast), else the folder.
LONG_TOKENIZERS = TOKENIZERS + ["Tests/Fixtures/tokenizers/gpt2", "Tests/Fixtures/tokenizers/marian-nmt-ortx-test/tokenizer.json",
                                "Tests/Fixtures/tokenizers/model-unigram/tokenizer.json",
                                "../shared/testdata/marian-spm/opus-mt-en-mg"]


def load(path):
    if path.endswith("tokenizer.json"):
        return PreTrainedTokenizerFast(tokenizer_file=os.path.join(ROOT, path))
    return AutoTokenizer.from_pretrained(os.path.join(ROOT, path))


def repeat_to(pieces, separator, size):
    """pieces joined by separator, over and over, until the text has at least `size` UTF-8 bytes."""
    out, i = [], 0
    while len(separator.join(out).encode()) < size:
        out.append(pieces[i % len(pieces)])
        i += 1
    return separator.join(out)


def long_texts(corpus):
    cjk = [t for t in corpus if any("\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in t)]
    return [
        ("corpus-12k", repeat_to(corpus, " ", 12000)),
        ("corpus-40k", repeat_to(corpus, "\n", 40000)),
        ("cjk-nospace-10k", repeat_to([t.replace(" ", "") for t in cjk], "", 10000)),
        ("one-word-10k", "1234567890" * 1000),
        ("short-words-10k", repeat_to(["a", "bc", "de", "f.", "12", "x-y"], " ", 10000)),
    ]


def long_cases(corpus):
    texts = long_texts(corpus)
    cases = []
    for folder in LONG_TOKENIZERS:
        tok = load(folder)
        for index, (name, text) in enumerate(texts):
            for n in [16, 128] + ([512] if len(text.encode()) > 32768 else []):
                cases.append(dict(tokenizer=folder, text=index, name=name, max_length=n,
                                  ids=tok(text, truncation=True, max_length=n)["input_ids"]))
    return [t for _, t in texts], cases


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
    texts_long, cases_long = long_cases([json.loads(line)["text"] for line in open(
        os.path.join(HERE, "..", "Fixtures", "corpus", "multilingual.jsonl")) if json.loads(line)["text"].strip()])
    with open(LONG_OUT, "w") as f:
        json.dump(dict(generator="Tests/Generator/gen_truncation.py", versions=doc["versions"], texts=texts_long,
                       cases=cases_long), f, ensure_ascii=False, separators=(",", ":"))
    print(f"{len(cases_long)} long cases")


if __name__ == "__main__":
    main()
