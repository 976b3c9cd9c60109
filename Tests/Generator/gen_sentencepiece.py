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
import random
import shutil
import sys
import tempfile

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
    os.makedirs(os.path.dirname(os.path.join(GOLDENS, name)), exist_ok=True)
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


# --- trained models ------------------------------------------------------------------------------

TRAINED = os.path.join(SPM_DIR, "trained")

# Small custom normalization rules (tab-separated source and target code points) so one model has
# a charsmap built from rules rather than the large nmt_nfkc table, including multi-character keys.
CUSTOM_RULES = [
    ("41", "61"), ("42", "62"), ("43", "63"),  # A B C -> a b c
    ("DF", "73 73"),  # ß -> ss
    ("FB01", "66 69"),  # ﬁ -> fi
    ("FF76 FF9E", "30AC"),  # ｶﾞ -> ガ (two characters in)
    ("FF76", "30AB"),  # ｶ -> カ
    ("3000", "20"),  # ideographic space -> space
    ("9", "20"),  # tab -> space
    ("200B", ""),  # zero width space -> deleted
    ("2460", "28 31 29"),  # ① -> (1)
]
DENORMALIZER_RULES = [("61", "41")]  # decoded a -> A: makes the denormalizer visible


def training_text():
    """The shared corpus plus number words in many languages (deterministic, no downloads)."""
    from num2words import num2words

    lines = [t for t in corpus_texts() if t.strip()]
    rng = random.Random(0)
    for lang in ["en", "fr", "de", "es", "ru", "ar", "he", "ja", "ko", "vi", "tr", "pl", "cs", "it", "pt", "th"]:
        for n in rng.sample(range(1, 100000), 150):
            lines.append(f"{n} = {num2words(n, lang=lang)}.")
    return lines


def write_rules(path, rules):
    with open(path, "w", encoding="utf-8") as f:
        for src, dst in rules:
            f.write(f"{src}\t{dst}\n")


# name -> SentencePieceTrainer options (besides input/model_prefix).
TRAINING = {
    "unigram-nfkc": dict(model_type="unigram", vocab_size=1000, pad_id=0, eos_id=1, unk_id=2, bos_id=-1),
    "unigram-bytefallback": dict(
        model_type="unigram", vocab_size=800, byte_fallback=True, normalization_rule_name="identity",
        user_defined_symbols=["<sep>", "[MASK]", "@@", "ab"], control_symbols=["<ctrl>"], split_digits=True),
    "bpe-nfkc": dict(model_type="bpe", vocab_size=1000),
    "bpe-bytefallback": dict(
        model_type="bpe", vocab_size=800, byte_fallback=True, normalization_rule_name="identity",
        add_dummy_prefix=False, remove_extra_whitespaces=False, user_defined_symbols=["<sep>", "[MASK]"]),
    "unigram-rules": dict(
        model_type="unigram", vocab_size=600, add_dummy_prefix=False, remove_extra_whitespaces=False,
        normalization_rule_tsv="RULES"),
    "unigram-suffix": dict(
        model_type="unigram", vocab_size=600, treat_whitespace_as_suffix=True, allow_whitespace_only_pieces=True,
        normalization_rule_name="identity", denormalization_rule_tsv="DENORM"),
    "word": dict(model_type="word", vocab_size=400, normalization_rule_name="identity"),
    "char": dict(model_type="char", vocab_size=120, normalization_rule_name="identity"),
}

# Models derived from trained ones by marking pieces UNUSED (what sentencepiece's SetVocabulary
# does), so the unigram lattice skips them and BPE re-splits merged unused pieces.
UNUSED_VARIANTS = {"unigram-unused": "unigram-bytefallback", "bpe-unused": "bpe-bytefallback"}


