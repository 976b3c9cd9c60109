#!/usr/bin/env python3
"""Generates Sources/LMTokenizer/Unicode/UnicodeTables.swift.

Every table is derived by *probing HF tokenizers itself* (the pinned version), one code point at a
time, so lmcore reproduces the Unicode data of each crate HF links (unicode-normalization-alignments,
unicode_categories, Rust std's char methods, the regex crate's \\w) rather than whatever Unicode version
Python or Swift ships. Python's unicodedata only supplies candidates (one-level decompositions,
combining-class values) that the probes then confirm.

Run: /opt/lmcore-ref/bin/python Tests/Generator/gen_unicode_tables.py
"""
import os
import sys
import unicodedata

import tokenizers
from tokenizers import normalizers, pre_tokenizers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Sources", "LMTokenizer", "Unicode", "UnicodeTables.swift")

ALL = [cp for cp in range(0x110000) if not (0xD800 <= cp < 0xE000)]


def norm(n, s):
    return n.normalize_str(s)


def ranges_of(pred_cps):
    """Sorted code points -> [(lo, hi)] inclusive ranges."""
    out = []
    for cp in pred_cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def main():
    nfd, nfkd, nfc = normalizers.NFD(), normalizers.NFKD(), normalizers.NFC()
    lower = normalizers.Lowercase()
    strip = normalizers.Strip()
    strip_accents = normalizers.StripAccents()
    bert_clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                            strip_accents=False, lowercase=False)
    bert_strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                            strip_accents=True, lowercase=False)
    punct = pre_tokenizers.Punctuation()
    digits = pre_tokenizers.Digits(individual_digits=False)
    ws = pre_tokenizers.Whitespace()
    scripts = pre_tokenizers.UnicodeScripts()

    canon, compat, lowers = {}, {}, {}
    white, control, mn, cmark, punc, numeric, word = [], [], [], [], [], [], []
    nfd_stable = set()
    for cp in ALL:
        c = chr(cp)
        d = norm(nfd, c)
        hangul = 0xAC00 <= cp <= 0xD7A3  # decomposed algorithmically in Swift
        if d != c and not hangul:
            canon[cp] = [ord(x) for x in d]
        elif d == c:
            nfd_stable.add(cp)
        kd = norm(nfkd, c)
        if kd != d and not hangul:
            compat[cp] = [ord(x) for x in kd]
        lo = norm(lower, c)
        if lo != c:
            lowers[cp] = [ord(x) for x in lo]
        if norm(strip, c) == "":
            white.append(cp)
        b = norm(bert_clean, c)
        if b == "" and cp not in (0, 0xFFFD):
            control.append(cp)
        if norm(strip_accents, c) == "":
            cmark.append(cp)
        if cp in nfd_stable and norm(bert_strip, c) == "":
            mn.append(cp)
        if len(punct.pre_tokenize_str("a" + c + "a")) == 3:
            punc.append(cp)
        if len(digits.pre_tokenize_str("a" + c)) == 2:
            numeric.append(cp)
        if [t for t, _ in ws.pre_tokenize_str("a" + c)] == ["a" + c]:
            word.append(cp)

    # Canonical combining classes: the crate's value is Python's where the crate knows the mark
    # (ccc values never change once assigned); a probe decides whether it knows it.
    ccc = {}
    for cp in ALL:
        k = unicodedata.combining(chr(cp))
        if k == 0 or cp not in nfd_stable:
            if k != 0:
                ccc[cp] = k  # decomposing marks keep Python's value; only used after decomposition
            continue
        c = chr(cp)
        if k > 1:
            known = norm(nfd, "a" + c + "\u0334") == "a\u0334" + c
        else:
            known = norm(nfd, "a\u0301" + c) == "a" + c + "\u0301"
        if known:
            ccc[cp] = k

    # Primary composites: one-level canonical pairs that HF's NFC really recomposes.
    comps = []
    for cp in ALL:
        if 0xAC00 <= cp <= 0xD7A3:
            continue
        dec = unicodedata.decomposition(chr(cp))
        if not dec or dec.startswith("<"):
            continue
        parts = [int(x, 16) for x in dec.split()]
        if len(parts) != 2:
            continue
        if norm(nfc, chr(parts[0]) + chr(parts[1])) == chr(cp):
            comps.append((parts[0], parts[1], cp))

    # Scripts as HF's UnicodeScripts sees them (after its Hiragana/Katakana->Han fix-ups):
    # class 0 = "Any" (never splits), other ids are arbitrary but equal iff HF's scripts are.
    def splits(s):
        return len(scripts.pre_tokenize_str(s))
    any_cps = set()
    for cp in ALL:
        c = chr(cp)
        if splits("a" + c + "a") == 1 and splits("\u03b1" + c + "\u03b1") == 1:
            any_cps.add(cp)
    reps = []  # representative code point per class id-1
    script_of = {}
    prev_cp, prev_cls = None, None
    for cp in ALL:
        if cp in any_cps:
            continue
        c = chr(cp)
        if prev_cp is not None and splits(chr(prev_cp) + c) == 1:
            script_of[cp] = prev_cls
        else:
            cls = None
            for i, r in enumerate(reps):
                if splits(chr(r) + c) == 1:
                    cls = i + 1
                    break
            if cls is None:
                reps.append(cp)
                cls = len(reps)
            script_of[cp] = cls
        prev_cp, prev_cls = cp, script_of[cp]
    script_ranges = []
    for cp in sorted(script_of):
        cls = script_of[cp]
        if script_ranges and script_ranges[-1][1] == cp - 1 and script_ranges[-1][2] == cls:
            script_ranges[-1][1] = cp
        else:
            script_ranges.append([cp, cp, cls])

    ccc_ranges = []
    for cp in sorted(ccc):
        if ccc_ranges and ccc_ranges[-1][1] == cp - 1 and ccc_ranges[-1][2] == ccc[cp]:
            ccc_ranges[-1][1] = cp
        else:
            ccc_ranges.append([cp, cp, ccc[cp]])

    def h(x):
        return format(x, "x")

    def mapping(d):
        return ";".join(h(k) + ":" + " ".join(h(v) for v in vals) for k, vals in sorted(d.items()))

    def rng(rs):
        return ";".join(h(a) + " " + h(b) for a, b in rs)

    def rng3(rs):
        return ";".join(h(a) + " " + h(b) + " " + h(c) for a, b, c in rs)

    def lit(name, s, doc):
        # Split long literals so no source line is huge.
        chunks = [s[i:i + 100] for i in range(0, len(s), 100)] or [""]
        body = "\n".join('        "' + ch + '",' for ch in chunks)
        return f"    /// {doc}\n    static let {name}: String = [\n{body}\n    ].joined()\n"

    hdr = f"""// GENERATED by Tests/Generator/gen_unicode_tables.py -- do not edit.
// Probed from HF tokenizers {tokenizers.__version__} (Python unicodedata {unicodedata.unidata_version} for candidates).
// HF's unicode-normalization-alignments embeds Unicode 9.0 data (probed: U+1E944, new in 9.0, has
// its combining class there, U+1DF6 from 10.0 does not; U+32FF has no compatibility decomposition).
// Formats: ranges "lo hi;..." (hex, inclusive); mappings "cp:v v v;..."; triples "a b c;...".

enum UnicodeTables {{
"""
    parts = [hdr]
    parts.append(lit("canonicalDecompositions", mapping(canon), "Full canonical decomposition (NFD) of each code point that has one."))
    parts.append(lit("compatibilityDecompositions", mapping(compat), "Full compatibility decomposition (NFKD) where it differs from NFD."))
    parts.append(lit("combiningClasses", rng3(ccc_ranges), "Canonical combining class ranges: lo hi class."))
    parts.append(lit("compositions", ";".join(f"{h(a)} {h(b)} {h(c)}" for a, b, c in comps), "Primary composites: first second composite (Hangul is algorithmic)."))
    parts.append(lit("lowercase", mapping(lowers), "Rust char::to_lowercase where it is not the identity."))
    parts.append(lit("whiteSpace", rng(ranges_of(white)), "Rust char::is_whitespace (White_Space)."))
    parts.append(lit("other", rng(ranges_of(control)), "unicode_categories is_other (Cc Cf Cn Co Cs) as BertNormalizer's clean_text removes it (tab, LF, CR excluded)."))
    parts.append(lit("nonspacingMark", rng(ranges_of(mn)), "Mn (BertNormalizer strip_accents), for code points stable under NFD."))
    parts.append(lit("combiningMark", rng(ranges_of(cmark)), "unicode-normalization-alignments is_combining_mark (StripAccents)."))
    parts.append(lit("punctuation", rng(ranges_of(punc)), "ASCII punctuation or unicode_categories is_punctuation (Bert/Punctuation pre-tokenizers)."))
    parts.append(lit("numeric", rng(ranges_of(numeric)), "Rust char::is_numeric (Digits pre-tokenizer)."))
    parts.append(lit("word", rng(ranges_of(word)), "The regex crate's Unicode \\\\w (Whitespace pre-tokenizer), minus \\\\s."))
    parts.append(lit("scripts", rng3(script_ranges), "UnicodeScripts classes: lo hi class (0 = Any is implicit for absent code points)."))
    parts.append("}\n")
    with open(OUT, "w") as f:
        f.write("".join(parts))
    print("wrote", OUT, "canon", len(canon), "compat", len(compat), "ccc ranges", len(ccc_ranges),
          "comps", len(comps), "lower", len(lowers), "script classes", len(reps), "script ranges", len(script_ranges),
          "any", len(any_cps), file=sys.stderr)


if __name__ == "__main__":
    main()
