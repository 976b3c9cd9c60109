#!/usr/bin/env python3
"""Golden fixtures for lmcore's SentencePiece tokenizers (Sources/LMTokenizer/SentencePiece).

Run from the repository root with the pinned reference venv (Tests/Generator/requirements.txt):

    /opt/lmcore-ref/bin/python Tests/Generator/gen_sentencepiece.py

Writes Tests/Fixtures/sentencepiece/goldens/*.json, each recording the library versions it ran with.
Inputs: the shared corpus Tests/Fixtures/corpus/multilingual.jsonl plus SentencePiece-specific cases
(SPM_EXTRA_CASES below), the real model files copied under Tests/Fixtures/sentencepiece/.
"""
import json
import os
import platform
import sys

import sentencepiece as spm
import tokenizers
import transformers
from sentencepiece import sentencepiece_model_pb2 as model_pb2
from tokenizers import normalizers

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
SPM_DIR = os.path.join(FIXTURES, "sentencepiece")
GOLDENS = os.path.join(SPM_DIR, "goldens")

# Cases the shared corpus lacks that exercise SentencePiece specifically.
SPM_EXTRA_CASES = [
    "ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ",  # half-width kana + voiced marks: multi-character charsmap rules
    "①②③ ㈱ ㍻ ㌔",  # enclosed / squared forms expand to several characters
    "a\u0000b",  # NUL stops the trie walk
    "x\u00a0\u2000\u2001\u2002\u200a\u202f\u205fy",  # Unicode spaces
    "  ",  # only spaces
    "\u3000\u3000",
    "trailing\u3000",
    "Tab\tsep\tvalues\t",
    "MiXeD CASE WITH ALL CAPS AND Title Case",
    "digits 0123456789 and 2024 and 3.14",
    "▁ already has the meta symbol ▁▁",
    "<unk> <s> </s> <pad> inside text",
    ">>fra<< language code at start",
    ">>fra<<no space after code",
    ">>eng<<",
    "text with >>deu<< code in middle",
    "Hello \U0001F600\U0001F600 \u2764\ufe0f",
    "\ufeffBOM at start",
    "ⅰⅱⅲ Ⅳ ﬀ ﬃ ſt",
    "ア゙ カ゚ ｱﾞ",
    "ǅ ǈ ǋ ǲ",
    "ﾟﾞ",
    "é" * 40,
    "abc" * 50,
]


def versions():
    return {
        "python": platform.python_version(),
        "sentencepiece": spm.__version__,
        "tokenizers": tokenizers.__version__,
        "transformers": transformers.__version__,
        "protobuf": __import__("google.protobuf").protobuf.__version__,
    }


def corpus_texts():
    texts = []
    with open(os.path.join(FIXTURES, "corpus", "multilingual.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts + [t for t in SPM_EXTRA_CASES if t not in texts]


def write(name, payload):
    os.makedirs(GOLDENS, exist_ok=True)
    payload = {"generator": "Tests/Generator/gen_sentencepiece.py", "versions": versions(), **payload}
    path = os.path.join(GOLDENS, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


def load_proto(path):
    m = model_pb2.ModelProto()
    with open(path, "rb") as f:
        m.ParseFromString(f.read())
    return m


# --- precompiled_charsmap ------------------------------------------------------------------------

def all_scalars():
    return (chr(cp) for cp in range(1, 0x110000) if not 0xD800 <= cp <= 0xDFFF)


def charsmap_case(name, model_rel, texts):
    """Every code point the rules change, through HF's Precompiled normalizer (spm_precompiled
    transform) and through sentencepiece's own normalizer with whitespace handling off (longest
    prefix match); plus whole texts through both."""
    path = os.path.join(SPM_DIR, model_rel)
    charsmap = load_proto(path).normalizer_spec.precompiled_charsmap
    hf = normalizers.Precompiled(charsmap)
    sp = spm.SentencePieceNormalizer(model_file=path, add_dummy_prefix=False,
                                     escape_whitespaces=False, remove_extra_whitespaces=False)
    hf_single = [[ord(c), o] for c in all_scalars() if (o := hf.normalize_str(c)) != c]
    sp_single = [[ord(c), o] for c in all_scalars() if (o := sp.Normalize(c)) != c]
    return {
        "name": name,
        "model": model_rel,
        "charsmap_bytes": len(charsmap),
        "hf_single": hf_single,
        "spm_single": sp_single,
        "texts": [{"text": t, "hf": hf.normalize_str(t), "spm": sp.Normalize(t)} for t in texts],
    }


def gen_charsmaps():
    texts = corpus_texts()
    write("charsmap.json", {"charsmaps": [
        charsmap_case("nmt_nfkc", "opus-mt-en-mg/source.spm", texts),
        charsmap_case("custom rules (case factoring)", "marian-nmt-ortx-test/vocab.joint.spm", texts),
    ]})


GENERATORS = {
    "charsmap": gen_charsmaps,
}

if __name__ == "__main__":
    wanted = sys.argv[1:] or list(GENERATORS)
    for key in wanted:
        GENERATORS[key]()