def train_models():
    os.makedirs(TRAINED, exist_ok=True)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        # Relative names inside the temporary folder: the trainer records its input paths in the
        # model, and fixed names keep the model files identical from run to run.
        os.chdir(tmp)
        try:
            with open("train.txt", "w", encoding="utf-8") as f:
                f.write("\n".join(training_text()) + "\n")
            write_rules("rules.tsv", CUSTOM_RULES)
            write_rules("denorm.tsv", DENORMALIZER_RULES)
            for name, options in TRAINING.items():
                opts = dict(options)
                for key, value in list(opts.items()):
                    if value == "RULES":
                        opts[key] = "rules.tsv"
                    elif value == "DENORM":
                        opts[key] = "denorm.tsv"
                spm.SentencePieceTrainer.train(
                    input="train.txt", model_prefix=name, num_threads=1, character_coverage=1.0,
                    shuffle_input_sentence=False, minloglevel=2, **opts)
                shutil.copy(name + ".model", os.path.join(TRAINED, name + ".model"))
        finally:
            os.chdir(cwd)
    for name, base in UNUSED_VARIANTS.items():
        m = load_proto(os.path.join(TRAINED, base + ".model"))
        normal = [p for p in m.pieces if p.type == model_pb2.ModelProto.SentencePiece.NORMAL]
        # Every 7th multi-character piece becomes UNUSED.
        for p in [p for p in normal if len(p.piece) > 1][::7]:
            p.type = model_pb2.ModelProto.SentencePiece.UNUSED
        with open(os.path.join(TRAINED, name + ".model"), "wb") as f:
            f.write(m.SerializeToString())
    with open(os.path.join(TRAINED, "TRAINING.json"), "w", encoding="utf-8") as f:
        json.dump({"versions": versions(), "options": TRAINING, "unused_variants": UNUSED_VARIANTS,
                   "custom_rules": CUSTOM_RULES, "denormalizer_rules": DENORMALIZER_RULES}, f, indent=1)
    print("trained", ", ".join(list(TRAINING) + list(UNUSED_VARIANTS)))


# --- sentencepiece used directly -----------------------------------------------------------------

# Invalid UTF-8 inputs: lmcore takes text as Swift Strings, which repair bytes the way Python's
# bytes.decode("utf-8", errors="replace") does (U+FFFD per maximal invalid subpart).
INVALID_UTF8 = [
    b"abc\xff def",
    b"\xe2\x82 truncated euro",
    b"\xf0\x9f\x98 truncated emoji \xf0\x9f\x98\x80",
    b"\xc0\xaf overlong slash",
    b"\xed\xa0\x80 surrogate",
    b"\x80\x80\x80",
]


def spm_direct_cases(sp, texts):
    cases = []
    special = {i for i in range(sp.get_piece_size()) if sp.is_control(i) or sp.is_unknown(i)}
    for t in texts:
        om = sp.encode(t, out_type="offset_mapping", return_bytes=True)
        om_chars = sp.encode(t, out_type="offset_mapping")
        ids = sp.encode(t)
        pieces = sp.encode(t, out_type=str)
        assert ids == om["ids"] == om_chars["ids"]
        cases.append({
            "text": t, "ids": ids, "pieces": pieces, "byte_offsets": [list(o) for o in om["offsets"]],
            "offsets": [list(o) for o in om_chars["offsets"]],
            "decoded": sp.decode(ids),
            "decoded_skip_special": sp.decode([i for i in ids if i not in special]),
        })
    return cases


def spm_decode_cases(sp, seed):
    """Id sequences no encoder produces: control and unknown ids, byte pieces forming broken UTF-8,
    leading whitespace pieces."""
    rng = random.Random(seed)
    n = sp.get_piece_size()
    out = []
    for length in [1, 2, 3, 5, 8, 13, 21]:
        for _ in range(3):
            ids = [rng.randrange(n) for _ in range(length)]
            out.append({"ids": ids, "decoded": sp.decode(ids)})
    ws = [i for i in range(n) if sp.id_to_piece(i).startswith("\u2581")][:5]
    out.append({"ids": ws, "decoded": sp.decode(ws)})
    byte_ids = [i for i in range(n) if sp.is_byte(i)]
    if byte_ids:
        by = {sp.id_to_piece(i): i for i in byte_ids}
        for seq in ["E2 82", "E2 82 AC", "F0 9F 98 80 41", "C0 AF", "80 41 FF", "ED A0 80", "F4 90 80 80"]:
            ids = [by[f"<0x{b}>"] for b in seq.split()]
            out.append({"ids": ids, "decoded": sp.decode(ids)})
    return out


