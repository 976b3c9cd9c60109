"""Train the default lmcore model: a small Marian (OPUS-MT layout) number speller.

    /opt/lmcore-ref/bin/python models/train/train.py --out models/numbers-7lang

builds the data split (data.py), trains a BPE tokenizer.json with the `tokenizers` library,
trains a MarianMTModel from scratch on CPU (2 threads) and saves a checkpoint a user loads
with `AutoTokenizer` / `AutoModelForSeq2SeqLM.from_pretrained(out)`. Then run evaluate.py.
Everything is seeded; see README.md for the recipe and the measured time and accuracy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import random
import resource
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import GenerationConfig, MarianConfig, MarianMTModel, PreTrainedTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

SEED = 42
# One thread: the committed weights are reproduced bit for bit on the same CPU type (a second
# thread changes float summation order). --threads 2 uses both cores of an idle machine.
THREADS = 1
EOS, UNK = "</s>", "<unk>"
PAD = "<pad>"

# Architecture (Marian / OPUS-MT conventions: post-LN, swish, sinusoidal positions,
# scaled embeddings, one shared vocabulary tied to the output projection).
D_MODEL = 192
LAYERS = 3
HEADS = 4
FFN = 768
VOCAB_SIZE = 800  # BPE target size before the tags and <pad>
MAX_POSITIONS = 128
MAX_LENGTH = 64

# Optimisation.
MAX_TOKENS = 3000  # padded source + target tokens per batch (~120 pairs)
PEAK_LR = 2e-3
WARMUP = 400
STEPS = 4500  # ~2.6 epochs
LABEL_SMOOTHING = 0.1
DROPOUT = 0.0  # 243k distinct pairs seen about twice: nothing to regularise
EVAL_EVERY = 500


def build_tokenizer(train_targets: list[str]) -> Tokenizer:
    """BPE over the target spellings; digits always single tokens; tags and </s>, <unk> first, <pad> last.

    Ids follow Marian: </s> = 0, <unk> = 1, pad = the last id (OPUS-MT's pad is vocab_size - 1).
    """
    tok = Tokenizer(models.BPE(unk_token=UNK))
    # Strip makes ">>fr<<4213", ">>fr<< 4213" and ">>fr<<  4213 " the same input.
    tok.normalizer = normalizers.Strip()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
            pre_tokenizers.Digits(individual_digits=True),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    specials = [EOS, UNK] + [data.tag(lang) for lang in data.LANGS]
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=specials,
        initial_alphabet=list("0123456789"),
        show_progress=False,
    )
    tok.train_from_iterator(sorted(set(train_targets)), trainer)
    tok.add_special_tokens([AddedToken(PAD, special=True, normalized=False)])
    assert tok.token_to_id(EOS) == 0 and tok.token_to_id(UNK) == 1
    assert tok.token_to_id(PAD) == tok.get_vocab_size() - 1
    tok.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", pair=f"$A $B {EOS}", special_tokens=[(EOS, 0)]
    )
    return tok


def save_tokenizer(tok: Tokenizer, out: str) -> PreTrainedTokenizerFast:
    tok.save(os.path.join(out, "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_POSITIONS,
        "eos_token": EOS,
        "unk_token": UNK,
        "pad_token": PAD,
        "additional_special_tokens": [data.tag(lang) for lang in data.LANGS],
        "clean_up_tokenization_spaces": False,
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return PreTrainedTokenizerFast.from_pretrained(out)


def build_model(vocab: int, pad: int) -> MarianMTModel:
    config = MarianConfig(
        vocab_size=vocab,
        decoder_vocab_size=vocab,
        d_model=D_MODEL,
        encoder_layers=LAYERS,
        decoder_layers=LAYERS,
        encoder_attention_heads=HEADS,
        decoder_attention_heads=HEADS,
        encoder_ffn_dim=FFN,
        decoder_ffn_dim=FFN,
        activation_function="swish",
        max_position_embeddings=MAX_POSITIONS,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        dropout=DROPOUT,
        attention_dropout=0.0,
        activation_dropout=0.0,
        pad_token_id=pad,
        eos_token_id=0,
        bos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad,
        architectures=["MarianMTModel"],
    )
    model = MarianMTModel(config)
    # OPUS-MT checkpoints carry a trained output bias (Marian's decoder_ff_logit_out_b); transformers
    # keeps it as a buffer, so train it as a parameter and turn it back into the buffer when saving.
    bias = model.final_logits_bias.detach().clone()
    del model._buffers["final_logits_bias"]
    model.final_logits_bias = torch.nn.Parameter(bias)
    return model


def generation_config(pad: int) -> GenerationConfig:
    # The fields real OPUS-MT generation_config.json files have (pad never generated, beam 4).
    return GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=MAX_LENGTH,
        num_beams=4,
        pad_token_id=pad,
        renormalize_logits=True,
    )


def make_batches(examples: list[tuple[list[int], list[int]]], rng: random.Random,
                 max_tokens: int = MAX_TOKENS) -> list[list[int]]:
    """Indices grouped by similar length so a batch holds about max_tokens padded tokens (also
    used by train_rnn.py)."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][1]), len(examples[i][0]), rng.random()))
    batches, current, width = [], [], 0
    for i in order:
        src, tgt = examples[i]
        w = max(width, len(src) + len(tgt))
        if current and w * (len(current) + 1) > max_tokens:
            batches.append(current)
            current, w = [], len(src) + len(tgt)
        current.append(i)
        width = w
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def collate(examples, idx: list[int], pad: int) -> dict[str, torch.Tensor]:
    srcs = [examples[i][0] for i in idx]
    tgts = [examples[i][1] for i in idx]
    S, T = max(map(len, srcs)), max(map(len, tgts))
    input_ids = torch.full((len(idx), S), pad, dtype=torch.long)
    attention = torch.zeros((len(idx), S), dtype=torch.long)
    decoder_input = torch.full((len(idx), T), pad, dtype=torch.long)
    labels = torch.full((len(idx), T), -100, dtype=torch.long)
    for b, (s, t) in enumerate(zip(srcs, tgts)):
        input_ids[b, : len(s)] = torch.tensor(s)
        attention[b, : len(s)] = 1
        decoder_input[b, 1 : len(t)] = torch.tensor(t[:-1])  # shift right; position 0 is the start (= pad)
        labels[b, : len(t)] = torch.tensor(t)
    return {"input_ids": input_ids, "attention_mask": attention, "decoder_input_ids": decoder_input, "labels": labels}


def learning_rate(step: int) -> float:
    """Linear warm-up, then cosine decay to zero at STEPS."""
    if step < WARMUP:
        return PEAK_LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, STEPS - WARMUP)
    return PEAK_LR * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


