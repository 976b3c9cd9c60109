"""Data recipe for the numbers model: spell out a number in one of several languages.

The task is a translation task in the OPUS-MT multilingual convention: the source is the
target-language tag followed by the number in digits, the target is the number spelt out by
num2words (pinned 0.5.14), e.g. ``>>fr<< 4213`` -> ``quatre mille deux cent treize``.

Everything here is a pure function of the seeds below, so ``train.py`` and anyone re-running
it rebuild exactly the same split. Nothing is downloaded: num2words installs from PyPI.

Split rule (documented in README.md), over the whole advertised range 0 <= n < 10,000,000:
* Held-out test, stratified by digit count and language: HELDOUT_PER_DIGITS[d] numbers of d
  digits per language, drawn with SPLIT_SEED. A held-out (language, number) pair never occurs
  in training:
  - 4 to 7 digits: drawn from the magnitude mixture below, all distinct, and excluded from
    training in *every* language (as before: the number itself is unseen).
  - 1 to 3 digits: there are only 9, 90 and 900 of them, and every longer spelling is built
    from them, so excluding one everywhere would remove a building block. Such a number is
    held out in one language (1 digit: at most two) and excluded from training in that
    language only; the other languages still train on it. 0 is never held out: its word
    ("zero", "null", "nul") occurs in no other spelling, so it cannot be inferred.
* Dev (monitoring only): DEV_PER_LANG more 4-7 digit numbers per language, excluded from
  training everywhere.
* Training, per language: every 1-3 digit number not held out in that language, repeated
  SMALL_REPEATS[d] times (short inputs are few and the model must learn to stop early), plus
  TRAIN_PER_LANG draws from the mixture with DATA_SEED, rejecting test/dev numbers.

Magnitude mixture (``sample_number``): a digit count uniform in 4..7; then with probability 0.6
a uniform number of that many digits, else a "sparse" number whose non-leading digits are each
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
SPLIT_SEED = 20261203
DATA_SEED = 1234
# Held-out numbers per language and digit count: 1,596 + 2,800 = 3,584 pairs. Buckets of 100
# resolve accuracy to 1%; 1 and 2 digits hold every number there is to spare.
HELDOUT_PER_DIGITS = {1: 2, 2: 10, 3: 100, 4: 100, 5: 100, 6: 100, 7: 100}
DEV_PER_LANG = 40
TRAIN_PER_LANG = 40_000
# Times each 1-3 digit training number appears per language and epoch (~2,500, ~4,000 and
# ~4,800 pairs next to the 40,000 sampled ones).
SMALL_REPEATS = {1: 300, 2: 50, 3: 6}


def tag(lang: str) -> str:
    return f">>{lang}<<"


def source_text(lang: str, n: int) -> str:
    return f"{tag(lang)} {n}"


def target_text(lang: str, n: int) -> str:
    return num2words(n, lang=lang)


def digit_count(n: int) -> int:
    return len(str(n))


def sample_number(rng: random.Random, digits: int | None = None) -> int:
    """A number from the magnitude mixture; ``digits`` fixes its digit count (4..7)."""
    if digits is None:
        digits = rng.randint(MIN_DIGITS, MAX_DIGITS)
    lo, hi = 10 ** (digits - 1), 10**digits - 1
    if rng.random() >= SPARSE_P:
        return rng.randint(lo, hi)
    ds = [str(rng.randint(1, 9))]
    for _ in range(digits - 1):
        ds.append("0" if rng.random() < 0.5 else str(rng.randint(1, 9)))
    return int("".join(ds))


def split_numbers() -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Held-out test and dev numbers per language (test ordered by digit count, then drawn order).

    4-7 digit numbers are distinct across languages and sets; 1-3 digit ones are distinct within
    a digit count except for 1 digit, where 14 slots share the nine numbers 1..9 (each at most twice).
    """
    rng = random.Random(SPLIT_SEED)
    test: dict[str, list[int]] = {lang: [] for lang in LANGS}
    # 1 digit: 1..9 shuffled and dealt round-robin, two per language.
    ones = list(range(1, 10))
    rng.shuffle(ones)
    for i, lang in enumerate(LANGS):
        count = HELDOUT_PER_DIGITS[1]
        test[lang] += [ones[(count * i + k) % len(ones)] for k in range(count)]
    # 2 and 3 digits: one draw without replacement, dealt out per language.
    for digits in (2, 3):
        count = HELDOUT_PER_DIGITS[digits]
        drawn = rng.sample(range(10 ** (digits - 1), 10**digits), count * len(LANGS))
        for i, lang in enumerate(LANGS):
            test[lang] += drawn[count * i : count * (i + 1)]
    # 4-7 digits: the mixture, all distinct.
    used: set[int] = set()

    def draw(digits: int | None) -> int:
        while True:
            n = sample_number(rng, digits)
            if n not in used:
                used.add(n)
                return n

    for digits in range(MIN_DIGITS, MAX_DIGITS + 1):
        for lang in LANGS:
            test[lang] += [draw(digits) for _ in range(HELDOUT_PER_DIGITS[digits])]
    dev = {lang: [draw(None) for _ in range(DEV_PER_LANG)] for lang in LANGS}
    return test, dev


def excluded_numbers() -> tuple[set[int], dict[str, set[int]]]:
    """(numbers excluded from training in every language, small numbers excluded per language)."""
    test, dev = split_numbers()
    everywhere = {n for table in (test, dev) for ns in table.values() for n in ns if n >= 10 ** (MIN_DIGITS - 1)}
    per_lang = {lang: {n for n in test[lang] if n < 10 ** (MIN_DIGITS - 1)} for lang in LANGS}
    return everywhere, per_lang


def pairs(numbers: dict[str, list[int]]) -> list[tuple[str, int, str, str]]:
    """(lang, n, source, target) for each language's numbers."""
    return [(lang, n, source_text(lang, n), target_text(lang, n)) for lang in LANGS for n in numbers[lang]]


def train_pairs() -> list[tuple[str, int, str, str]]:
    """The training set, in a fixed shuffled order (the training loop re-shuffles by seed)."""
    everywhere, per_lang = excluded_numbers()
    rng = random.Random(DATA_SEED)
    out: list[tuple[str, int, str, str]] = []
    for lang in LANGS:
        numbers = [n for n in range(10 ** (MIN_DIGITS - 1)) if n not in per_lang[lang]
                   for _ in range(SMALL_REPEATS[digit_count(n)])]
        sampled = 0
        while sampled < TRAIN_PER_LANG:
            n = sample_number(rng)
            if n not in everywhere:
                numbers.append(n)
                sampled += 1
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
    print("train by digits:", sorted(collections.Counter(digit_count(n) for _, n, _, _ in tr).items()))
    print("test by digits:", sorted(collections.Counter(digit_count(n) for ns in test.values() for n in ns).items()))
    print("test 1-digit:", {lang: [n for n in ns if n < 10] for lang, ns in test.items()})
    for row in tr[:5]:
        print(row)
