#!/usr/bin/env python3
"""Golden fixtures for lmcore's tokenizer.json support (LMTokenizer / HFTokenizer).

For every tokenizer under Tests/Fixtures/tokenizers/<name>/ it writes cases.jsonl: one JSON object
per line, the first a header (versions, reference), then one per case:
  {text | text_hex, pair?, add_special_tokens, ids, tokens, offsets, type_ids,
   special_tokens_mask, attention_mask, decoded, decoded_skip_special}
`ids`/`decoded*` come from the reference: transformers' AutoTokenizer.from_pretrained(folder) when the
folder has a tokenizer_config.json that transformers can load, else tokenizers.Tokenizer.from_file.
`tokens`/`offsets` (char offsets, as Python reports them) come from tokenizers' Encoding; where the
raw tokenizer's ids differ from the reference the case says so (`raw_ids`).

It also (re)builds the small component fixtures (trained on the shared corpus or written by hand)
and copies the real tokenizers from $LMCORE_SHARED/testdata/tokenizers (default: <repo>/../shared).

Run: LMCORE_SHARED=/path/to/shared /opt/lmcore-ref/bin/python Tests/Generator/gen_tokenizers.py [--rebuild]
(--rebuild retrains the component tokenizers; training is not deterministic, so only do it on purpose.)
"""
import json
import os
import shutil
import sys
import warnings

warnings.filterwarnings("ignore")

import tokenizers  # noqa: E402
import transformers  # noqa: E402
from tokenizers import (AddedToken, Tokenizer, decoders, models, normalizers,  # noqa: E402
                        pre_tokenizers, processors, trainers)
from transformers import AutoTokenizer  # noqa: E402

transformers.logging.set_verbosity_error()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(REPO, "Tests", "Fixtures", "tokenizers")
CORPUS = os.path.join(REPO, "Tests", "Fixtures", "corpus", "multilingual.jsonl")
SHARED = os.environ.get("LMCORE_SHARED", os.path.join(REPO, "..", "shared"))
REAL = ["gpt2", "roberta-base", "bert-base-uncased", "t5-small", "marian-nmt-ortx-test"]

# Lines appended to the shared corpus for component-specific behaviour (added tokens, digits,
# scripts, metaspace, byte fallback...).
EXTRA = [
    "[SPECIAL] hello [special] HELLO <extra> x<extra>y  <lstrip>  a <rstrip>  b word<single>word <single> end",
    "ACME Corp. announced Q3 results: revenue rose 12.5% to $1,234,567.",
    "   lots   of   inner   spaces   ",
    "▁already▁has▁metaspace and spaces",
    "digits123and456 7 8 9 ٣٤٥ ߁߂ ①②",
    "mixed日本語text한국어and English русский",
    "emoji🤖in the middle😀",
    "aaaa aaa aa a",
    "<pad><pad><pad> </s> <s> <unk> <mask>",
    "tab\tseparated\tvalues\n",
    # Unicode normalization edge cases: reordering of marks, blocked and excluded compositions,
    # Hangul LV/LVT, singletons, compatibility forms, characters newer than HF's Unicode 9.0 data.
    "a\u0334\u0301\u0316b \u1e0b\u0323 \u0f71\u0f72\u0f74 \u0fb2\u0f80 \u0344 \u2126 \u212b \u1100\u1161\u11a8 \uac00\u11a8",
    "\ufb03 \u33a1 \u2460 \uff76\uff9e \u00bd \u0132 \u1e9b\u0323 \u32ff \u1df6 \U0001e944 q\u0307\u0323 \u0958",
]
# Invalid UTF-8 inputs: Python's bytes.decode("utf-8", errors="replace") gives the text encoded.
INVALID_UTF8 = ["61ff62", "c3", "e282ac80", "f0908080", "ed a0 80 41".replace(" ", ""), "68656c6c6fc328776f726c64"]
PAIRS = [(0, 2), (2, 3), (11, 19), (21, 22), (3, 59)]


def versions():
    return {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
            "python": sys.version.split()[0]}


def corpus():
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


# ---------------------------------------------------------------------------------------------
# Component fixtures

def train_bpe(tok, texts, vocab_size=400, limit_alphabet=120, **kw):
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, limit_alphabet=limit_alphabet, show_progress=False,
                                  special_tokens=kw.pop("special_tokens", ["[UNK]"]), **kw)
    tok.train_from_iterator(texts * 3, trainer)
    return tok


