"""The reference for lmcore's `rnn_seq2seq` architecture: recurrent encoder-decoders as the classic
PyTorch tutorials build them, written for the tests from the formulas.

Module and parameter names are the canonical checkpoint names lmcore reads, so `state_dict()` of
`Seq2Seq` is a checkpoint as users save it:

  encoder.embedding.weight                         (src_vocab, emb)
  encoder.rnn.{weight_ih,weight_hh,bias_ih,bias_hh}_l{k}[_reverse]   torch.nn.GRU / torch.nn.LSTM
  encoder.fc.{weight,bias}                         bridge "linear_tanh": (dec_hidden, dirs * hidden)
  decoder.embedding.weight                         (tgt_vocab, emb)
  decoder.rnn.*                                    as the encoder's (one direction)
  decoder.attention.attn.{weight,bias}, decoder.attention.v.weight
                                                   "bahdanau" and "luong_concat": v . tanh(attn([s; h_j]))
  decoder.attention.linear_in.weight               "luong_general": score = h_j . (W s), W (enc_dim, dec_hidden)
  decoder.attention.linear_out.weight [+ .bias]    Luong: attentional h~ = tanh(linear_out([c; h_t]))
  decoder.fc_out.{weight,bias}                     the output layer

Layouts (one decoder step, s = the decoder's top-layer hidden state, H = encoder outputs):
  bahdanau (Bahdanau et al. 2015, as pytorch-seq2seq tutorial 3): the score uses the *previous* s;
      context c = softmax(v . tanh(attn([s_prev; h_j]))) . H; RNN input [embedded; c];
      fc_out reads [output; c; embedded].
  luong_* (Luong et al. 2015 "global attention", names as OpenNMT-py's GlobalAttention): the RNN
      steps first (input [embedded; h~_prev] with input feeding, else embedded), then
      score(h_t, h_j) = h_j . h_t (dot) | h_j . (W h_t) (general) | v . tanh(attn([h_t; h_j])) (concat),
      c = softmax(score) . H, h~ = tanh(linear_out([c; h_t])); fc_out reads h~; h~ is fed to the next step.
  none (Sutskever et al. 2014, tutorial 1): RNN input embedded; fc_out reads the top output.
Bridges (the decoder's initial state):
  final: layer k starts from the encoder's final state of layer k (both directions concatenated,
      forward first; LSTM: h and c); needs as many decoder layers and dec_hidden = dirs * hidden.
  zeros: all zeros.
  linear_tanh: h0 = tanh(fc([forward final; backward final])) of the top encoder layer, for every
      decoder layer (tutorial 3); LSTM cells start at zero.
"""
import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, cfg, vocab, emb, hidden, dec_hidden):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(vocab, emb)
        rnn = nn.GRU if cfg["cell"] == "gru" else nn.LSTM
        self.rnn = rnn(emb, hidden, num_layers=cfg["num_layers"], bidirectional=cfg["bidirectional_encoder"])
        if cfg["bridge"] == "linear_tanh":
            self.fc = nn.Linear(hidden * (2 if cfg["bidirectional_encoder"] else 1), dec_hidden)

    def forward(self, src):
        """src (T,) ids -> embedded (T, emb), per-layer outputs [(T, dirs*hidden)], final states."""
        embedded = self.embedding(src).unsqueeze(1)  # (T, 1, emb): torch's seq-first layout
        layer_outputs = []
        x = embedded
        finals_h, finals_c = [], []
        # Layer by layer through the same nn.GRU/nn.LSTM parameters, to expose each layer's output.
        for k in range(self.cfg["num_layers"]):
            out, state = run_layer(self.rnn, k, x, self.cfg["bidirectional_encoder"], self.cfg["cell"])
            layer_outputs.append(out[:, 0])
            finals_h.append(state[0])
            if self.cfg["cell"] == "lstm":
                finals_c.append(state[1])
            x = out
        # Cross-check: the whole stack in one call gives the same outputs and final states.
        full, full_state = self.rnn(embedded)
        assert torch.allclose(full[:, 0], layer_outputs[-1], atol=1e-5)
        last_h = full_state[0] if self.cfg["cell"] == "lstm" else full_state
        assert torch.allclose(last_h[-1 - int(self.cfg["bidirectional_encoder"]):].reshape(-1), finals_h[-1], atol=1e-5)
        return embedded[:, 0], layer_outputs, (finals_h, finals_c)