@torch.no_grad()
def greedy_accuracy(model, tokenizer, rows) -> float:
    model.eval()
    correct = 0
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        enc = tokenizer([r[2] for r in chunk], return_tensors="pt", padding=True)
        out = model.generate(**enc, num_beams=1, do_sample=False)
        texts = tokenizer.batch_decode(out, skip_special_tokens=True)
        correct += sum(t == r[3] for t, r in zip(texts, chunk))
    model.train()
    return correct / len(rows)


def save_model(model: MarianMTModel, out: str, pad: int, half: bool) -> None:
    param = model.final_logits_bias
    del model._parameters["final_logits_bias"]
    model.register_buffer("final_logits_bias", param.detach().clone())
    model.generation_config = generation_config(pad)
    model.save_pretrained(out)
    if half:
        # Store weights as float16 to halve the file; config.json keeps dtype float32, so
        # from_pretrained() upcasts and the model runs in fp32 (as lmcore does).
        path = os.path.join(out, "model.safetensors")
        tensors = load_file(path)
        save_file({k: v.to(torch.float16) for k, v in tensors.items()}, path, metadata={"format": "pt"})


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="checkpoint folder to write")
    parser.add_argument("--fp32", action="store_true", help="store float32 weights instead of float16")
    # Overrides for pilots only; the committed model uses the defaults.
    for name in ("STEPS", "WARMUP", "MAX_TOKENS", "D_MODEL", "LAYERS", "FFN", "HEADS", "VOCAB_SIZE", "THREADS",
                 "EVAL_EVERY"):
        parser.add_argument("--" + name.lower().replace("_", "-"), type=int, default=globals()[name])
    for name in ("PEAK_LR", "DROPOUT"):
        parser.add_argument("--" + name.lower().replace("_", "-"), type=float, default=globals()[name])
    parser.add_argument("--data-cache", help="pickle of data.train_pairs() to reuse between pilots")
    args = parser.parse_args()
    for name in ("STEPS", "WARMUP", "MAX_TOKENS", "D_MODEL", "LAYERS", "FFN", "HEADS", "VOCAB_SIZE", "THREADS",
                 "EVAL_EVERY", "PEAK_LR", "DROPOUT"):
        globals()[name] = getattr(args, name.lower())

    t0, c0 = time.time(), cpu_seconds()
    torch.set_num_threads(THREADS)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    os.makedirs(args.out, exist_ok=True)

    if args.data_cache and os.path.exists(args.data_cache):
        with open(args.data_cache, "rb") as f:
            train = pickle.load(f)
    else:
        train = data.train_pairs()
        if args.data_cache:
            with open(args.data_cache, "wb") as f:
                pickle.dump(train, f)
    test, dev = data.split_numbers()
    dev_rows = data.pairs(dev)
    tok = build_tokenizer([r[3] for r in train])
    tokenizer = save_tokenizer(tok, args.out)
    pad = tokenizer.pad_token_id
    vocab = len(tokenizer)
    src_ids = tokenizer([r[2] for r in train])["input_ids"]
    tgt_ids = tokenizer([r[3] for r in train])["input_ids"]
    examples = list(zip(src_ids, tgt_ids))
    n_tokens = sum(len(s) + len(t) for s, t in examples)
    print(f"data: {len(train)} pairs, {n_tokens} tokens, vocab {vocab}, pad {pad}, "
          f"max src {max(map(len, src_ids))} max tgt {max(map(len, tgt_ids))}; {time.time() - t0:.0f}s", flush=True)

    model = build_model(vocab, pad)
    model.generation_config = generation_config(pad)
    model.train()
    print(f"model: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters", flush=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.01)

    step, epoch, seen = 0, 0, 0
    loss_sum, loss_n, t_last = 0.0, 0, time.time()
    while step < STEPS:
        for idx in make_batches(examples, rng):
            if step >= STEPS:
                break
            batch = collate(examples, idx, pad)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step)
            logits = model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                decoder_input_ids=batch["decoder_input_ids"],
            ).logits
            loss = F.cross_entropy(
                logits.view(-1, logits.size(-1)), batch["labels"].view(-1),
                ignore_index=-100, label_smoothing=LABEL_SMOOTHING,
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            seen += len(idx)
            loss_sum += loss.item()
            loss_n += 1
            if step % 100 == 0:
                print(f"step {step} epoch {epoch} loss {loss_sum / loss_n:.4f} lr {learning_rate(step):.2e} "
                      f"{100 * (time.time() - t_last) / 100:.2f}s/100 steps, wall {time.time() - t0:.0f}s "
                      f"cpu {cpu_seconds() - c0:.0f}s", flush=True)
                loss_sum, loss_n, t_last = 0.0, 0, time.time()
            if step % EVAL_EVERY == 0 or step == STEPS:
                acc = greedy_accuracy(model, tokenizer, dev_rows)
                print(f"step {step}: dev greedy exact match {acc:.4f}", flush=True)
        epoch += 1

    model.eval()
    save_model(model, args.out, pad, half=not args.fp32)
    wall, cpu = time.time() - t0, cpu_seconds() - c0
    print(f"done: {step} steps, {seen} examples ({seen / len(examples):.2f} epochs), "
          f"wall {wall:.0f}s, cpu {cpu:.0f}s", flush=True)


if __name__ == "__main__":
    main()
