#!/usr/bin/env python3
"""lmcore-cli against the committed HF goldens, subcommand by subcommand (standard library only).

    python3 Tests/CLI/golden_cases.py BUILD_DIR

generate   every search case of every tiny checkpoint (Tests/Fixtures/models/*/search.json, from
           HF generate) whose options have a CLI flag: --beams, --num-return, --length-penalty,
           --early-stopping, --no-repeat-ngram, --repetition-penalty, --min/--max-new-tokens;
           ids exact, --scores within 1e-4.
tokenize / detokenize
           tokenizer.json files (Tests/Fixtures/tokenizers/*/cases.jsonl), SentencePiece .model
           files (Tests/Fixtures/sentencepiece/goldens/spm) and model folders (Marian's
           source.spm + vocab.json, the default model): ids exact with and without special
           tokens, decoded text exact with and without --skip-special.
translate  the default model's demo samples (models/numbers-7lang/samples.txt) give the
           references (eval/samples.jsonl).
score      log p(target | source) of HF's beam outputs on the default model, total and per
           token, equal HF's teacher-forced log_softmax (eval/hf_scores.jsonl) within 1e-4.
embed      mean-pooled and per-token encoder states of the tiny checkpoints equal HF's
           encoder_output (goldens.json) within 1e-4.
evaluate   BLEU, chrF, chrF++, TER and ROUGE of a multilingual corpus (Tests/Fixtures/metrics,
           from sacrebleu and rouge-score) with each flag set: --json corpus scores and
           --sentence --json scores within 1e-6; plain output one sacrebleu line per metric;
           translate --reference prints the same scores to stderr.
Lines holding a newline or carriage return cannot pass through a line-based CLI and are left out.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
DEFAULT_MODEL = os.path.join(ROOT, "models", "numbers-7lang")


class Runner:
    def __init__(self, cli):
        self.cli = cli
        self.failures = 0
        self.checked = 0

    def run(self, args, lines):
        """Runs lmcore-cli with `lines` on stdin; returns its stdout lines."""
        proc = subprocess.run([self.cli] + args, input="".join(l + "\n" for l in lines).encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError(f"lmcore-cli {' '.join(args)} exited {proc.returncode}: "
                               f"{proc.stderr.decode(errors='replace').strip()}")
        out = proc.stdout.decode()
        return out.split("\n")[:-1] if out else []

    def check(self, name, ok, detail=""):
        self.checked += 1
        if not ok:
            self.failures += 1
            print(f"  FAIL {name}" + (f": {detail}" if detail else ""))

    def section(self, title, body):
        before_checked, before_failed = self.checked, self.failures
        try:
            body()
        except Exception as e:  # a crashed subcommand is a failure of its section, not of the runner
            self.failures += 1
            print(f"  FAIL {title}: {e}")
        n, bad = self.checked - before_checked, self.failures - before_failed
        print(f"  {'ok ' if bad == 0 else 'FAIL'} {title}: {n - bad}/{n} checks")


def ids_line(ids):
    return " ".join(str(i) for i in ids)


def one_line(text):
    return "\n" not in text and "\r" not in text


# generate: search options as CLI flags
FLAGS = {
    "num_beams": lambda v: ["--beams", str(v)],
    "num_return_sequences": lambda v: ["--num-return", str(v)],
    "length_penalty": lambda v: ["--length-penalty", repr(float(v))],
    "early_stopping": lambda v: ["--early-stopping", {True: "true", False: "false", "never": "never"}[v]],
    "no_repeat_ngram_size": lambda v: ["--no-repeat-ngram", str(v)],
    "repetition_penalty": lambda v: ["--repetition-penalty", repr(float(v))],
    "max_new_tokens": lambda v: ["--max-new-tokens", str(v)],
    "suppress_tokens": lambda v: ["--suppress-tokens", ids_line(v)],
    "begin_suppress_tokens": lambda v: ["--begin-suppress-tokens", ids_line(v)],
    "bad_words_ids": lambda v: ["--bad-words", ";".join(ids_line(w) for w in v)],
    "forced_bos_token_id": lambda v: ["--forced-bos-token-id", str(v)],
    "forced_eos_token_id": lambda v: ["--forced-eos-token-id", str(v)],
    "min_new_tokens": lambda v: ["--min-new-tokens", str(v)],
}


def fixture_models(golden):
    """(variant, model folder, parsed golden file) for each tiny model that has `golden`."""
    models = os.path.join(FIXTURES, "models")
    for variant in sorted(os.listdir(models)):
        path = os.path.join(models, variant, golden)
        if os.path.isfile(path):
            yield variant, os.path.join(models, variant), json.load(open(path))


def generate_cases(r):
    for variant, folder, search in fixture_models("search.json"):
        for case in search["cases"]:
            options = case["options"]
            if any(k not in FLAGS for k in options):
                continue
            args = ["generate", "--model", folder, "--ids"]
            for key, value in options.items():
                flag, text = FLAGS[key](value)
                args.append(f"{flag}={text}")  # --length-penalty=-1.0: a negative value is not a flag
            beams = options.get("num_beams", 1) > 1
            if beams:
                args.append("--scores")
            if case.get("prefix"):
                args.append("--prefix=" + ids_line(case["prefix"]))
            # Unbatched goldens came from HF one input at a time.
            args += ["--batch-size", "32" if case["batched"] else "1"]
            got = r.run(args, [ids_line(s) for s in case["inputs"]])
            want = [(seq, None if out["scores"] is None else out["scores"][k])
                    for out in case["outputs"] for k, seq in enumerate(out["sequences"])]
            name = f"{variant} {case['name']}"
            r.check(name + " line count", len(got) == len(want), f"{len(got)} lines, want {len(want)}")
            for line, (seq, score) in zip(got, want):
                fields = line.split("\t")
                r.check(name + " ids", fields[0] == ids_line(seq), f"got {fields[0]!r}, want {ids_line(seq)!r}")
                if score is not None:
                    # 1e-4, relative beyond magnitude 1, as SearchFixtureTests (float32 sums of ~300)
                    ok = len(fields) == 2 and abs(float(fields[1]) - score) <= 1e-4 * max(1.0, abs(score))
                    r.check(name + " score", ok, f"got {fields[1:]}, want {score}")


def tokenizer_json_cases(r):
    base = os.path.join(FIXTURES, "tokenizers")
    for name in sorted(os.listdir(base)):
        cases_path = os.path.join(base, name, "cases.jsonl")
        tokenizer = os.path.join(base, name, "tokenizer.json")
        if not (os.path.isfile(cases_path) and os.path.isfile(tokenizer)):
            continue
        lines = [json.loads(l) for l in open(cases_path, encoding="utf-8")]
        texts = lines[0]["texts"]
        if lines[0].get("reference") == "transformers":
            # AutoTokenizer on the folder: tokenizer_config.json adds special tokens and settings.
            tokenizer = os.path.join(base, name)
        singles = [c for c in lines[1:] if "i" in c and "pair_i" not in c and one_line(texts[c["i"]])]
        for special in (True, False):
            # Lines with same_without_special hold the ids of both settings.
            cases = [c for c in singles if c["add_special_tokens"] == special
                     or (not special and c.get("same_without_special"))]
            if not cases:
                continue
            flags = [] if special else ["--no-special"]
            got = r.run(["tokenize", "--tokenizer", tokenizer] + flags, [texts[c["i"]] for c in cases])
            r.check(f"{name} tokenize count", len(got) == len(cases))
            for c, line in zip(cases, got):
                r.check(f"{name} tokenize {texts[c['i']]!r}", line == ids_line(c["ids"]),
                        f"got {line}, want {ids_line(c['ids'])}")
            for skip, key in ((False, "decoded"), (True, "decoded_skip_special")):
                usable = [c for c in cases if key in c and one_line(c[key])]
                got = r.run(["detokenize", "--tokenizer", tokenizer] + (["--skip-special"] if skip else []),
                            [ids_line(c["ids"]) for c in usable])
                r.check(f"{name} detokenize count", len(got) == len(usable))
                for c, line in zip(usable, got):
                    r.check(f"{name} detokenize {c['ids']}", line == c[key], f"got {line!r}, want {c[key]!r}")


def sentencepiece_cases(r):
    base = os.path.join(FIXTURES, "sentencepiece")
    goldens = os.path.join(base, "goldens", "spm")
    for name in sorted(os.listdir(goldens)):
        g = json.load(open(os.path.join(goldens, name), encoding="utf-8"))
        model = os.path.join(base, g["model"]) if "model" in g else None
        if model is None or not os.path.isfile(model):
            continue
        cases = [c for c in g["cases"] if "text" in c and "ids" in c and one_line(c["text"])]
        got = r.run(["tokenize", "--tokenizer", model], [c["text"] for c in cases])
        r.check(f"{name} count", len(got) == len(cases))
        for c, line in zip(cases, got):
            r.check(f"{g['name']} tokenize {c['text']!r}", line == ids_line(c["ids"]),
                    f"got {line}, want {ids_line(c['ids'])}")


def model_folder_cases(r):
    """Marian folders (source.spm + vocab.json, `</s>` appended) picked as AutoTokenizer does."""
    base = os.path.join(FIXTURES, "sentencepiece")
    for name in sorted(os.listdir(os.path.join(base, "goldens", "marian"))):
        g = json.load(open(os.path.join(base, "goldens", "marian", name), encoding="utf-8"))
        folder = os.path.join(base, g["files"]["directory"]) if isinstance(g.get("files"), dict) and \
            "directory" in g["files"] else None
        if folder is None or not os.path.isdir(folder):
            continue
        cases = [c for c in g["cases"] if one_line(c["text"])]
        got = r.run(["tokenize", "--tokenizer", folder], [c["text"] for c in cases])
        r.check(f"{g['name']} count", len(got) == len(cases))
        for c, line in zip(cases, got):
            r.check(f"{g['name']} tokenize {c['text']!r}", line == ids_line(c["ids"]),
                    f"got {line}, want {ids_line(c['ids'])}")
        usable = [c for c in cases if one_line(c["decoded_skip_special"])]
        got = r.run(["detokenize", "--tokenizer", folder, "--skip-special"], [ids_line(c["ids"]) for c in usable])
        for c, line in zip(usable, got):
            r.check(f"{g['name']} detokenize {c['ids']}", line == c["decoded_skip_special"],
                    f"got {line!r}, want {c['decoded_skip_special']!r}")


def default_model_cases(r):
    samples = [json.loads(l) for l in open(os.path.join(DEFAULT_MODEL, "eval", "samples.jsonl"), encoding="utf-8")]
    sources = open(os.path.join(DEFAULT_MODEL, "samples.txt"), encoding="utf-8").read().split("\n")[:-1]
    r.check("samples.txt follows eval/samples.jsonl", sources == [s["source"] for s in samples])
    got = r.run(["translate", "--model", DEFAULT_MODEL, "--beams", "4"], sources)
    for s, line in zip(samples, got):
        r.check(f"translate {s['source']!r}", line == s["reference"], f"got {line!r}, want {s['reference']!r}")
    r.check("translate count", len(got) == len(samples))

    got = r.run(["tokenize", "--tokenizer", DEFAULT_MODEL], sources)
    for s, line in zip(samples, got):
        r.check(f"tokenize {s['source']!r}", line == ids_line(s["input_ids"]))
    got = r.run(["detokenize", "--tokenizer", DEFAULT_MODEL, "--skip-special"], [ids_line(s["ids"]) for s in samples])
    for s, line in zip(samples, got):
        r.check(f"detokenize {s['ids']}", line == s["text"], f"got {line!r}")

    # --json and --batch-size keep order and agree with the plain output.
    got = r.run(["translate", "--model", DEFAULT_MODEL, "--json", "--batch-size", "3"], sources)
    texts = [json.loads(l)["translations"][0]["text"] for l in got]
    r.check("translate --json --batch-size 3", texts == [s["reference"] for s in samples], f"got {got[:2]}")

    hf = [json.loads(l) for l in open(os.path.join(DEFAULT_MODEL, "eval", "hf_scores.jsonl"), encoding="utf-8")]
    got = r.run(["score", "--model", DEFAULT_MODEL, "--ids", "--tokens"],
                [ids_line(h["input_ids"]) + "\t" + ids_line(h["target_ids"]) for h in hf])
    r.check("score count", len(got) == len(hf))
    for h, line in zip(hf, got):
        total, tokens = line.split("\t")
        tokens = [float(x) for x in tokens.split()]
        ok = abs(float(total) - h["total"]) <= 1e-4 and len(tokens) == len(h["token_logprobs"]) and \
            all(abs(a - b) <= 1e-4 for a, b in zip(tokens, h["token_logprobs"]))
        r.check(f"score {h['input_ids']}", ok, f"got {line}, want {h['total']} {h['token_logprobs']}")


def embed_cases(r):
    for variant, folder, goldens in fixture_models("goldens.json"):
        inputs = goldens["inputs"]
        got = r.run(["embed", "--model", folder, "--ids"], [ids_line(i["source_ids"]) for i in inputs])
        r.check(f"{variant} embed count", len(got) == len(inputs))
        for i, line in zip(inputs, got):
            states = i["encoder_output"]
            mean = [sum(col) / len(states) for col in zip(*states)]
            vec = [float(x) for x in line.split()]
            err = max((abs(a - b) for a, b in zip(vec, mean)), default=float("inf"))
            r.check(f"{variant} embed {i['source_ids']}", len(vec) == len(mean) and err <= 1e-4, f"max diff {err}")
        # --tokens: one line per token state, an empty line after each input.
        first = inputs[0]
        got = r.run(["embed", "--model", folder, "--ids", "--tokens"], [ids_line(first["source_ids"])])
        rows = [[float(x) for x in l.split()] for l in got if l]
        err = max((abs(a - b) for row, ref in zip(rows, first["encoder_output"]) for a, b in zip(row, ref)), default=float("inf"))
        r.check(f"{variant} embed --tokens", len(rows) == len(first["encoder_output"]) and err <= 1e-4, f"max diff {err}")


def evaluate_cases(r):
    import tempfile
    golden = json.load(open(os.path.join(FIXTURES, "metrics", "goldens.json"), encoding="utf-8"))["cli"]
    hyps = golden["hypotheses"]
    metrics = "bleu,chrf,chrf++,ter,rouge1,rouge2,rougeL"
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, stream in enumerate(golden["references"]):
            paths.append(os.path.join(tmp, f"ref{k}.txt"))
            with open(paths[-1], "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in stream))
        for case in golden["cases"]:
            refs = [a for p in paths[: case["refs"]] for a in ("--reference", p)]
            name = f"evaluate {' '.join(case['flags'])} refs {case['refs']}"
            got = json.loads(r.run(["evaluate", "--metrics", metrics, "--json"] + refs + case["flags"], hyps)[0])
            for metric, want in case["corpus"].items():
                r.check(f"{name} {metric}", abs(got[metric] - want) <= 1e-6, f"got {got[metric]}, want {want}")
            r.check(f"{name} signatures", set(got["signatures"]) == set(metrics.split(",")))
            rows = [json.loads(l) for l in r.run(["evaluate", "--metrics", "bleu,chrf", "--sentence", "--json"] + refs
                                                  + case["flags"], hyps)]
            r.check(f"{name} --sentence count", len(rows) == len(hyps))
            bad = [i for i, (row, want) in enumerate(zip(rows, case["sentence"]))
                   if abs(row["bleu"] - want["bleu"]) > 1e-6 or abs(row["chrf"] - want["chrf"]) > 1e-6]
            r.check(f"{name} --sentence scores", not bad, f"lines {bad[:5]}")
            plain = r.run(["evaluate", "--metrics", "bleu,chrf,ter"] + refs + case["flags"], hyps)
            prefixes = ("BLEU|nrefs:", "chrF2|nrefs:", "TER|nrefs:")
            ok = len(plain) == 3 and all(l.startswith(p) for l, p in zip(plain, prefixes))
            ok = ok and all(f"= {case['corpus'][m]:.2f}" in l for l, m in zip(plain, ("bleu", "chrf", "ter")))
            r.check(f"{name} plain lines", ok, f"got {plain}")
    # translate --reference: the default model's samples against their references.
    samples = [json.loads(l) for l in open(os.path.join(DEFAULT_MODEL, "eval", "samples.jsonl"), encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        ref = os.path.join(tmp, "ref.txt")
        with open(ref, "w", encoding="utf-8") as f:
            f.write("".join(s["reference"] + "\n" for s in samples))
        proc = subprocess.run([r.cli, "translate", "--model", DEFAULT_MODEL, "--reference", ref, "--metrics", "bleu,chrf"],
                              input="".join(s["source"] + "\n" for s in samples).encode(), capture_output=True)
        err = proc.stderr.decode().splitlines()
        r.check("translate --reference exit 0", proc.returncode == 0, proc.stderr.decode())
        r.check("translate --reference prints BLEU and chrF to stderr",
                len(err) == 2 and err[0].startswith("BLEU|nrefs:1|") and err[1].startswith("chrF2|nrefs:1|"), f"{err}")


def heldout_metric_cases(r):
    """The model card's BLEU and chrF, computed by lmcore itself: translate --reference over the whole
    held-out split prints sacrebleu's corpus scores of HF's outputs (eval/metadata.json), overall and
    for one language."""
    import tempfile
    meta = json.load(open(os.path.join(DEFAULT_MODEL, "eval", "metadata.json"), encoding="utf-8"))["beam4_sacrebleu"]
    rows = [l.split("\t") for l in open(os.path.join(DEFAULT_MODEL, "eval", "heldout.tsv"), encoding="utf-8").read().splitlines()[1:]]
    for key in ("all", "pt"):
        picked = [row for row in rows if key == "all" or row[0] == key]
        with tempfile.TemporaryDirectory() as tmp:
            ref = os.path.join(tmp, "ref.txt")
            with open(ref, "w", encoding="utf-8") as f:
                f.write("".join(row[3] + "\n" for row in picked))
            proc = subprocess.run([r.cli, "translate", "--model", DEFAULT_MODEL, "--reference", ref, "--metrics", "bleu,chrf",
                                   "-o", os.path.join(tmp, "out.txt")],
                                  input="".join(row[2] + "\n" for row in picked).encode(), capture_output=True)
        err = proc.stderr.decode().splitlines()
        want = meta[key]
        ok = proc.returncode == 0 and len(err) == 2
        ok = ok and f"= {want['bleu']:.2f}" in err[0] and f"= {want['chrf']:.2f}" in err[1]
        r.check(f"held-out {key}: translate --reference BLEU {want['bleu']:.2f}, chrF {want['chrf']:.2f}", ok, f"{err}")


def main():
    cli = os.path.join(os.path.abspath(sys.argv[1]), "lmcore-cli")
    r = Runner(cli)
    r.section("generate: search options vs HF generate", lambda: generate_cases(r))
    r.section("tokenize/detokenize: tokenizer.json files", lambda: tokenizer_json_cases(r))
    r.section("tokenize: SentencePiece .model files", lambda: sentencepiece_cases(r))
    r.section("tokenize/detokenize: Marian model folders", lambda: model_folder_cases(r))
    r.section("default model: translate, tokenize, score vs HF", lambda: default_model_cases(r))
    r.section("embed vs HF encoder output", lambda: embed_cases(r))
    r.section("evaluate vs sacrebleu and rouge-score", lambda: evaluate_cases(r))
    r.section("default model: held-out BLEU and chrF by lmcore", lambda: heldout_metric_cases(r))
    print(f"golden cases: {r.checked - r.failures}/{r.checked} passed")
    sys.exit(1 if r.failures else 0)


if __name__ == "__main__":
    main()
