"""Batched recurrent encoder-decoder for training: pytorch-seq2seq tutorial 3 (Bahdanau attention).

The structure and the module/parameter names are Ben Trevett's tutorial 3 ("Neural Machine
Translation by Jointly Learning to Align and Translate"), which are the canonical names lmcore's
`model_type: "rnn_seq2seq"` reads and Tests/Generator/rnn_reference.py `Seq2Seq` defines, so
`state_dict()` is a checkpoint as users save it:

  encoder.embedding.weight                 (vocab, emb)
  encoder.rnn.{weight,bias}_{ih,hh}_l0[_reverse]   nn.GRU(emb, hidden, bidirectional=True)
  encoder.fc.{weight,bias}                 (dec_hidden, 2 * hidden): h0 = tanh(fc([fwd final; bwd final]))
  decoder.embedding.weight                 (vocab, emb)
  decoder.rnn.{weight,bias}_{ih,hh}_l0     nn.GRU(emb + 2 * hidden, dec_hidden), input [embedded; context]
  decoder.attention.attn.{weight,bias}     (dec_hidden, dec_hidden + 2 * hidden) over [s_prev; h_j]
  decoder.attention.v.weight               (1, dec_hidden), no bias
  decoder.fc_out.{weight,bias}             (vocab, dec_hidden + 2 * hidden + emb) over [output; context; embedded]

Differences from the tutorial, none of which changes the function of one input:
* batch-first tensors and packed sequences (pack_padded_sequence) in the encoder, so padding
  never enters the recurrence or the final states;
* padded source positions are masked out of the attention softmax (weight exactly 0), so a
  batched input gives what the input alone gives (the reference reads each input alone);
* attn([s; h_j]) is computed as W_s s + (W_h h_j + b), with W_h h_j + b once per batch, and
  the decoder's GRU step is torch.gru_cell on nn.GRU's own parameters; fc_out runs once over
  all steps. Same formulas, fewer small kernels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class Encoder(nn.Module):
    def __init__(self, vocab: int, emb: int, hidden: int, dec_hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * hidden, dec_hidden)

    def forward(self, src: torch.Tensor, src_len: torch.Tensor):
        """src (B, S) ids, src_len (B,) -> outputs (B, S, 2*hidden) (zeros at padding), h0 (B, dec_hidden)."""
        embedded = self.embedding(src)
        packed = pack_padded_sequence(embedded, src_len.cpu(), batch_first=True, enforce_sorted=False)
        packed_out, hidden = self.rnn(packed)
        outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=src.shape[1])
        # hidden (2, B, hidden): [-2] the forward direction's final state, [-1] the backward's.
        h0 = torch.tanh(self.fc(torch.cat([hidden[-2], hidden[-1]], dim=1)))
        return outputs, h0


class Attention(nn.Module):
    def __init__(self, enc_dim: int, dec_hidden: int):
        super().__init__()
        self.attn = nn.Linear(dec_hidden + enc_dim, dec_hidden)
        self.v = nn.Linear(dec_hidden, 1, bias=False)
        self.dec_hidden = dec_hidden

    def keys(self, enc: torch.Tensor) -> torch.Tensor:
        """The encoder half of attn, W_h h_j + b: (B, S, dec_hidden), once per batch."""
        return F.linear(enc, self.attn.weight[:, self.dec_hidden:], self.attn.bias)

    def forward(self, hidden: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Weights (B, S) = softmax_j v . tanh(attn([s_prev; h_j])), padded positions excluded."""
        query = F.linear(hidden, self.attn.weight[:, : self.dec_hidden])  # (B, dec_hidden)
        energy = torch.tanh(keys + query.unsqueeze(1))
        scores = self.v(energy).squeeze(-1)
        scores = scores.masked_fill(~mask, float("-inf"))
        return torch.softmax(scores, dim=1)


class Decoder(nn.Module):
    def __init__(self, vocab: int, emb: int, enc_dim: int, dec_hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb + enc_dim, dec_hidden)
        self.attention = Attention(enc_dim, dec_hidden)
        self.fc_out = nn.Linear(dec_hidden + enc_dim + emb, vocab)

    def step(self, embedded, hidden, enc, keys, mask):
        """One step for the batch: embedded (B, emb), hidden = s_prev (B, dec_hidden).
        Returns (new hidden = the GRU's output, context (B, enc_dim))."""
        a = self.attention(hidden, keys, mask)
        context = torch.bmm(a.unsqueeze(1), enc).squeeze(1)
        r = self.rnn
        hidden = torch.gru_cell(torch.cat([embedded, context], dim=1), hidden,
                                r.weight_ih_l0, r.weight_hh_l0, r.bias_ih_l0, r.bias_hh_l0)
        return hidden, context

    def logits(self, output, context, embedded):
        return self.fc_out(torch.cat([output, context, embedded], dim=-1))


class Seq2Seq(nn.Module):
    def __init__(self, vocab: int, emb: int, hidden: int, dec_hidden: int):
        super().__init__()
        self.encoder = Encoder(vocab, emb, hidden, dec_hidden)
        self.decoder = Decoder(vocab, emb, 2 * hidden, dec_hidden)

    def encode(self, src, src_len):
        enc, h0 = self.encoder(src, src_len)
        mask = torch.arange(src.shape[1], device=src.device).unsqueeze(0) < src_len.unsqueeze(1)
        return enc, h0, self.decoder.attention.keys(enc), mask

    def forward(self, src, src_len, trg_in, last_only: bool = False):
        """Teacher-forced logits (B, T, vocab) for decoder inputs trg_in (B, T) (start token first).
        last_only: only the last position's logits (B, 1, vocab), for re-running a prefix."""
        enc, hidden, keys, mask = self.encode(src, src_len)
        embedded = self.decoder.embedding(trg_in)  # (B, T, emb)
        outputs, contexts = [], []
        for t in range(trg_in.shape[1]):
            hidden, context = self.decoder.step(embedded[:, t], hidden, enc, keys, mask)
            outputs.append(hidden)
            contexts.append(context)
        if last_only:
            return self.decoder.logits(outputs[-1], contexts[-1], embedded[:, -1]).unsqueeze(1)
        return self.decoder.logits(torch.stack(outputs, 1), torch.stack(contexts, 1), embedded)

    @torch.no_grad()
    def greedy(self, src, src_len, start: int, eos: int, max_new: int, banned: list[int] = ()):
        """Batched greedy decoding (monitoring): (B, <= max_new) ids after the start token, eos-padded."""
        enc, hidden, keys, mask = self.encode(src, src_len)
        token = torch.full((src.shape[0],), start, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_new):
            embedded = self.decoder.embedding(token)
            hidden, context = self.decoder.step(embedded, hidden, enc, keys, mask)
            logits = self.decoder.logits(hidden, context, embedded)
            for b in banned:
                logits[:, b] = float("-inf")
            token = torch.where(done, torch.full_like(token, eos), logits.argmax(-1))
            out.append(token)
            done |= token == eos
            if bool(done.all()):
                break
        return torch.stack(out, 1)


def reference_config() -> dict:
    """The rnn_reference.Seq2Seq cfg (and config.json fields) of this layout."""
    return dict(cell="gru", num_layers=1, bidirectional_encoder=True, bridge="linear_tanh", attention="bahdanau")
