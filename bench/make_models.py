"""Random-weight benchmark checkpoints in Hugging Face layout, plus their CTranslate2 conversions.

    /opt/lmcore-ref/bin/python bench/make_models.py            # every model
    /opt/lmcore-ref/bin/python bench/make_models.py opus-mt-en-de --force

Writes bench/work/<name>/ (config.json, model.safetensors, generation_config.json, tokenizer.json,
tokenizer_config.json) and bench/work/<name>-ct2/ (CTranslate2, float32). Shapes copy real
checkpoints; the weights are random (seeded), so no download is needed and speed is what a real
model of that shape gets (decoding does the same work whatever the values: the benchmark fixes the
number of generated tokens).

Weight scale: init_std 0.05, 2.5x transformers' default 0.02. Timing does not depend on it; the
greedy-ids check against transformers does. Larger weights give sharper next-token distributions,
so the gap between the best and second-best logit is wide compared to float32 rounding and a
different (equally correct) summation order in another BLAS does not flip an argmax. Activations
stay well in range (post-LN Marian renormalises every sublayer).

To add a model: write a builder returning (model, tokenizer, generation_config) and add a
ModelSpec to MODELS.
"""
import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GenerationConfig, PreTrainedTokenizerFast

WORK = Path(__file__).resolve().parent / "work"
INIT_STD = 0.05


@dataclass
class ModelSpec:
    name: str
    description: str
    build: Callable[["ModelSpec"], tuple]
    config: dict = field(default_factory=dict)
    # Dtype of the CTranslate2 conversion (None: no conversion).
    ct2_quantization: str | None = "float32"


def word_level_tokenizer(vocab_size, specials, **special_roles):
    """A WordLevel tokenizer over `vocab_size` ids: `specials` maps id -> special token string, every
    other id i is the word "t<i>". Enough for CTranslate2's converter (it reads the vocabulary) and
    for decoding ids back to text."""
    vocab = {f"t{i}": i for i in range(vocab_size) if i not in specials}
    vocab.update({token: i for i, token in specials.items()})
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=special_roles.get("unk_token")))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, **special_roles)


def build_marian(spec):
    c = spec.config
    config = transformers.MarianConfig(**c, init_std=INIT_STD)
    torch.manual_seed(c.get("seed", 0))
    model = transformers.MarianMTModel(config).eval()
    pad, eos, unk = config.pad_token_id, config.eos_token_id, 1
    tokenizer = word_level_tokenizer(config.vocab_size, {eos: "</s>", unk: "<unk>", pad: "<pad>"},
                                     eos_token="</s>", unk_token="<unk>", pad_token="<pad>")
    generation = GenerationConfig(
        # As Helsinki-NLP's generation_config.json, except num_beams (the benchmark passes it anyway).
        bad_words_ids=[[pad]], decoder_start_token_id=pad, eos_token_id=eos, forced_eos_token_id=eos,
        pad_token_id=pad, max_length=512, num_beams=1, renormalize_logits=False)
    return model, tokenizer, generation


MODELS = {
    m.name: m for m in [
        ModelSpec(
            name="opus-mt-en-de",
            description="Helsinki-NLP/opus-mt-en-de shape: Marian, d 512, 6+6 layers, 8 heads, ffn 2048, "
                        "vocab 58101, swish, scaled tied embeddings, static sinusoidal positions",
            build=build_marian,
            config=dict(
                vocab_size=58101, decoder_vocab_size=58101, d_model=512,
                encoder_layers=6, decoder_layers=6, encoder_attention_heads=8, decoder_attention_heads=8,
                encoder_ffn_dim=2048, decoder_ffn_dim=2048, activation_function="swish",
                max_position_embeddings=512, scale_embedding=True, share_encoder_decoder_embeddings=True,
                tie_word_embeddings=True, pad_token_id=58100, decoder_start_token_id=58100,
                eos_token_id=0, forced_eos_token_id=0,
                architectures=["MarianMTModel"]),
        ),
    ]
}


def convert_ct2(src: Path, dst: Path, quantization: str):
    import ctranslate2
    converter = ctranslate2.converters.TransformersConverter(str(src))
    converter.convert(str(dst), quantization=quantization, force=True)


def make(spec: ModelSpec, force: bool):
    out = WORK / spec.name
    done = out / ".complete"
    if done.exists() and not force:
        print(f"{spec.name}: up to date ({out})")
    else:
        t0 = time.time()
        if out.exists():
            shutil.rmtree(out)
        model, tokenizer, generation = spec.build(spec)
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        generation.save_pretrained(out)
        (out / "bench_model.json").write_text(json.dumps({
            "name": spec.name, "description": spec.description, "init_std": INIT_STD,
            "parameters": sum(p.numel() for p in model.parameters()),
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        }, indent=2) + "\n")
        done.touch()
        print(f"{spec.name}: wrote {out} in {time.time() - t0:.1f} s")
    if spec.ct2_quantization:
        ct2 = WORK / f"{spec.name}-ct2"
        if (ct2 / "model.bin").exists() and not force:
            print(f"{spec.name}: CTranslate2 up to date ({ct2})")
        else:
            t0 = time.time()
            convert_ct2(out, ct2, spec.ct2_quantization)
            print(f"{spec.name}: wrote {ct2} ({spec.ct2_quantization}) in {time.time() - t0:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help=f"models to make (default: all of {', '.join(MODELS)})")
    ap.add_argument("--force", action="store_true", help="rebuild even when present")
    args = ap.parse_args()
    for name in args.names or list(MODELS):
        if name not in MODELS:
            sys.exit(f"unknown model {name!r}; known: {', '.join(MODELS)}")
        make(MODELS[name], args.force)


if __name__ == "__main__":
    main()