def bpe_tok(**model_kw):
    model_kw.setdefault("unk_token", "[UNK]")
    return Tokenizer(models.BPE(**model_kw))


def component_fixtures(texts):
    """name -> Tokenizer (built here)."""
    out = {}

    def bpe_with(normalizer=None, pre=None, decoder=None, post=None, train_kw=None, **model_kw):
        t = bpe_tok(**model_kw)
        if normalizer is not None:
            t.normalizer = normalizer
        if pre is not None:
            t.pre_tokenizer = pre
        train_bpe(t, texts, **(train_kw or {}))
        if decoder is not None:
            t.decoder = decoder
        if post is not None:
            t.post_processor = post
        return t

    ws = pre_tokenizers.Whitespace()
    # Normalizers (on a char-level-ish BPE so the normalized text shows in tokens and offsets).
    out["norm-nfc"] = bpe_with(normalizers.NFC(), ws)
    out["norm-nfd"] = bpe_with(normalizers.NFD(), ws)
    out["norm-nfkc"] = bpe_with(normalizers.NFKC(), ws)
    out["norm-nfkd"] = bpe_with(normalizers.NFKD(), ws)
    out["norm-lowercase"] = bpe_with(normalizers.Lowercase(), pre_tokenizers.Metaspace())
    out["norm-strip"] = bpe_with(normalizers.Sequence([normalizers.Strip(left=True, right=False), normalizers.Lowercase()]),
                                 pre_tokenizers.Metaspace(), decoders.Metaspace())
    out["norm-strip-both"] = bpe_with(normalizers.Strip(), None)
    out["norm-stripaccents"] = bpe_with(normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents()]), ws)
    out["norm-replace"] = bpe_with(normalizers.Sequence([
        normalizers.Replace(tokenizers.Regex(r"\s+"), " "),
        normalizers.Replace("ab", "X"),
        normalizers.Replace(tokenizers.Regex(r"[0-9]+"), "#"),
        normalizers.Replace("é", "")]), pre_tokenizers.Metaspace(), decoders.Metaspace())
    out["norm-bert-cased"] = bpe_with(normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                                 strip_accents=False, lowercase=False),
                                      pre_tokenizers.BertPreTokenizer())
    out["norm-bert-strip"] = bpe_with(normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                                                 strip_accents=True, lowercase=False),
                                      pre_tokenizers.BertPreTokenizer())
    out["norm-nmt"] = bpe_with(normalizers.Sequence([normalizers.Nmt(), normalizers.NFKC()]), pre_tokenizers.Metaspace(),
                               decoders.Metaspace())
    out["norm-bytelevel"] = bpe_with(normalizers.ByteLevel(), pre_tokenizers.Split(tokenizers.Regex(r"\u0120"), "merged_with_next"),
                                     decoders.ByteLevel(), train_kw={"initial_alphabet": pre_tokenizers.ByteLevel.alphabet(),
                                                                     "limit_alphabet": 300})
    # Llama-style: Prepend + Replace, byte fallback, decoder chain Replace/ByteFallback/Fuse/Strip.
    llama = bpe_with(normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]), None,
                     decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                        decoders.Strip(" ", 1, 0)]),
                     train_kw={"special_tokens": ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)],
                               "limit_alphabet": 60},
                     unk_token="<unk>", byte_fallback=True, fuse_unk=True)
    llama.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s>:1 $B:1",
                                                         special_tokens=[("<s>", 1)])
    out["model-bpe-bytefallback"] = llama

    # Pre-tokenizers.
    out["pre-bytelevel-prefix"] = bpe_with(None, pre_tokenizers.ByteLevel(add_prefix_space=True), decoders.ByteLevel(),
                                           processors.ByteLevel(trim_offsets=True),
                                           train_kw={"initial_alphabet": pre_tokenizers.ByteLevel.alphabet(), "limit_alphabet": 300},
                                           unk_token=None)
    out["pre-bytelevel-noregex"] = bpe_with(None, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
                                            decoders.ByteLevel(), processors.ByteLevel(trim_offsets=False),
                                            train_kw={"initial_alphabet": pre_tokenizers.ByteLevel.alphabet(), "limit_alphabet": 300},
                                            unk_token=None)
    for behavior in ["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]:
        out[f"pre-split-{behavior.replace('_', '')}"] = bpe_with(
            None, pre_tokenizers.Split(tokenizers.Regex(r"[\s,.!?]+"), behavior))
    out["pre-split-invert"] = bpe_with(None, pre_tokenizers.Split(tokenizers.Regex(r"\p{L}+|\p{N}+"), "removed", invert=True))
    out["pre-split-string"] = bpe_with(None, pre_tokenizers.Split(" ", "merged_with_previous"))
    out["pre-whitespacesplit"] = bpe_with(None, pre_tokenizers.WhitespaceSplit())
    out["pre-punctuation"] = bpe_with(None, pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                                      pre_tokenizers.Punctuation("merged_with_next")]))
    out["pre-digits-individual"] = bpe_with(None, pre_tokenizers.Sequence([ws, pre_tokenizers.Digits(individual_digits=True)]))
    out["pre-digits-contiguous"] = bpe_with(None, pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                                            pre_tokenizers.Digits(individual_digits=False)]))
    for scheme in ["first", "always", "never"]:
        out[f"pre-metaspace-{scheme}"] = bpe_with(None, pre_tokenizers.Metaspace(prepend_scheme=scheme),
                                                  decoders.Metaspace(prepend_scheme=scheme))
    out["pre-metaspace-nosplit"] = bpe_with(None, pre_tokenizers.Metaspace(split=False), decoders.Metaspace())
    out["pre-unicodescripts"] = bpe_with(None, pre_tokenizers.UnicodeScripts())
    out["pre-chardelimiter"] = bpe_with(None, pre_tokenizers.CharDelimiterSplit(" "))
    out["pre-fixedlength"] = bpe_with(None, pre_tokenizers.FixedLength(length=3))
    # Empty String patterns: HF compiles them as an empty regex that matches everywhere.
    out["empty-patterns"] = bpe_with(normalizers.Replace("", "_"), pre_tokenizers.Split("", "isolated"),
                                     decoders.Replace("", "-"))

    # Models.
    out["model-bpe-suffix"] = bpe_with(normalizers.Lowercase(), ws, decoders.BPEDecoder(suffix="</w>"),
                                       train_kw={"end_of_word_suffix": "</w>"}, end_of_word_suffix="</w>")
    out["model-bpe-prefix"] = bpe_with(None, ws, decoders.WordPiece(prefix="##"),
                                       train_kw={"continuing_subword_prefix": "##"}, continuing_subword_prefix="##")
    out["model-bpe-nofuse"] = bpe_with(None, ws, train_kw={"limit_alphabet": 40}, fuse_unk=False)
    out["model-bpe-fuse"] = bpe_with(None, ws, train_kw={"limit_alphabet": 40}, fuse_unk=True)
    out["model-bpe-ignoremerges"] = bpe_with(None, ws, ignore_merges=True)

    uni = Tokenizer(models.Unigram())
    uni.normalizer = normalizers.NFKC()
    uni.pre_tokenizer = pre_tokenizers.Metaspace()
    # Trained on the ASCII lines only, so other scripts exercise unknown pieces / byte fallback.
    ascii_texts = [t for t in texts if t.isascii()]
    uni.train_from_iterator(ascii_texts * 3, trainers.UnigramTrainer(vocab_size=300, unk_token="<unk>", special_tokens=["<unk>"],
                                                               show_progress=False))
    uni.decoder = decoders.Metaspace()
    out["model-unigram"] = uni
    unib = Tokenizer(models.Unigram())
    unib.pre_tokenizer = pre_tokenizers.Metaspace()
    unib.train_from_iterator(ascii_texts * 3, trainers.UnigramTrainer(vocab_size=300, unk_token="<unk>", show_progress=False,
                                                                special_tokens=["<unk>"] + [f"<0x{b:02X}>" for b in range(256)]))
    unib.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace()])
    out["model-unigram-bytefallback"] = unib

    wp = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=12))
    wp.normalizer = normalizers.BertNormalizer(lowercase=False)
    wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wp.train_from_iterator(texts * 3, trainers.WordPieceTrainer(vocab_size=400, limit_alphabet=100, special_tokens=[
        "[UNK]", "[CLS]", "[SEP]", "[PAD]"], show_progress=False))
    wp.decoder = decoders.WordPiece(cleanup=False)
    wp.post_processor = processors.BertProcessing(("[SEP]", wp.token_to_id("[SEP]")), ("[CLS]", wp.token_to_id("[CLS]")))
    out["model-wordpiece"] = wp

    wl = Tokenizer(models.WordLevel(unk_token="<unk>"))
    wl.normalizer = normalizers.Lowercase()
    wl.pre_tokenizer = ws
    wl.train_from_iterator(texts * 3, trainers.WordLevelTrainer(vocab_size=200, special_tokens=["<unk>", "<pad>"],
                                                                show_progress=False))
    out["model-wordlevel"] = wl

    # CTC: a character WordLevel model, as wav2vec2 tokenizers are.
    chars = sorted({c for t in texts for c in t.lower() if not c.isspace()})[:60]
    vocab = {"<pad>": 0, "|": 1, "<unk>": 2}
    for c in chars:
        vocab.setdefault(c, len(vocab))
    ctc = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    ctc.normalizer = normalizers.Sequence([normalizers.Lowercase(), normalizers.Replace(" ", "|")])
    ctc.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    ctc.pre_tokenizer = pre_tokenizers.FixedLength(length=1)
    ctc.decoder = decoders.CTC(pad_token="<pad>", word_delimiter_token="|", cleanup=True)
    out["decoder-ctc"] = ctc

    # Post-processors.
    tp = bpe_with(None, pre_tokenizers.Metaspace(), decoders.Metaspace(),
                  train_kw={"special_tokens": ["[UNK]", "[CLS]", "[SEP]", "[BOS]", "[EOS]"]})
    ids = {t: tp.token_to_id(t) for t in ["[CLS]", "[SEP]", "[BOS]", "[EOS]"]}
    tp.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])])
    out["post-template"] = tp
    seq = bpe_with(None, pre_tokenizers.ByteLevel(add_prefix_space=False), decoders.ByteLevel(), None,
                   train_kw={"initial_alphabet": pre_tokenizers.ByteLevel.alphabet(), "limit_alphabet": 300,
                             "special_tokens": ["<|bos|>", "<|eos|>"]}, unk_token=None)
    seq.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=True),
        processors.TemplateProcessing(single="<|bos|> $A <|eos|>", pair="<|bos|> $A <|eos|> $B:1 <|eos|>:1",
                                      special_tokens=[("<|bos|>", seq.token_to_id("<|bos|>")),
                                                      ("<|eos|>", seq.token_to_id("<|eos|>"))])])
    out["post-sequence"] = seq
    rob = bpe_with(None, pre_tokenizers.ByteLevel(add_prefix_space=True), decoders.ByteLevel(), None,
                   train_kw={"initial_alphabet": pre_tokenizers.ByteLevel.alphabet(), "limit_alphabet": 300,
                             "special_tokens": ["<s>", "<pad>", "</s>", "<unk>"]}, unk_token=None)
    rob.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=True)
    out["post-roberta-prefix"] = rob

    # Added tokens of every flavour, on a lowercasing tokenizer (so `normalized` matters).
    at = bpe_with(normalizers.Lowercase(), pre_tokenizers.Metaspace(), decoders.Metaspace())
    at.add_special_tokens([AddedToken("[SPECIAL]", normalized=False), AddedToken("<pad>", normalized=False),
                           AddedToken("</s>", normalized=False)])
    at.add_tokens([AddedToken("<extra>", normalized=True), AddedToken("<lstrip>", lstrip=True, normalized=False),
                   AddedToken("<rstrip>", rstrip=True, normalized=False),
                   AddedToken("<single>", single_word=True, normalized=False),
                   AddedToken("HELLO", normalized=True), AddedToken("hello wor", normalized=False),
                   AddedToken("the", normalized=False)])
    at.add_tokens([f"<tok{i}>" for i in range(300)])
    out["added-tokens"] = at

    # Truncation and padding stored in tokenizer.json (raw tokenizers applies them).
    tr = bpe_with(None, pre_tokenizers.Metaspace(), decoders.Metaspace(),
                  train_kw={"special_tokens": ["[UNK]", "[CLS]", "[SEP]", "[PAD]"]})
    tr.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                      special_tokens=[("[CLS]", 1), ("[SEP]", 2)])
    tr.enable_truncation(max_length=12, strategy="longest_first")
    tr.enable_padding(pad_id=3, pad_token="[PAD]", length=16)
    out["truncation-padding"] = tr
    tl = bpe_with(None, pre_tokenizers.Metaspace(), decoders.Metaspace(),
                  train_kw={"special_tokens": ["[UNK]", "[PAD]"]})
    tl.enable_truncation(max_length=7, direction="left", strategy="only_first")
    tl.enable_padding(pad_id=1, pad_token="[PAD]", direction="left", pad_to_multiple_of=4)
    out["truncation-left"] = tl
    return out