def gen_spm_direct():
    texts = corpus_texts()
    models = [(name, f"trained/{name}.model") for name in list(TRAINING) + list(UNUSED_VARIANTS)]
    models += [("opus-mt-en-mg source.spm", "opus-mt-en-mg/source.spm"),
               ("opus-mt-en-mg target.spm", "opus-mt-en-mg/target.spm"),
               ("marian-nmt-ortx-test vocab.joint.spm", "marian-nmt-ortx-test/vocab.joint.spm")]
    for k, (name, rel) in enumerate(models):
        sp = spm.SentencePieceProcessor(model_file=os.path.join(SPM_DIR, rel))
        invalid = []
        for raw in INVALID_UTF8:
            text = raw.decode("utf-8", errors="replace")
            invalid.append({"bytes_hex": raw.hex(), **spm_direct_cases(sp, [text])[0]})
        write(f"spm/{name.split()[0]}{'-' + name.split()[1].split('.')[0] if ' ' in name else ''}.json",
              {"name": name, "model": rel, "piece_count": sp.get_piece_size(),
               "cases": spm_direct_cases(sp, texts), "invalid_utf8": invalid,
               "decode_cases": spm_decode_cases(sp, k)})


# --- Marian ------------------------------------------------------------------------------------

MARIAN_EXTRA_CASES = [
    ">>fra<< Bonjour le monde",
    ">>deu<<Guten Tag",
    "  >>fra<< leading spaces before the code",
    "</s>>>fra<< code right after an added token",
    "a [MASK] b",
    "a[MASK]b",
    "[MASK]",
    "x <sep> y",
    "x<sep>y",
    "<pad><pad></s><unk>",
    "word</s>",
    "Hello , world ! It 's fine .",
]


