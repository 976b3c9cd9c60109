"""Data recipe for the numbers model: spell out a number in one of several languages.

The task is a translation task in the OPUS-MT multilingual convention: the source is the
target-language tag followed by the number in digits, the target is the number spelt out by
num2words (pinned 0.5.14), e.g. ``>>fr<< 4213`` -> ``quatre mille deux cent treize``.

Everything here is a pure function of the seeds below, so ``train.py`` and anyone re-running
it rebuild exactly the same split. Nothing is downloaded: num2words installs from PyPI.

Split rule (documented in README.md):
* Range: 0 <= n < 10,000,000 (up to seven digits).
* The 1,000 numbers 0..999 are the building blocks of every spelling; all of them are in
  training for every language.
* Held-out test: per language HELDOUT_PER_LANG numbers >= 1,000 drawn with SPLIT_SEED from
  the same magnitude mixture as training (below). Dev (monitoring only): DEV_PER_LANG more.
  Every test or dev number is excluded from training in *all* languages, so a test number was
  never seen in training in any language.
* Training: all of 0..999 (SMALL_REPEATS times) plus TRAIN_PER_LANG draws per language from
  the mixture with DATA_SEED, rejecting test/dev numbers.

Magnitude mixture (``sample_number``): with probability 0.6 a uniform number with a uniform
digit count (4..7), else a "sparse" number of 4..7 digits whose non-leading digits are each
zero with probability 0.5 -- round numbers and inner zeros (1,001,000) have the irregular
spellings (French "mille" vs "un million", Italian "e", English "and") that a uniform draw
almost never produces.
"""

from __future__ import annotations

import random

from num2words import num2words

LANGS = ["en", "fr", "de", "es", "it", "pt", "nl"]
MAX_N = 10_000_000  # exclusive
MIN_DIGITS, MAX_DIGITS = 4, 7  # for sampled numbers; 1..3 digits are enumerated
SPARSE_P = 0.4
SPLIT_SEED = 20261123
DATA_SEED = 1234
HELDOUT_PER_LANG = 200
DEV_PER_LANG = 40
TRAIN_PER_LANG = 40_000
SMALL_REPEATS = 2


def tag(lang: str) -> str:
    return f">>{lang}<<"


def source_text(lang: str, n: int) -> str:
    return f"{tag(lang)} {n}"


def target_text(lang: str, n: int) -> str:
    return num2words(n, lang=lang)


def sample_number(rng: random.Random) -> int:
    digits = rng.randint(MIN_DIGITS, MAX_DIGITS)
    lo, hi = 10 ** (digits - 1), 10**digits - 1
    if rng.random() >= SPARSE_P:
        return rng.randint(lo, hi)
    ds = [str(rng.randint(1, 9))]
    for _ in range(digits - 1):
        ds.append("0" if rng.random() < 0.5 else str(rng.randint(1, 9)))
    return int("".join(ds))


def split_numbers() -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Held-out test and dev numbers per language; all distinct across languages and sets."""
    rng = random.Random(SPLIT_SEED)
    used: set[int] = set()
    test: dict[str, list[int]] = {}
    dev: dict[str, list[int]] = {}
    for table, count in ((test, HELDOUT_PER_LANG), (dev, DEV_PER_LANG)):
        for lang in LANGS:
            picked: list[int] = []
            while len(picked) < count:
                n = sample_number(rng)
                if n not in used:
                    used.add(n)
                    picked.append(n)
            table[lang] = picked
    return test, dev


def excluded_numbers() -> set[int]:
    test, dev = split_numbers()
    return {n for table in (test, dev) for ns in table.values() for n in ns}


def pairs(numbers: dict[str, list[int]]) -> list[tuple[str, int, str, str]]:
    """(lang, n, source, target) for each language's numbers."""
    return [(lang, n, source_text(lang, n), target_text(lang, n)) for lang in LANGS for n in numbers[lang]]


def train_pairs() -> list[tuple[str, int, str, str]]:
    """The training set, in a fixed shuffled order (the training loop re-shuffles by seed)."""
    excluded = excluded_numbers()
    rng = random.Random(DATA_SEED)
    out: list[tuple[str, int, str, str]] = []
    for lang in LANGS:
        numbers = list(range(1000)) * SMALL_REPEATS
        while len(numbers) < TRAIN_PER_LANG + 1000 * SMALL_REPEATS:
            n = sample_number(rng)
            if n not in excluded:
                numbers.append(n)
        cache: dict[int, str] = {}
        for n in numbers:
            if n not in cache:
                cache[n] = target_text(lang, n)
            out.append((lang, n, source_text(lang, n), cache[n]))
    rng.shuffle(out)
    return out


if __name__ == "__main__":
    import collections
    import time

    t = time.time()
    test, dev = split_numbers()
    tr = train_pairs()
    print(f"train {len(tr)} pairs, {len({(l, n) for l, n, _, _ in tr})} distinct; "
          f"test {sum(map(len, test.values()))}; dev {sum(map(len, dev.values()))}; {time.time() - t:.1f}s")
    print(collections.Counter(len(str(n)) for _, n, _, _ in tr))
    for row in tr[:5]:
        print(row)