# Folders whose tokenizer_config.json exercises what transformers adds on top of tokenizer.json:
# special tokens named in the config but missing from tokenizer.json (added, with new ids), a
# post-processor rebuilt from add_bos_token/add_eos_token, clean_up_tokenization_spaces, and
# tokenizer.json truncation/padding that transformers does not apply by default.
CONFIG_FIXTURES = {
    "config-bos-eos": ("model-wordpiece", {
        "tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": True, "add_eos_token": True,
        "bos_token": "[CLS]", "eos_token": "[SEP]", "mask_token": "<mask>", "unk_token": "[UNK]",
        "additional_special_tokens": ["<extra_1>", "[PAD]"], "clean_up_tokenization_spaces": True,
        "added_tokens_decoder": {"400": {"content": "<doc>", "lstrip": False, "normalized": False, "rstrip": True,
                                         "single_word": False, "special": True}}}),
    "config-no-postprocessor": ("truncation-left", {
        "tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "[UNK]", "pad_token": "[PAD]",
        "clean_up_tokenization_spaces": False}),
}


def config_fixtures():
    for name, (base, config) in CONFIG_FIXTURES.items():
        dst = os.path.join(FIXTURES, name)
        os.makedirs(dst, exist_ok=True)
        shutil.copyfile(os.path.join(FIXTURES, base, "tokenizer.json"), os.path.join(dst, "tokenizer.json"))
        with open(os.path.join(dst, "tokenizer_config.json"), "w") as f:
            json.dump(config, f, indent=1)
        with open(os.path.join(dst, "SOURCE.txt"), "w") as f:
            f.write(f"tokenizer.json copied from {base}; tokenizer_config.json written by Tests/Generator/gen_tokenizers.py.\n")


