"""Train the recurrent example model: a tutorial-3 GRU encoder-decoder with Bahdanau attention.

    /opt/lmcore-ref/bin/python models/train/train_rnn.py --out models/numbers-7lang-gru | tee models/train/train_rnn.log

Same task, data split (data.py, same seeds) and tokenizer (models/numbers-7lang/tokenizer.json,
801 shared ids) as the default Transformer. Writes an lmcore `model_type: "rnn_seq2seq"`
checkpoint: config.json, generation_config.json, model.safetensors (float16, the canonical
parameter names of Tests/Generator/rnn_reference.py), tokenizer.json + tokenizer_config.json.
Then run evaluate_rnn.py. Everything is seeded; see README.md for the recipe, time and accuracy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import random
import resource
import shutil
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from rnn_model import Seq2Seq, reference_config  # noqa: E402
from train import make_batches  # noqa: E402  (the Transformer recipe's length-bucketed batches)

TOKENIZER_DIR = os.path.join(HERE, "..", "numbers-7lang")
SEED = 42
THREADS = 1  # one thread: reproducible bit for bit on the same CPU type
EOS, PAD = 0, 800  # </s>; <pad> = decoder start = never generated
MAX_LENGTH = 64

# Architecture (tutorial 3: bidirectional GRU encoder, linear+tanh bridge, Bahdanau attention).
EMB = 128
HIDDEN = 224  # per encoder direction
DEC_HIDDEN = 256

# Optimisation.
MAX_TOKENS = 3000  # padded source + target tokens per batch
PEAK_LR = 2e-3
WARMUP = 300
STEPS = 8000  # 4.65 epochs; ~21 s per 100 steps on one thread here
LABEL_SMOOTHING = 0.1
WEIGHT_DECAY = 0.01
CLIP = 1.0
EVAL_EVERY = 500


def pad_sources(srcs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    S = max(map(len, srcs))
    src = torch.full((len(srcs), S), PAD, dtype=torch.long)
    for b, s in enumerate(srcs):
        src[b, : len(s)] = torch.tensor(s)
    return src, torch.tensor([len(s) for s in srcs])


def collate(examples, idx: list[int]):
    src, src_len = pad_sources([examples[i][0] for i in idx])
    tgts = [examples[i][1] for i in idx]
    T = max(map(len, tgts))
    trg_in = torch.full((len(idx), T), PAD, dtype=torch.long)
    labels = torch.full((len(idx), T), -100, dtype=torch.long)
    for b, t in enumerate(tgts):
        trg_in[b, 1 : len(t)] = torch.tensor(t[:-1])  # [800] + target[:-1]
        labels[b, : len(t)] = torch.tensor(t)
    return src, src_len, trg_in, labels


def learning_rate(step: int) -> float:
    """Linear warm-up, then cosine decay to zero at STEPS."""
    if step < WARMUP:
        return PEAK_LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, STEPS - WARMUP)
    return PEAK_LR * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


@torch.no_grad()
def greedy_accuracy(model, tok: Tokenizer, rows, chunk: int = 256) -> float:
    """Batched greedy exact match (pad banned, as bad_words_ids [[800]]), max_length 64."""
    model.eval()
    correct = 0
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        src, src_len = pad_sources([e.ids for e in tok.encode_batch([r[2] for r in part])])
        out = model.greedy(src, src_len, PAD, EOS, MAX_LENGTH - 1, banned=[PAD]).tolist()
        for ids, r in zip(out, part):
            ids = ids[: ids.index(EOS) + 1] if EOS in ids else ids
            correct += tok.decode(ids, skip_special_tokens=True) == r[3]
    model.train()
    return correct / len(rows)


def save_checkpoint(model: Seq2Seq, out: str, vocab: int) -> None:
    os.makedirs(out, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    config = dict(model_type="rnn_seq2seq", **reference_config(), hidden_size=HIDDEN,
                  embedding_size=EMB, decoder_hidden_size=DEC_HIDDEN,
                  vocab_size=vocab, pad_token_id=PAD, eos_token_id=EOS, decoder_start_token_id=PAD)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    # As the Transformer's generation_config.json, without renormalize_logits / forced_eos_token_id.
    gen = dict(bad_words_ids=[[PAD]], decoder_start_token_id=PAD, eos_token_id=EOS, max_length=MAX_LENGTH,
               num_beams=4, pad_token_id=PAD)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)
        f.write("\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(TOKENIZER_DIR, name), os.path.join(out, name))


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="checkpoint folder to write")
    names_int = ("STEPS", "WARMUP", "MAX_TOKENS", "EMB", "HIDDEN", "DEC_HIDDEN", "THREADS", "EVAL_EVERY")
    names_float = ("PEAK_LR", "LABEL_SMOOTHING", "WEIGHT_DECAY", "CLIP")
    # Overrides for pilots only; the committed model uses the defaults.
    for name in names_int:
        parser.add_argument("--" + name.lower().replace("_", "-"), type=int, default=globals()[name])
    for name in names_float:
        parser.add_argument("--" + name.lower().replace("_", "-"), type=float, default=globals()[name])
    parser.add_argument("--data-cache", help="pickle of data.train_pairs() to reuse between runs (keep it in /tmp)")
    parser.add_argument("--stop-after", type=int, help="pilot: stop after this many steps (schedule unchanged)")
    args = parser.parse_args()
    for name in names_int + names_float:
        globals()[name] = getattr(args, name.lower())

    t0, c0 = time.time(), cpu_seconds()
    torch.set_num_threads(THREADS)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)

    if args.data_cache and os.path.exists(args.data_cache):
        with open(args.data_cache, "rb") as f:
            train = pickle.load(f)
    else:
        train = data.train_pairs()
        if args.data_cache:
            with open(args.data_cache, "wb") as f:
                pickle.dump(train, f)
    _, dev = data.split_numbers()
    dev_rows = data.pairs(dev)
    small_rows = sorted({(l, n, s, t) for l, n, s, t in train if n < 100})
    tok = Tokenizer.from_file(os.path.join(TOKENIZER_DIR, "tokenizer.json"))
    vocab = tok.get_vocab_size()
    assert vocab == 801 and tok.token_to_id("</s>") == EOS and tok.token_to_id("<pad>") == PAD
    src_ids = [e.ids for e in tok.encode_batch([r[2] for r in train])]
    tgt_ids = [e.ids for e in tok.encode_batch([r[3] for r in train])]
    assert all(s[-1] == EOS for s in src_ids) and all(t[-1] == EOS for t in tgt_ids)
    examples = list(zip(src_ids, tgt_ids))
    n_tokens = sum(len(s) + len(t) for s, t in examples)
    print(f"data: {len(train)} pairs, {n_tokens} tokens, vocab {vocab}, pad {PAD}, "
          f"max src {max(map(len, src_ids))} max tgt {max(map(len, tgt_ids))}; {time.time() - t0:.0f}s", flush=True)

    model = Seq2Seq(vocab, EMB, HIDDEN, DEC_HIDDEN)
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: emb {EMB}, encoder hidden {HIDDEN} x 2 directions, decoder hidden {DEC_HIDDEN}; "
          f"{n_params / 1e6:.2f}M parameters ({2 * n_params / 1e6:.2f} MB in float16)", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=PEAK_LR, betas=(0.9, 0.98), eps=1e-9)

    step, epoch, seen = 0, 0, 0
    stop = min(STEPS, args.stop_after or STEPS)
    loss_sum, loss_n, t_last = 0.0, 0, time.time()
    while step < stop:
        for idx in make_batches(examples, rng, MAX_TOKENS):
            if step >= stop:
                break
            src, src_len, trg_in, labels = collate(examples, idx)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step)
            logits = model(src, src_len, trg_in)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1),
                                   ignore_index=-100, label_smoothing=LABEL_SMOOTHING)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            optimizer.step()
            step += 1
            seen += len(idx)
            loss_sum += loss.item()
            loss_n += 1
            if step % 100 == 0 or (args.stop_after and step % 10 == 0):
                print(f"step {step} epoch {epoch} loss {loss_sum / loss_n:.4f} lr {learning_rate(step):.2e} "
                      f"{(time.time() - t_last) / loss_n * 100:.2f}s/100 steps, wall {time.time() - t0:.0f}s "
                      f"cpu {cpu_seconds() - c0:.0f}s", flush=True)
                loss_sum, loss_n, t_last = 0.0, 0, time.time()
            if step % EVAL_EVERY == 0 or step == stop:
                te = time.time()
                acc = greedy_accuracy(model, tok, dev_rows)
                small = greedy_accuracy(model, tok, small_rows)
                print(f"step {step}: dev greedy exact match {acc:.4f}, 1-2 digit training pairs {small:.4f} "
                      f"({time.time() - te:.0f}s)", flush=True)
                t_last += time.time() - te
        epoch += 1

    model.eval()
    save_checkpoint(model, args.out, vocab)
    wall, cpu = time.time() - t0, cpu_seconds() - c0
    print(f"done: {step} steps, {seen} examples ({seen / len(examples):.2f} epochs), "
          f"wall {wall:.0f}s, cpu {cpu:.0f}s", flush=True)


if __name__ == "__main__":
    main()
