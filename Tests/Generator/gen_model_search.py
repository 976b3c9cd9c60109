#!/usr/bin/env python3
"""HF generate goldens for search options on the tiny checkpoints of gen_models.py.

For each model folder in Tests/Fixtures/models/ this writes search.json: a list of cases
{name, options (transformers generate kwargs), batched (bool), inputs, outputs} where outputs
holds, per input, the returned sequences (minus the decoder start token, cut after EOS) and, for
beam search, sequences_scores. Batched cases run HF on one padded batch (lmcore runs the same
inputs unpadded and must agree); the others run each input alone.

Run after gen_models.py:  /opt/lmcore-ref/bin/python Tests/Generator/gen_model_search.py
"""
import json
import os
import platform
import sys

import torch
import transformers
from transformers import AutoModelForSeq2SeqLM, GenerationConfig

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "models")

CASES = [
    ("greedy", dict(num_beams=1, max_new_tokens=12), True),
    ("beam2", dict(num_beams=2, max_new_tokens=12), True),
    ("beam4-nbest", dict(num_beams=4, num_return_sequences=4, max_new_tokens=12), True),
    ("beam5-early-true", dict(num_beams=5, early_stopping=True, max_new_tokens=12), False),
    ("beam4-early-never-lp2", dict(num_beams=4, early_stopping="never", length_penalty=2.0, max_new_tokens=10), False),
    ("beam4-lp0.5", dict(num_beams=4, length_penalty=0.5, early_stopping=False, max_new_tokens=12), False),
    ("beam4-lp-neg", dict(num_beams=4, length_penalty=-1.0, max_new_tokens=12), False),
    ("beam3-no-repeat-2", dict(num_beams=3, no_repeat_ngram_size=2, max_new_tokens=12), True),
    ("beam4-repetition-1.3", dict(num_beams=4, repetition_penalty=1.3, max_new_tokens=12), False),
    ("greedy-repetition-1.5-norepeat3", dict(num_beams=1, repetition_penalty=1.5, no_repeat_ngram_size=3,
                                             max_new_tokens=14), True),
    ("beam4-min5-max12", dict(num_beams=4, min_new_tokens=5, max_new_tokens=12), True),
    ("beam4-max1", dict(num_beams=4, max_new_tokens=1), False),
    ("beam2-suppress", dict(num_beams=2, suppress_tokens=[5, 6, 7, 8], begin_suppress_tokens=[9, 10],
                            max_new_tokens=10), False),
    ("greedy-encoder-no-repeat-2", dict(num_beams=1, encoder_no_repeat_ngram_size=2, max_new_tokens=12), False),
    ("beam4-nbest2-early-true", dict(num_beams=4, num_return_sequences=2, early_stopping=True, max_new_tokens=12),
     True),
    # forced_eos_token_id is set to the variant's EOS below.
    ("greedy-forced-bos-eos", dict(num_beams=1, forced_bos_token_id=5, forced_eos_token_id=None, max_new_tokens=7),
     True),
    ("beam3-bad-words", dict(num_beams=3, bad_words_ids=[[5], [6, 7], [9, 10, 11]], max_new_tokens=10), True),
    # A forced target prefix (decoder_input_ids after the start token): case name ends in -prefix.
    ("beam2-prefix", dict(num_beams=2, max_new_tokens=8), True, [5, 6]),
    ("greedy-prefix", dict(num_beams=1, max_new_tokens=8), False, [7]),
]


def tail(seq, start, eos_ids):
    seq = [int(x) for x in seq]
    assert seq[0] == start, (seq, start)
    out = []
    for t in seq[1:]:
        out.append(t)
        if t in eos_ids:
            break
    return out


def cases_for(folder):
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    gen = GenerationConfig.from_pretrained(folder)
    goldens = json.load(open(os.path.join(folder, "goldens.json")))
    sources = [i["source_ids"] for i in goldens["inputs"]]
    eos_ids = gen.eos_token_id if isinstance(gen.eos_token_id, list) else [gen.eos_token_id]
    pad = model.config.pad_token_id
    vocab = model.config.vocab_size
    out = []
    for name, options, batched, *rest in CASES:
        prefix = rest[0] if rest else []
        options = adapt(name, options, vocab, eos_ids)
        # Bad words: the variant's two most frequent greedy tokens, to force real detours.
        nret = options.get("num_return_sequences", 1)
        results = []
        start = [gen.decoder_start_token_id] + prefix
        if batched:
            width = max(len(s) for s in sources)
            ids = torch.tensor([s + [pad] * (width - len(s)) for s in sources])
            mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in sources])
            with torch.no_grad():
                g = model.generate(ids, attention_mask=mask, do_sample=False, output_scores=True,
                                   return_dict_in_generate=True,
                                   decoder_input_ids=torch.tensor([start] * len(sources)), **options)
            for i in range(len(sources)):
                rows = range(i * nret, (i + 1) * nret)
                results.append(dict(
                    sequences=[tail(g.sequences[r], gen.decoder_start_token_id, eos_ids) for r in rows],
                    scores=[float(g.sequences_scores[r]) for r in rows] if options.get("num_beams", 1) > 1 else None))
        else:
            for s in sources:
                with torch.no_grad():
                    g = model.generate(torch.tensor([s]), do_sample=False, output_scores=True,
                                       return_dict_in_generate=True, decoder_input_ids=torch.tensor([start]),
                                       **options)
                results.append(dict(
                    sequences=[tail(g.sequences[r], gen.decoder_start_token_id, eos_ids) for r in range(nret)],
                    scores=[float(g.sequences_scores[r]) for r in range(nret)] if options.get("num_beams", 1) > 1
                    else None))
        case = dict(name=name, options=options, batched=batched, inputs=sources, outputs=results)
        if prefix:
            case["prefix"] = prefix
        out.append(case)
    return out


def adapt(name, options, vocab, eos_ids):
    """A case's options for one variant: token lists within its vocabulary, its own EOS."""
    options = dict(options)
    for key in ("suppress_tokens", "begin_suppress_tokens"):
        if key in options:
            options[key] = [t for t in options[key] if t < vocab]
    if "forced_eos_token_id" in options:
        options["forced_eos_token_id"] = eos_ids[0]
    return options


def main():
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    only = set(sys.argv[1:])
    for variant in sorted(os.listdir(ROOT)):
        folder = os.path.join(ROOT, variant)
        if (only and variant not in only) or not os.path.isfile(os.path.join(folder, "goldens.json")):
            continue
        if json.load(open(os.path.join(folder, "goldens.json")))["generator"] != "Tests/Generator/gen_models.py":
            continue  # the recurrent fixtures: gen_rnn_models.py writes their search.json
        doc = dict(generator="Tests/Generator/gen_model_search.py",
                   versions=dict(python=platform.python_version(), torch=torch.__version__,
                                 transformers=transformers.__version__),
                   cases=cases_for(folder))
        with open(os.path.join(folder, "search.json"), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        print(f"{variant}: {len(doc['cases'])} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
