"""Recurrent seq2seq speed: lmcore vs the same model in PyTorch (models/numbers-7lang-gru).

    swift build -c release
    /opt/lmcore-ref/bin/python bench/bench_rnn.py [--reps 3] [--inputs 512]

What users type: --inputs rows spread over the held-out split (">>fr<< 4213", 1-7 digits, every
language), in batches of --batch (32; 1 for one input at a time), decoded until EOS (max_length 64, bad_words_ids [[800]] as the
model's generation_config.json) greedy and with beam 4.
  lmcore  the ctypes package (bindings/python), threads=2, float32, ids in (tokenized once, untimed)
  torch   models/train/rnn_model.py's batched module (the one it was trained with: packed GRU
          encoder, incremental decoder with the attention keys computed once), float32,
          torch.set_num_threads(2), inference mode; greedy is the module's own `greedy`; beam 4 is
          an incremental batched beam search written here with transformers' rules (length_penalty
          1, early_stopping False: a beam is done when its best running score cannot beat its worst
          finished one), hidden states reordered with the beams.
Engines alternate within each repetition (the order rotates); tokens/s counts the generated ids
after the start token, EOS included, per engine; the median per-repetition ratio is reported. The
ids of the two engines are compared (untimed) and the agreement printed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
sys.path.insert(0, os.path.join(ROOT, "models", "train"))
os.environ.setdefault("LMCORE_LIBRARY", os.path.join(ROOT, ".build", "release", "liblmcore.so"))

import lmcore  # noqa: E402
from evaluate_rnn import load_model  # noqa: E402

MODEL = os.path.join(ROOT, "models", "numbers-7lang-gru")
START, EOS, PAD, MAX_NEW = 800, 0, 800, 63


def cpu_flags():
    text = open("/proc/cpuinfo").read()
    return " ".join(sorted(set(re.findall(r"avx512[a-z_0-9]*|avx2|fma|amx[a-z_]*", text))))


def pad(batch):
    width = max(map(len, batch))
    src = torch.full((len(batch), width), PAD, dtype=torch.long)
    for b, s in enumerate(batch):
        src[b, :len(s)] = torch.tensor(s)
    return src, torch.tensor([len(s) for s in batch])


@torch.inference_mode()
def torch_greedy(model, batch):
    src, lengths = pad(batch)
    out = model.greedy(src, lengths, START, EOS, MAX_NEW, banned=[PAD])
    result = []
    for row in out.tolist():
        ids = []
        for t in row:
            ids.append(t)
            if t == EOS:
                break
        result.append(ids)
    return result


@torch.inference_mode()
def torch_beam(model, batch, beams=4):
    src, lengths = pad(batch)
    enc, hidden, keys, mask = model.encode(src, lengths)
    B = len(batch)
    rows = lambda t: t.repeat_interleave(beams, dim=0)  # noqa: E731
    enc, hidden, keys, mask = rows(enc), rows(hidden), rows(keys), rows(mask)
    scores = torch.zeros(B, beams)
    scores[:, 1:] = float("-inf")  # the first step expands beam 0 only
    tokens = torch.full((B * beams,), START, dtype=torch.long)
    history = [[[] for _ in range(beams)] for _ in range(B)]
    finished = [[] for _ in range(B)]  # (score, ids)
    done = [False] * B
    for step in range(1, MAX_NEW + 1):
        embedded = model.decoder.embedding(tokens)
        hidden, context = model.decoder.step(embedded, hidden, enc, keys, mask)
        logp = F.log_softmax(model.decoder.logits(hidden, context, embedded), dim=-1)
        logp[:, PAD] = float("-inf")
        vocab = logp.shape[1]
        total = (scores.view(-1, 1) + logp).view(B, beams * vocab)
        top, index = total.topk(2 * beams, dim=1)
        next_rows, next_tokens, next_scores = [], [], []
        new_history = []
        for b in range(B):
            keep = []
            for s, k in zip(top[b].tolist(), index[b].tolist()):
                beam, token = divmod(k, vocab)
                if done[b]:
                    break
                if token == EOS:
                    if len(keep) < beams:  # transformers: only EOS among the top beams counts
                        finished[b].append((s / step, history[b][beam] + [EOS]))
                    continue
                keep.append((s, beam, token))
                if len(keep) == beams:
                    break
            if not done[b]:
                finished[b].sort(key=lambda x: -x[0])
                del finished[b][beams:]
                best_running = keep[0][0] / step if keep else float("-inf")
                if len(finished[b]) == beams and finished[b][-1][0] >= best_running:
                    done[b] = True
            if done[b] or not keep:
                keep = [(float("-inf"), 0, PAD)] * beams
            new_history.append([history[b][beam] + [token] for _, beam, token in keep])
            next_rows += [b * beams + beam for _, beam, _ in keep]
            next_tokens += [token for _, _, token in keep]
            next_scores.append([s for s, _, _ in keep])
        history = new_history
        if all(done):
            break
        order = torch.tensor(next_rows)
        hidden = hidden[order]
        tokens = torch.tensor(next_tokens)
        scores = torch.tensor(next_scores)
    out = []
    for b in range(B):
        if not finished[b]:  # length limit: the running beams, as transformers adds them
            finished[b] = [(s / MAX_NEW, h) for s, h in zip(scores[b].tolist(), history[b])]
        out.append(max(finished[b], key=lambda x: x[0])[1])
    return out


BATCH = 32


def batches(items):
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--inputs", type=int, default=512)
    ap.add_argument("--batch", type=int, default=32, help="inputs per call (1: one input at a time)")
    args = ap.parse_args()
    global BATCH
    BATCH = args.batch
    torch.set_num_threads(2)
    rows = [l.split("\t")[2] for l in open(os.path.join(ROOT, "models", "numbers-7lang", "eval", "heldout.tsv"))
            .read().splitlines()[1:]]
    # Every language and digit count: an even stride through the stratified split.
    step = max(1, len(rows) // args.inputs)
    texts = rows[::step][:args.inputs]
    lm = lmcore.Model(MODEL, threads=2)
    sources = [lm.tokenizer.encode(t) for t in texts]
    module = load_model(MODEL)[0]

    engines = {
        ("lmcore", "greedy"): lambda: [h[0].ids for b in batches(sources) for h in lm.generate_ids(b, beam_size=1)],
        ("torch", "greedy"): lambda: [ids for b in batches(sources) for ids in torch_greedy(module, b)],
        ("lmcore", "beam4"): lambda: [h[0].ids for b in batches(sources) for h in lm.generate_ids(b, beam_size=4)],
        ("torch", "beam4"): lambda: [ids for b in batches(sources) for ids in torch_beam(module, b)],
    }
    outputs = {k: f() for k, f in engines.items()}  # warm-up, and the agreement check
    print(f"CPU flags: {cpu_flags()}")
    print(f"lmcore {lmcore.version()}, torch {torch.__version__}; {len(sources)} held-out inputs, batch {BATCH}, 2 threads")
    for mode in ("greedy", "beam4"):
        same = sum(a == b for a, b in zip(outputs[("lmcore", mode)], outputs[("torch", mode)]))
        print(f"{mode}: lmcore ids == torch ids on {same}/{len(sources)} inputs")
    times = {k: [] for k in engines}
    keys = list(engines)
    for rep in range(args.reps):
        for k in keys[rep % len(keys):] + keys[:rep % len(keys)]:
            start = time.perf_counter()
            engines[k]()
            times[k].append(time.perf_counter() - start)
            time.sleep(0.2)
    result = dict(cpu_flags=cpu_flags(), inputs=len(sources), batch=BATCH, reps=args.reps, modes={})
    print(f"{'mode':8} {'lmcore tok/s':>13} {'torch tok/s':>12} {'lmcore/torch (median of reps)':>30}")
    for mode in ("greedy", "beam4"):
        tokens = {e: sum(len(x) for x in outputs[(e, mode)]) for e in ("lmcore", "torch")}
        rates = {e: [tokens[e] / t for t in times[(e, mode)]] for e in ("lmcore", "torch")}
        ratios = sorted(a / b for a, b in zip(rates["lmcore"], rates["torch"]))
        median = ratios[len(ratios) // 2]
        print(f"{mode:8} {max(rates['lmcore']):13.0f} {max(rates['torch']):12.0f} {median:30.2f}")
        result["modes"][mode] = dict(tokens=tokens, seconds={e: times[(e, mode)] for e in ("lmcore", "torch")},
                                     median_ratio=median)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