def legacy_merges(path):
    """Rewrites a BPE tokenizer.json with merges as "a b" strings (the pre-0.20 format)."""
    with open(path, encoding="utf-8") as f:
        j = json.load(f)
    j["model"]["merges"] = [" ".join(m) for m in j["model"]["merges"]]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(j, f, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------------------------
# Cases

def reference_for(folder):
    """(kind, tokenizer) for the folder: transformers when it has a loadable config."""
    if os.path.exists(os.path.join(folder, "tokenizer_config.json")):
        try:
            return "transformers", AutoTokenizer.from_pretrained(folder)
        except Exception as e:  # e.g. MarianTokenizer needs its .spm files
            return "tokenizers (transformers failed: %s)" % type(e).__name__, None
    return "tokenizers", None


def case(raw, auto, text, pair, add_special, text_hex=None, index=None, pair_index=None):
    c = {"text_hex": text_hex} if text_hex is not None else ({"i": index} if index is not None else {"text": text})
    if pair is not None:
        c["pair_i"] = pair_index
    c["add_special_tokens"] = add_special
    try:
        enc = raw.encode(text, pair, add_special_tokens=add_special) if pair is not None else \
            raw.encode(text, add_special_tokens=add_special)
    except Exception as e:  # recorded: lmcore must throw too
        if auto is None:
            c["error"] = str(e)
            return c
        # transformers does not apply tokenizer.json's truncation by default: only raw fails.
        c["raw_error"] = str(e)
        enc = None
    if enc is None:
        ids = auto(text, pair, add_special_tokens=add_special)["input_ids"] if pair is not None else \
            auto(text, add_special_tokens=add_special)["input_ids"]
        c["ids"] = ids
        c["decoded"] = auto.decode(ids, skip_special_tokens=False)
        c["decoded_skip_special"] = auto.decode(ids, skip_special_tokens=True)
        return c
    if auto is not None:
        ids = auto(text, pair, add_special_tokens=add_special)["input_ids"] if pair is not None else \
            auto(text, add_special_tokens=add_special)["input_ids"]
        if ids != enc.ids:
            c["raw_ids"] = enc.ids
        c["ids"] = ids
        c["decoded"] = auto.decode(ids, skip_special_tokens=False)
        c["decoded_skip_special"] = auto.decode(ids, skip_special_tokens=True)
        # Where raw tokenizers decodes differently (transformers' clean_up_tokenization_spaces).
        raw_dec = raw.decode(ids, skip_special_tokens=False)
        raw_dec_skip = raw.decode(ids, skip_special_tokens=True)
        if raw_dec != c["decoded"] or raw_dec_skip != c["decoded_skip_special"]:
            c["raw_decoded"] = raw_dec
            c["raw_decoded_skip_special"] = raw_dec_skip
    else:
        c["ids"] = enc.ids
        c["decoded"] = raw.decode(enc.ids, skip_special_tokens=False)
        c["decoded_skip_special"] = raw.decode(enc.ids, skip_special_tokens=True)
    c["tokens"] = enc.tokens
    c["offsets"] = [list(o) for o in enc.offsets]
    # Masks only when they are not the trivial (all 0 / all 0 / all 1) ones.
    if any(enc.type_ids):
        c["type_ids"] = enc.type_ids
    if any(enc.special_tokens_mask):
        c["special_tokens_mask"] = enc.special_tokens_mask
    if not all(enc.attention_mask):
        c["attention_mask"] = enc.attention_mask
    return c


def write_cases(name, texts):
    folder = os.path.join(FIXTURES, name)
    raw = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    kind, auto = reference_for(folder)
    header = {"tokenizer": name, "reference": kind, "versions": versions(),
              "vocab_size_with_added": raw.get_vocab_size(with_added_tokens=True), "texts": texts}
    if auto is not None:
        header["all_special_ids"] = sorted(auto.all_special_ids)
        header["vocab_size_with_added"] = len(auto)
    lines = [header]

    def both(text, pair, i, j):
        with_special = case(raw, auto, text, pair, True, index=i, pair_index=j)
        without = case(raw, auto, text, pair, False, index=i, pair_index=j)
        lines.append(with_special)
        # The case without special tokens is kept only where it differs.
        if {k: v for k, v in with_special.items() if k != "add_special_tokens"} != \
                {k: v for k, v in without.items() if k != "add_special_tokens"}:
            lines.append(without)
        else:
            with_special["same_without_special"] = True

    for i, t in enumerate(texts):
        both(t, None, i, None)
    for a, b in PAIRS:
        both(texts[a], texts[b], a, b)
    for h in INVALID_UTF8:
        lines.append(case(raw, auto, bytes.fromhex(h).decode("utf-8", errors="replace"), None, True, text_hex=h))
    with open(os.path.join(folder, "cases.jsonl"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return len(lines) - 1


def main():
    texts = corpus() + EXTRA
    os.makedirs(FIXTURES, exist_ok=True)
    src = os.path.join(SHARED, "testdata", "tokenizers")
    for name in REAL:
        dst = os.path.join(FIXTURES, name)
        os.makedirs(dst, exist_ok=True)
        for fn in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "SOURCE.txt"]:
            if os.path.exists(os.path.join(src, name, fn)):
                shutil.copyfile(os.path.join(src, name, fn), os.path.join(dst, fn))
    # Training is not deterministic (tie-breaking follows hash order), so existing component
    # fixtures are kept unless --rebuild is given; the goldens are always recomputed.
    rebuild = "--rebuild" in sys.argv
    built = component_fixtures(corpus())
    for name, tok in built.items():
        dst = os.path.join(FIXTURES, name)
        if os.path.exists(os.path.join(dst, "tokenizer.json")) and not rebuild:
            continue
        os.makedirs(dst, exist_ok=True)
        tok.save(os.path.join(dst, "tokenizer.json"), pretty=False)
        with open(os.path.join(dst, "SOURCE.txt"), "w") as f:
            f.write(f"Built by Tests/Generator/gen_tokenizers.py with tokenizers {tokenizers.__version__} "
                    "(trained on Tests/Fixtures/corpus/multilingual.jsonl).\n")
    # One fixture keeps merges in the legacy "a b" string form.
    if rebuild or not os.path.exists(os.path.join(FIXTURES, "model-bpe-legacy-merges", "tokenizer.json")):
        shutil.copytree(os.path.join(FIXTURES, "model-bpe-prefix"), os.path.join(FIXTURES, "model-bpe-legacy-merges"),
                        dirs_exist_ok=True)
        legacy_merges(os.path.join(FIXTURES, "model-bpe-legacy-merges", "tokenizer.json"))
    config_fixtures()
    total = 0
    for name in sorted(os.listdir(FIXTURES)):
        if os.path.exists(os.path.join(FIXTURES, name, "tokenizer.json")):
            total += write_cases(name, texts)
    print("wrote", total, "cases", file=sys.stderr)


if __name__ == "__main__":
    main()
