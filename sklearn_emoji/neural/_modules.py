"""PyTorch modules of Xie et al. (2016): S-LSTM / F-LSTM and H-LSTM.

Input layout (see the project contract): token ids, ``0`` = padding and
``1`` = out-of-vocabulary.

* :class:`SequenceLSTM` takes ``(batch, max_len)`` rows, tokens left-aligned
  with zeros after them. It encodes the reply alone (S-LSTM) or all turns
  flattened into one sequence (F-LSTM): embedding, one LSTM layer, the last
  hidden state *at the true length of the row*, dropout, a linear softmax layer
  (the module returns logits; the loss is cross-entropy).
* :class:`HierarchicalLSTM` takes ``(batch, max_turns, max_len)``: one
  word-level LSTM shared by every turn gives one vector per turn (its last
  hidden state), a turn-level LSTM over the turn vectors gives the dialogue
  vector (its last hidden state at the true number of turns), then dropout and
  the softmax layer.

Padding never reaches the result: with ``packed=True`` (the default) each
batch is trimmed to its longest row / largest number of turns, the word-level
LSTM runs once over all non-empty turns of the batch (``(B, T, L)`` is
flattened to ``(B*T, L)``, empty turns are dropped, the rest is packed with
:func:`torch.nn.utils.rnn.pack_padded_sequence`), the turn vectors are
scattered back into a left-aligned ``(B, T', H)`` tensor and the turn-level
sequence is packed by the number of turns. ``packed=False`` is the naive
reference: every row is run over the full padded length and the output at the
last true position is gathered. Both give the same numbers (up to float
rounding); ``packed=False`` exists to test that and to measure what packing
saves (``benchmarks/bench_hlstm.py``).

A row with no token at all is read as one padding token (a zero embedding);
the scikit-learn wrappers replace such rows by a single OOV token before they
reach the module, so this is only a safety net.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .._compat import StrOptions, validate_parameter_constraints
from .._options import POOLINGS

__all__ = ["SequenceLSTM", "HierarchicalLSTM", "AttentionPooling"]


def _last_hidden(lstm, emb, lengths, packed):
    """Last hidden state of a one-layer, unidirectional ``lstm`` per row.

    ``emb`` is ``(N, L, E)``, ``lengths`` a ``(N,)`` long tensor with values
    in ``[1, L]``.
    """
    if packed:
        seq = pack_padded_sequence(emb, lengths.cpu(), batch_first=True, enforce_sorted=False)
        # With enforce_sorted=False, h_n comes back in the original row order.
        _, (h_n, _) = lstm(seq)
        return h_n[-1]
    out, _ = lstm(emb)  # (N, L, H): runs over the padding too
    idx = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.size(-1))
    return out.gather(1, idx).squeeze(1)


def _all_hidden(lstm, emb, lengths, packed):
    """Every hidden state ``(N, L', H)`` of ``lstm``; positions past a row's
    length are zero (``L'`` is the longest length when packed)."""
    if packed:
        seq = pack_padded_sequence(emb, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = lstm(seq)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=emb.size(1))
        return out
    out, _ = lstm(emb)
    return out


class AttentionPooling(nn.Module):
    """Attention pooling over the hidden states of an LSTM (DeepMoji style).

    A learned vector scores every position, the scores of the real positions
    go through a softmax, and the pooled vector is the weighted sum of the
    hidden states. The weights are returned too, so that a caller can show
    which words (or turns) the model looked at.

    Parameters
    ----------
    hidden_dim : int
        Size of the hidden states.
    """

    def __init__(self, hidden_dim):
        super().__init__()
        self.score = nn.Linear(hidden_dim, 1, bias=False)

    def forward(self, states, lengths):
        """Pool ``states`` ``(N, L, H)``; return ``(vectors (N, H), weights (N, L))``."""
        L = states.size(1)
        mask = torch.arange(L, device=states.device).unsqueeze(0) < lengths.to(states.device).unsqueeze(1)
        logits = self.score(states).squeeze(-1).masked_fill(~mask, float("-inf"))
        weights = torch.softmax(logits, dim=1)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


def _pool(lstm, attention, emb, lengths, packed):
    """Sequence vectors and, with attention, the weights ``(N, L')``."""
    if attention is None:
        return _last_hidden(lstm, emb, lengths, packed), None
    states = _all_hidden(lstm, emb, lengths, packed)
    return attention(states, lengths)


def _check_pooling(pooling, caller):
    """``pooling``, checked as the estimators check it (``InvalidParameterError`` naming the parameter)."""
    validate_parameter_constraints({"pooling": [StrOptions(set(POOLINGS))]}, {"pooling": pooling}, caller_name=caller)
    return pooling


class _Classifier(nn.Module):
    """Shared pieces: embedding (padding row 0 fixed at zero) and softmax head."""

    def __init__(self, vocab_size, n_classes, embedding_dim, hidden_dim, dropout, packed):
        super().__init__()
        self.vocab_size = int(vocab_size)
        self.n_classes = int(n_classes)
        self.packed = bool(packed)
        self.embedding = nn.Embedding(self.vocab_size, embedding_dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_dim, self.n_classes)

    def forward(self, X):
        """Logits ``(batch, n_classes)`` for a batch of token ids."""
        return self.output(self.dropout(self.encode(X)))

    def encode(self, X):
        """The encoder's vectors ``(batch, hidden_dim)``."""
        return self.encode_with_weights(X)[0]


class SequenceLSTM(_Classifier):
    """Embedding + LSTM + last hidden state + dropout + linear (S-/F-LSTM).

    Parameters
    ----------
    vocab_size : int
        Number of token ids (ids are in ``[0, vocab_size)``; 0 is padding).
    n_classes : int
        Number of output classes.
    embedding_dim : int, default=384
        Size of the word embeddings (``n_x`` in the paper).
    hidden_dim : int, default=384
        Size of the LSTM hidden state (``n_h`` in the paper).
    dropout : float, default=0.5
        Dropout rate applied to the sequence vector before the softmax layer.
    packed : bool, default=True
        Trim each batch to its longest row and pack it; ``False`` runs the
        LSTM over the full padded width (same result, slower).
    pooling : {"last", "attention"}, default="last"
        How the LSTM's states become the sequence vector: the last hidden
        state (the paper) or :class:`AttentionPooling` over all of them
        (DeepMoji); :meth:`encode_with_weights` returns the weights.

    Examples
    --------
    >>> import torch
    >>> from sklearn_emoji.neural import SequenceLSTM
    >>> _ = torch.manual_seed(0)
    >>> m = SequenceLSTM(vocab_size=10, n_classes=3, embedding_dim=4, hidden_dim=5).eval()
    >>> X = torch.tensor([[2, 3, 4, 0, 0], [5, 0, 0, 0, 0]])
    >>> m(X).shape
    torch.Size([2, 3])
    >>> bool(torch.allclose(m(X), m(torch.nn.functional.pad(X, (0, 20)))))
    True
    """

    def __init__(
        self,
        vocab_size,
        n_classes,
        embedding_dim=384,
        hidden_dim=384,
        dropout=0.5,
        packed=True,
        pooling="last",
    ):
        super().__init__(vocab_size, n_classes, embedding_dim, hidden_dim, dropout, packed)
        self.pooling = _check_pooling(pooling, type(self).__name__)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.attention = AttentionPooling(hidden_dim) if pooling == "attention" else None

    def encode_with_weights(self, X):
        """Sequence vectors ``(batch, hidden_dim)`` for ids ``(batch, max_len)``,
        and the attention weights ``(batch, max_len')`` (``None`` without
        attention)."""
        lengths = (X != 0).sum(1).clamp(min=1)
        if self.packed:
            X = X[:, : int(lengths.max())]
        return _pool(self.lstm, self.attention, self.embedding(X), lengths, self.packed)


class HierarchicalLSTM(_Classifier):
    """Hierarchical LSTM of Xie et al. (2016) (H-LSTM).

    A word-level LSTM shared by every turn turns each turn into its last
    hidden state; a turn-level LSTM over those vectors (oldest turn first)
    gives the dialogue vector (its last hidden state); dropout and a linear
    softmax layer follow.

    Parameters
    ----------
    vocab_size : int
        Number of token ids (ids are in ``[0, vocab_size)``; 0 is padding).
    n_classes : int
        Number of output classes.
    embedding_dim : int, default=384
        Size of the word embeddings (``n_x`` in the paper).
    hidden_dim : int, default=384
        Hidden size of both LSTMs (``n_h`` in the paper).
    dropout : float, default=0.5
        Dropout rate applied to the dialogue vector before the softmax layer.
    packed : bool, default=True
        Run the word-level LSTM once over the packed non-empty turns of the
        batch and pack the turn-level sequence by number of turns; ``False``
        runs both LSTMs over the full padded ``(max_turns, max_len)`` grid
        (same result, slower).
    pooling : {"last", "attention"}, default="last"
        How each turn's word states and the dialogue's turn states are
        pooled: the last hidden state (the paper) or attention over all of
        them (DeepMoji), one :class:`AttentionPooling` per level.

    Notes
    -----
    Input is ``(batch, max_turns, max_len)``: tokens left-aligned in a turn,
    zeros after them. Empty (all-zero) turns are skipped wherever they are,
    and the remaining turns keep their order, so a dialogue padded to 4 or to
    6 turns gives the same output.

    Examples
    --------
    >>> import torch
    >>> from sklearn_emoji.neural import HierarchicalLSTM
    >>> _ = torch.manual_seed(0)
    >>> m = HierarchicalLSTM(vocab_size=10, n_classes=3, embedding_dim=4, hidden_dim=5).eval()
    >>> X = torch.tensor([[[2, 3, 0], [4, 0, 0]], [[5, 6, 7], [0, 0, 0]]])
    >>> m(X).shape
    torch.Size([2, 3])
    >>> X6 = torch.nn.functional.pad(X, (0, 7, 0, 4))  # 6 turns of 10 tokens
    >>> bool(torch.allclose(m(X), m(X6)))
    True
    """

    def __init__(
        self,
        vocab_size,
        n_classes,
        embedding_dim=384,
        hidden_dim=384,
        dropout=0.5,
        packed=True,
        pooling="last",
    ):
        super().__init__(vocab_size, n_classes, embedding_dim, hidden_dim, dropout, packed)
        self.pooling = _check_pooling(pooling, type(self).__name__)
        self.word_lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.turn_lstm = nn.LSTM(hidden_dim, hidden_dim, batch_first=True)
        if pooling == "attention":
            self.word_attention = AttentionPooling(hidden_dim)
            self.turn_attention = AttentionPooling(hidden_dim)
        else:
            self.word_attention = self.turn_attention = None

    def encode_with_weights(self, X):
        """Dialogue vectors ``(batch, hidden_dim)`` for ids ``(batch, max_turns, max_len)``.

        Also returns the attention weights, ``None`` without attention, else
        a pair: word weights ``(batch, max_turns, max_len)`` (zero on padding
        and on empty turns) and turn weights ``(batch, max_turns)`` over the
        non-empty turns in their left-aligned order.
        """
        B, T, L = X.shape
        flat = X.reshape(B * T, L)
        tok_len = (flat != 0).sum(1)  # (B*T,)
        mask = (tok_len > 0).view(B, T)  # non-empty turns
        n_turns = mask.sum(1)
        empty = n_turns == 0
        if bool(empty.any()):
            # safety net: a dialogue with no token is read as one padding token
            mask = mask.clone()
            mask[empty, 0] = True
            n_turns = mask.sum(1)
        sel = mask.view(-1).nonzero(as_tuple=True)[0]  # row-major = (b, t) order
        lengths = tok_len[sel].clamp(min=1)

        if self.packed:
            rows = flat[sel][:, : int(lengths.max())]
            turn_vec, w_word = _pool(self.word_lstm, self.word_attention, self.embedding(rows), lengths, True)
        else:
            full_len = tok_len.clamp(min=1)
            all_vec, w_all = _pool(self.word_lstm, self.word_attention, self.embedding(flat), full_len, False)
            turn_vec = all_vec[sel]
            w_word = None if w_all is None else w_all[sel]

        # scatter the turn vectors back, left-aligned: position = rank among
        # the dialogue's non-empty turns
        b_idx = sel // T
        pos = (mask.long().cumsum(1) - 1).view(-1)[sel]
        width = int(n_turns.max()) if self.packed else T
        turns = turn_vec.new_zeros(B, width, turn_vec.size(-1))
        turns[b_idx, pos] = turn_vec
        vec, w_turn = _pool(self.turn_lstm, self.turn_attention, turns, n_turns, self.packed)
        if w_word is None:
            return vec, None
        words = w_word.new_zeros(B * T, L)
        words[sel, : w_word.size(1)] = w_word
        turn_w = w_turn.new_zeros(B, T)
        turn_w[:, : w_turn.size(1)] = w_turn
        return vec, (words.view(B, T, L), turn_w)