def make_synthetic_marian_folders():
    """Two Marian folders built from small trained models: one with separate vocabularies (ids
    that differ from the SentencePiece ids, pieces missing from the vocab, added tokens with
    lstrip / single_word), one joint with >>xx<< language codes and legacy special_tokens_map.json."""
    src_model = os.path.join(TRAINED, "unigram-rules.model")
    tgt_model = os.path.join(TRAINED, "bpe-bytefallback.model")
    src = spm.SentencePieceProcessor(model_file=src_model)
    tgt = spm.SentencePieceProcessor(model_file=tgt_model)

    def vocab_from(sp, codes, drop_every, reverse):
        pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
        pieces = [p for p in pieces if p not in ("</s>", "<unk>", "<s>", "<pad>")]
        pieces = [p for k, p in enumerate(pieces) if k % drop_every != 3]
        if reverse:
            pieces.reverse()
        ordered = ["</s>", "<unk>"] + codes + pieces + ["[MASK]", "<sep>", "<pad>"]
        return {p: i for i, p in enumerate(ordered)}

    sep_dir = os.path.join(SPM_DIR, "marian-separate")
    os.makedirs(sep_dir, exist_ok=True)
    shutil.copy(src_model, os.path.join(sep_dir, "source.spm"))
    shutil.copy(tgt_model, os.path.join(sep_dir, "target.spm"))
    vocab = vocab_from(src, [">>fra<<", ">>deu<<"], 10, False)
    target_vocab = vocab_from(tgt, [], 9, True)
    with open(os.path.join(sep_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, indent=1)
    with open(os.path.join(sep_dir, "target_vocab.json"), "w", encoding="utf-8") as f:
        json.dump(target_vocab, f, ensure_ascii=False, indent=1)

    def added(content, idx, **kw):
        d = {"content": content, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
             "special": True}
        d.update(kw)
        return str(idx), d

    config = {
        "separate_vocabs": True, "source_lang": "en", "target_lang": "fr", "clean_up_tokenization_spaces": True,
        "tokenizer_class": "MarianTokenizer", "model_max_length": 512,
        "added_tokens_decoder": dict([
            added("</s>", vocab["</s>"]), added("<unk>", vocab["<unk>"]),
            added("[MASK]", vocab["[MASK]"], lstrip=True),
            added("<sep>", vocab["<sep>"], single_word=True, special=False),
            added("<pad>", vocab["<pad>"])]),
        "additional_special_tokens": ["[MASK]"],
    }
    with open(os.path.join(sep_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=1)
    with open(os.path.join(sep_dir, "SOURCE.txt"), "w", encoding="utf-8") as f:
        f.write("Synthetic Marian folder made by Tests/Generator/gen_sentencepiece.py from trained/unigram-rules.model\n"
                "(source.spm) and trained/bpe-bytefallback.model (target.spm): separate vocabularies whose ids differ\n"
                "from the SentencePiece ids, some pieces missing, added tokens with lstrip and single_word.\n")

    joint_dir = os.path.join(SPM_DIR, "marian-joint-codes")
    os.makedirs(joint_dir, exist_ok=True)
    shutil.copy(src_model, os.path.join(joint_dir, "source.spm"))
    shutil.copy(tgt_model, os.path.join(joint_dir, "target.spm"))
    joint = vocab_from(src, [">>fra<<", ">>deu<<", ">>ita<<"], 8, False)
    for p in [tgt.id_to_piece(i) for i in range(tgt.get_piece_size())]:
        joint.setdefault(p, len(joint))
    with open(os.path.join(joint_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(joint, f, ensure_ascii=False, indent=1)
    with open(os.path.join(joint_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"source_lang": "en", "target_lang": "mul", "tokenizer_class": "MarianTokenizer"}, f, indent=1)
    with open(os.path.join(joint_dir, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                   "additional_special_tokens": ["<sep>"]}, f, indent=1)
    with open(os.path.join(joint_dir, "SOURCE.txt"), "w", encoding="utf-8") as f:
        f.write("Synthetic Marian folder made by Tests/Generator/gen_sentencepiece.py from trained/unigram-rules.model\n"
                "(source.spm) and trained/bpe-bytefallback.model (target.spm): one joint vocab.json with >>xx<< codes,\n"
                "special tokens from the legacy special_tokens_map.json.\n")


def marian_cases(tok, texts):
    from transformers import MarianTokenizer  # noqa: F401  (the class under test)

    cases = []
    for t in texts:
        enc = tok(t, return_special_tokens_mask=True)
        ids = enc["input_ids"]
        tok._switch_to_target_mode()
        target_tokens = tok.tokenize(t)
        tok._switch_to_input_mode()
        labels = tok(text_target=t)["input_ids"]
        cases.append({
            "text": t, "ids": ids, "tokens": tok.tokenize(t) + [tok.eos_token],
            "special_tokens_mask": enc["special_tokens_mask"],
            "ids_no_special": tok(t, add_special_tokens=False)["input_ids"],
            "decoded": tok.decode(ids), "decoded_skip_special": tok.decode(ids, skip_special_tokens=True),
            "target_ids": labels, "target_tokens": target_tokens + [tok.eos_token],
            "target_decoded": tok.decode(labels),
            "target_decoded_skip_special": tok.decode(labels, skip_special_tokens=True),
        })
    return cases


def marian_golden(name, tok, files, texts, seed):
    rng = random.Random(seed)
    n = len(tok.decoder) if hasattr(tok, "decoder") else len(tok)
    decode_cases = []
    special = list(tok.all_special_ids)
    for length in [1, 2, 4, 8, 16]:
        for _ in range(3):
            ids = [rng.randrange(n) for _ in range(length)] + [rng.choice(special)]
            rng.shuffle(ids)
            decode_cases.append({"ids": ids, "decoded": tok.decode(ids),
                                 "decoded_skip_special": tok.decode(ids, skip_special_tokens=True)})
    pairs = []
    for a, b in [("Hello world", "Second part"), ("", "only pair"), (">>fra<< code", "[MASK] b")]:
        e = tok(a, b, return_token_type_ids=True)
        pairs.append({"text": a, "pair": b, "ids": e["input_ids"], "type_ids": e["token_type_ids"]})
    write(f"marian/{name}.json", {
        "name": name, "files": files, "vocab_size": len(tok),
        "all_special_ids": tok.all_special_ids, "all_special_tokens": tok.all_special_tokens,
        "supported_language_codes": tok.supported_language_codes,
        "cases": marian_cases(tok, texts), "pairs": pairs, "decode_cases": decode_cases,
    })


def gen_marian():
    import warnings

    from transformers import AutoTokenizer, MarianTokenizer

    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
    make_synthetic_marian_folders()
    texts = corpus_texts() + MARIAN_EXTRA_CASES
    texts += [raw.decode("utf-8", errors="replace") for raw in INVALID_UTF8]
    for k, folder in enumerate(["opus-mt-en-mg", "marian-separate", "marian-joint-codes"]):
        tok = AutoTokenizer.from_pretrained(os.path.join(SPM_DIR, folder))
        assert type(tok) is MarianTokenizer, type(tok)
        marian_golden(folder, tok, {"directory": folder}, texts, 100 + k)
    # The ortx joint vocabulary as a Marian model (source.spm = target.spm = vocab.joint.spm).
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(SPM_DIR, "marian-nmt-ortx-test")
        for f in ["vocab.json", "tokenizer_config.json", "special_tokens_map.json"]:
            shutil.copy(os.path.join(d, f), os.path.join(tmp, f))
        shutil.copy(os.path.join(d, "vocab.joint.spm"), os.path.join(tmp, "source.spm"))
        shutil.copy(os.path.join(d, "vocab.joint.spm"), os.path.join(tmp, "target.spm"))
        tok = AutoTokenizer.from_pretrained(tmp)
        assert type(tok) is MarianTokenizer, type(tok)
        marian_golden("marian-nmt-ortx-test", tok, {
            "source": "marian-nmt-ortx-test/vocab.joint.spm", "target": "marian-nmt-ortx-test/vocab.joint.spm",
            "vocab": "marian-nmt-ortx-test/vocab.json", "config_directory": "marian-nmt-ortx-test"}, texts, 99)


# --- T5 (spiece.model through transformers' T5Tokenizer) -----------------------------------------

CHARSMAP_MARKER = "<spiece.model normalizer_spec.precompiled_charsmap>"

# name -> (spiece.model source, files written next to it). transformers 5.23 converts spiece.model
# into a `tokenizers` pipeline (T5Tokenizer is a TokenizersBackend): the golden keeps that pipeline
# (backend_tokenizer.to_str()) and its outputs.
T5_FOLDERS = {
    "t5-default": ("trained/unigram-nfkc.model", {"config.json": {"model_type": "t5"}}),
    "t5-config": ("trained/unigram-nfkc.model", {
        "config.json": {"model_type": "t5"},
        "tokenizer_config.json": {"tokenizer_class": "T5Tokenizer", "extra_ids": 10, "legacy": False,
                                  "clean_up_tokenization_spaces": True}}),
    "t5-v1_1": ("trained/unigram-nfkc.model", {
        "config.json": {"model_type": "t5"},
        "tokenizer_config.json": {"tokenizer_class": "T5Tokenizer", "extra_ids": 100, "legacy": True,
                                  "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
                                  "additional_special_tokens": [f"<extra_id_{i}>" for i in range(100)],
                                  "model_max_length": 512}}),
    "t5-custom": ("trained/unigram-nfkc.model", {
        "config.json": {"model_type": "t5"},
        "tokenizer_config.json": {
            "extra_ids": 3, "additional_special_tokens": ["<foo>", "<extra_id_0>"], "pad_token": "<mypad>",
            "added_tokens_decoder": {"1005": {"content": "<new>", "lstrip": True, "rstrip": False, "normalized": True,
                                              "single_word": False, "special": False}}}}),
    "t5-userdefined": ("trained/unigram-bytefallback.model", {"config.json": {"model_type": "t5"}}),
}


def gen_t5():
    import base64

    from transformers import AutoTokenizer, T5Tokenizer

    texts = corpus_texts() + ["<extra_id_0> fill <extra_id_1> in", "x<extra_id_9>y", "<sep> [MASK] <ctrl> @@ ab",
                              "</s> <pad> <unk> <s>", "a <foo> b <new>x <mypad> <bar>"]
    for name, (spiece, files) in T5_FOLDERS.items():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(SPM_DIR, spiece), os.path.join(tmp, "spiece.model"))
            for fname, content in files.items():
                with open(os.path.join(tmp, fname), "w", encoding="utf-8") as f:
                    json.dump(content, f)
            tok = AutoTokenizer.from_pretrained(tmp)
            assert type(tok) is T5Tokenizer, type(tok)
            pipeline = json.loads(tok.backend_tokenizer.to_str())
            charsmap = load_proto(os.path.join(SPM_DIR, spiece)).normalizer_spec.precompiled_charsmap
            norm = pipeline.get("normalizer")
            if norm and norm.get("type") == "Precompiled":
                assert base64.b64decode(norm["precompiled_charsmap"]) == charsmap
                norm["precompiled_charsmap"] = CHARSMAP_MARKER
            # The model vocabulary starts with the spiece.model pieces and scores: keep only the rest.
            proto = load_proto(os.path.join(SPM_DIR, spiece))
            vocab = pipeline["model"]["vocab"]
            n = len(proto.pieces)
            assert [tuple(v) for v in vocab[:n]] == [(p.piece, p.score) for p in proto.pieces]
            pipeline["model"]["vocab"] = {"spiece_pieces": n, "then": vocab[n:]}
            cases = []
            for t in texts:
                enc = tok(t)
                ids = enc["input_ids"]
                # The tokens of the `tokenizers` Encoding (for <unk> its surface text, not "<unk>").
                cases.append({"text": t, "ids": ids, "tokens": enc.tokens(),
                              "decoded": tok.decode(ids), "decoded_skip_special": tok.decode(ids, skip_special_tokens=True)})
            write(f"t5/{name}.json", {
                "name": name, "spiece": spiece, "files": files, "tokenizer_json": pipeline,
                "clean_up_tokenization_spaces": tok.clean_up_tokenization_spaces,
                "all_special_ids": tok.all_special_ids, "vocab_size": len(tok), "cases": cases})


# --- AutoTokenizer folder dispatch ---------------------------------------------------------------

# A tiny valid tokenizer.json (WordLevel) whose added token "<extra>" also reaches a slow
# MarianTokenizer through the legacy path (tokenizer_config.json without added_tokens_decoder).
TINY_TOKENIZER_JSON = {
    "version": "1.0", "truncation": None, "padding": None,
    "added_tokens": [{"id": 3, "content": "<extra>", "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True}],
    "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
    "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "hello": 1, "world": 2, "<extra>": 3}, "unk_token": "<unk>"},
}

# A tiny Unigram tokenizer.json for a T5 folder (so its ids differ from spiece.model's).
TINY_UNIGRAM_JSON = {
    "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
    "normalizer": None,
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "post_processor": None,
    "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "model": {"type": "Unigram", "unk_id": 2, "byte_fallback": False,
              "vocab": [["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["\u2581hello", -1.0], ["\u2581world", -1.0],
                        ["\u2581", -2.0], ["h", -3.0], ["e", -3.0], ["l", -3.0], ["o", -3.0], ["w", -3.0], ["r", -3.0],
                        ["d", -3.0]]},
}

# name -> files: fixture-relative source path, or a JSON object to write.
AUTO_LAYOUTS = {
    "marian": {"source.spm": "opus-mt-en-mg/source.spm", "target.spm": "opus-mt-en-mg/target.spm",
               "vocab.json": "opus-mt-en-mg/vocab.json", "config.json": "opus-mt-en-mg/config.json",
               "tokenizer_config.json": "opus-mt-en-mg/tokenizer_config.json"},
    "marian-and-tokenizer-json": {"source.spm": "opus-mt-en-mg/source.spm", "target.spm": "opus-mt-en-mg/target.spm",
                                  "vocab.json": "opus-mt-en-mg/vocab.json", "config.json": "opus-mt-en-mg/config.json",
                                  "tokenizer_config.json": "opus-mt-en-mg/tokenizer_config.json",
                                  "tokenizer.json": TINY_TOKENIZER_JSON},
    "marian-files-no-config": {"source.spm": "opus-mt-en-mg/source.spm", "target.spm": "opus-mt-en-mg/target.spm",
                               "vocab.json": "opus-mt-en-mg/vocab.json"},
    "marian-class-tokenizer-json-only": {"tokenizer.json": TINY_TOKENIZER_JSON,
                                         "tokenizer_config.json": {"tokenizer_class": "MarianTokenizer"}},
    "marian-model-type-tokenizer-json-only": {"tokenizer.json": TINY_TOKENIZER_JSON, "config.json": {"model_type": "marian"}},
    "t5-spiece": {"spiece.model": "trained/unigram-nfkc.model", "config.json": {"model_type": "t5"}},
    "t5-spiece-and-tokenizer-json": {"spiece.model": "trained/unigram-nfkc.model", "config.json": {"model_type": "t5"},
                                     "tokenizer.json": TINY_UNIGRAM_JSON},
    "tokenizer-json-only": {"tokenizer.json": TINY_TOKENIZER_JSON},
    "spiece-only": {"spiece.model": "trained/unigram-nfkc.model"},
    "spiece-albert": {"spiece.model": "trained/unigram-nfkc.model", "config.json": {"model_type": "albert"}},
    "empty": {},
}

# Where lmcore chooses differently from transformers, and why (checked by the Swift test).
AUTO_DEVIATIONS = {
    "marian-files-no-config": "transformers needs a config; the Marian files are unambiguous",
    "marian-class-tokenizer-json-only": "transformers fails (no source.spm); lmcore uses tokenizer.json",
    "marian-model-type-tokenizer-json-only": "transformers fails (no source.spm); lmcore uses tokenizer.json",
}

# Layouts whose ids lmcore does not reproduce, and why.
AUTO_ID_DEVIATIONS = {
    "t5-spiece-and-tokenizer-json": "transformers' T5Tokenizer rebuilds its pipeline around tokenizer.json's vocabulary "
                                    "(T5 pre-tokenizer, decoder and '$A </s>' template); lmcore runs tokenizer.json as "
                                    "written (the same for real T5 tokenizer.json files, which carry that pipeline)",
}


def make_layout(root, files):
    for fname, src in files.items():
        dst = os.path.join(root, fname)
        if isinstance(src, dict):
            with open(dst, "w", encoding="utf-8") as f:
                json.dump(src, f, ensure_ascii=False)
        else:
            shutil.copy(os.path.join(SPM_DIR, src), dst)


def gen_auto():
    import warnings

    from transformers import AutoTokenizer

    warnings.filterwarnings("ignore")
    out = []
    for name, files in AUTO_LAYOUTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            make_layout(tmp, files)
            entry = {"name": name, "files": files, "deviation": AUTO_DEVIATIONS.get(name),
                     "ids_deviation": AUTO_ID_DEVIATIONS.get(name)}
            try:
                tok = AutoTokenizer.from_pretrained(tmp)
                entry["class"] = type(tok).__name__
                entry["cases"] = [{"text": t, "ids": tok(t)["input_ids"]}
                                  for t in ["hello world", "hello <extra> world", "Hello world!"]]
            except Exception as e:  # the reference refuses this folder
                entry["class"] = None
                entry["error"] = f"{type(e).__name__}: {e}"[:300]
            out.append(entry)
    write("autotokenizer.json", {"layouts": out})


GENERATORS = {
    "charsmap": gen_charsmaps,
    "train": train_models,
    "spm": gen_spm_direct,
    "marian": gen_marian,
    "t5": gen_t5,
    "auto": gen_auto,
}

if __name__ == "__main__":
    # Training is explicit (`gen_sentencepiece.py train`): the trained models are fixtures themselves.
    wanted = sys.argv[1:] or [k for k in GENERATORS if k != "train"]
    for key in wanted:
        GENERATORS[key]()