def run_layer(rnn, k, x, bidirectional, cell):
    """Layer k of a torch RNN over x (T, 1, in), with the layer's own weights, from the formulas.
    Returns outputs (T, 1, dirs*H) and final (h, c) per direction concatenated: (dirs*H,)."""
    dirs = ["", "_reverse"] if bidirectional else [""]
    outs, hs, cs = [], [], []
    for d in dirs:
        w_ih = getattr(rnn, f"weight_ih_l{k}{d}")
        w_hh = getattr(rnn, f"weight_hh_l{k}{d}")
        b_ih = getattr(rnn, f"bias_ih_l{k}{d}")
        b_hh = getattr(rnn, f"bias_hh_l{k}{d}")
        hidden = w_hh.shape[1]
        h = torch.zeros(hidden)
        c = torch.zeros(hidden)
        steps = range(x.shape[0]) if d == "" else reversed(range(x.shape[0]))
        out = [None] * x.shape[0]
        for t in steps:
            if cell == "gru":
                h = gru_cell(x[t, 0], h, w_ih, w_hh, b_ih, b_hh)
            else:
                h, c = lstm_cell(x[t, 0], h, c, w_ih, w_hh, b_ih, b_hh)
            out[t] = h
        outs.append(torch.stack(out))
        hs.append(h)
        cs.append(c)
    return torch.cat(outs, dim=1).unsqueeze(1), (torch.cat(hs), torch.cat(cs))


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """torch.nn.GRU's cell: gates r, z, n in that order."""
    gi = w_ih @ x + b_ih
    gh = w_hh @ h + b_hh
    H = h.shape[0]
    r = torch.sigmoid(gi[:H] + gh[:H])
    z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
    n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
    return (1 - z) * n + z * h


def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """torch.nn.LSTM's cell: gates i, f, g, o in that order."""
    g = w_ih @ x + b_ih + w_hh @ h + b_hh
    H = h.shape[0]
    i, f, gg, o = torch.sigmoid(g[:H]), torch.sigmoid(g[H:2 * H]), torch.tanh(g[2 * H:3 * H]), torch.sigmoid(g[3 * H:])
    c = f * c + i * gg
    return o * torch.tanh(c), c


class Attention(nn.Module):
    def __init__(self, kind, enc_dim, dec_hidden, linear_out_bias):
        super().__init__()
        self.kind = kind
        if kind in ("bahdanau", "luong_concat"):
            self.attn = nn.Linear(dec_hidden + enc_dim, dec_hidden)
            self.v = nn.Linear(dec_hidden, 1, bias=False)
        if kind == "luong_general":
            self.linear_in = nn.Linear(dec_hidden, enc_dim, bias=False)
        if kind.startswith("luong"):
            self.linear_out = nn.Linear(enc_dim + dec_hidden, dec_hidden, bias=linear_out_bias)

    def weights(self, query, enc):
        """Attention weights (S,) of the query (dec_hidden,) over the encoder outputs enc (S, enc_dim)."""
        if self.kind in ("bahdanau", "luong_concat"):
            energy = torch.tanh(self.attn(torch.cat([query.expand(enc.shape[0], -1), enc], dim=1)))
            scores = self.v(energy)[:, 0]
        elif self.kind == "luong_dot":
            scores = enc @ query
        else:  # luong_general
            scores = enc @ self.linear_in(query)
        return torch.softmax(scores, dim=0)


class Decoder(nn.Module):
    def __init__(self, cfg, vocab, emb, enc_dim, dec_hidden, linear_out_bias=False):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(vocab, emb)
        kind = cfg["attention"]
        rnn_in = emb
        if kind == "bahdanau":
            rnn_in = emb + enc_dim
        elif cfg.get("input_feeding"):
            rnn_in = emb + dec_hidden
        rnn = nn.GRU if cfg["cell"] == "gru" else nn.LSTM
        self.rnn = rnn(rnn_in, dec_hidden, num_layers=cfg.get("decoder_layers", cfg["num_layers"]))
        if kind != "none":
            self.attention = Attention(kind, enc_dim, dec_hidden, linear_out_bias)
        out_in = dec_hidden + enc_dim + emb if kind == "bahdanau" else dec_hidden
        self.fc_out = nn.Linear(out_in, vocab)

    def step(self, token, state, enc):
        """One token; state = (h (L, 1, Hd), c or None, feed (Hd,)). Returns logits and the new state."""
        h, c, feed = state
        embedded = self.embedding(torch.tensor([token]))[0]
        kind = self.cfg["attention"]
        rnn_state = h if c is None else (h, c)
        if kind == "bahdanau":
            a = self.attention.weights(h[-1, 0], enc)
            context = a @ enc
            out, new = self.rnn(torch.cat([embedded, context]).view(1, 1, -1), rnn_state)
            logits = self.fc_out(torch.cat([out[0, 0], context, embedded]))
        else:
            x = torch.cat([embedded, feed]) if self.cfg.get("input_feeding") else embedded
            out, new = self.rnn(x.view(1, 1, -1), rnn_state)
            top = out[0, 0]
            if kind == "none":
                logits = self.fc_out(top)
            else:
                a = self.attention.weights(top, enc)
                context = a @ enc
                feed = torch.tanh(self.attention.linear_out(torch.cat([context, top])))
                logits = self.fc_out(feed)
        if c is None:
            return logits, (new, None, feed)
        return logits, (new[0], new[1], feed)


class Seq2Seq(nn.Module):
    def __init__(self, cfg, src_vocab, tgt_vocab, emb, hidden, dec_hidden, linear_out_bias=False):
        super().__init__()
        self.cfg = cfg
        dirs = 2 if cfg["bidirectional_encoder"] else 1
        self.encoder = Encoder(cfg, src_vocab, emb, hidden, dec_hidden)
        self.decoder = Decoder(cfg, tgt_vocab, emb, dirs * hidden, dec_hidden, linear_out_bias)
        self.dec_hidden = dec_hidden

    def encode(self, src):
        embedded, layers, finals = self.encoder(torch.tensor(src))
        return embedded, layers, finals

    def initial_state(self, finals):
        cfg = self.cfg
        layers = cfg.get("decoder_layers", cfg["num_layers"])
        hd = self.dec_hidden
        zeros = torch.zeros(layers, 1, hd)
        finals_h, finals_c = finals
        if cfg["bridge"] == "final":
            h = torch.stack(finals_h).view(layers, 1, hd)
            c = torch.stack(finals_c).view(layers, 1, hd) if cfg["cell"] == "lstm" else None
        elif cfg["bridge"] == "zeros":
            h = zeros
            c = zeros.clone() if cfg["cell"] == "lstm" else None
        else:  # linear_tanh: the top layer's finals, to every decoder layer
            top = torch.tanh(self.encoder.fc(finals_h[-1]))
            h = top.view(1, 1, hd).repeat(layers, 1, 1)
            c = zeros.clone() if cfg["cell"] == "lstm" else None
        return (h, c, torch.zeros(hd))

    def logits(self, src, prefix):
        """Teacher-forced next-token logits (len(prefix), tgt_vocab) after each prefix token."""
        _, layers, finals = self.encode(src)
        enc = layers[-1]
        state = self.initial_state(finals)
        rows = []
        for t in prefix:
            logits, state = self.decoder.step(int(t), state, enc)
            rows.append(logits)
        return torch.stack(rows)
