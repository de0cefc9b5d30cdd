"""A word-level LSTM language model whose lower layers seed the H-LSTM (ULMFiT's first step).

:class:`ReplyLanguageModel` is the H-LSTM's word level (its ``embedding`` and
``word_lstm``, named as in :class:`~sklearn_emoji.neural.HierarchicalLSTM`
so its weights load there unchanged) trained to predict each next token of
a text. The softmax over a vocabulary of tens of thousands of words is
:class:`torch.nn.AdaptiveLogSoftmaxWithLoss` (Grave et al., 2017): the
frequent words get the full softmax, rare ones two smaller clusters, which
is what makes a pass over the 590,000 Weibo replies affordable on a CPU.

:class:`LanguageModelNet` is the skorch net that trains it: the module
returns its own loss (the targets are its input, shifted), so
:meth:`~LanguageModelNet.get_loss` passes that through.
"""

import torch
from skorch import NeuralNet
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = ["ReplyLanguageModel", "LanguageModelNet", "default_cutoffs"]


def default_cutoffs(vocab_size):
    """Cluster boundaries of the adaptive softmax: the 2,000 and 10,000 most frequent ids.

    Ids are numbered by decreasing frequency (the project's vocabularies
    are), so the head holds the most frequent tokens. Small vocabularies get
    fewer clusters; one of at most 2,000 ids gets a plain softmax head.
    """
    return [c for c in (2000, 10000) if c < vocab_size - 1]


class ReplyLanguageModel(nn.Module):
    """Embedding + word LSTM + adaptive softmax over the next token.

    Parameters
    ----------
    vocab_size : int
        Number of token ids (0 is padding, 1 OOV; the others by decreasing
        frequency).
    embedding_dim, hidden_dim : int, default=128
        Sizes; they must be the H-LSTM's to seed it.
    dropout : float, default=0.1
        Dropout on the LSTM states before the softmax.
    cutoffs : list of int or None, default=None
        The adaptive softmax's cluster boundaries; None:
        :func:`default_cutoffs`.
    div_value : float, default=4.0
        How much smaller each tail cluster's projection is.

    Examples
    --------
    >>> import torch
    >>> from sklearn_emoji.neural._language_model import ReplyLanguageModel
    >>> _ = torch.manual_seed(0)
    >>> lm = ReplyLanguageModel(vocab_size=30, embedding_dim=4, hidden_dim=5)
    >>> X = torch.tensor([[2, 3, 4, 0], [5, 6, 0, 0], [7, 0, 0, 0]])
    >>> loss = lm(X)  # mean negative log-likelihood of the 3 next tokens
    >>> loss.shape, bool(loss > 0)
    (torch.Size([]), True)
    """

    def __init__(self, vocab_size, embedding_dim=128, hidden_dim=128, dropout=0.1, cutoffs=None, div_value=4.0):
        super().__init__()
        self.vocab_size = int(vocab_size)
        self.embedding = nn.Embedding(self.vocab_size, embedding_dim, padding_idx=0)
        self.word_lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        cutoffs = default_cutoffs(self.vocab_size) if cutoffs is None else list(cutoffs)
        if cutoffs:
            self.head = nn.AdaptiveLogSoftmaxWithLoss(hidden_dim, self.vocab_size, cutoffs, div_value=div_value)
        else:
            self.head = nn.Linear(hidden_dim, self.vocab_size)

    def _states(self, X):
        """The LSTM states that predict a token ``(n, H)`` and those tokens ``(n,)``.

        A row of ``k`` tokens gives ``k - 1`` predictions (token ``i + 1``
        from tokens ``0 .. i``); rows of fewer than two tokens give none.
        """
        lengths = (X != 0).sum(1)
        rows = lengths >= 2
        X, lengths = X[rows], lengths[rows] - 1
        if not len(X):
            return None, None
        width = int(lengths.max())
        inputs, targets = X[:, :width], X[:, 1 : width + 1]
        seq = pack_padded_sequence(self.embedding(inputs), lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.word_lstm(seq)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=width)
        mask = torch.arange(width, device=X.device).unsqueeze(0) < lengths.unsqueeze(1)
        return self.dropout(out[mask]), targets[mask]

    def forward(self, X):
        """Mean negative log-likelihood (nats per token) of the next tokens of ``X`` ``(batch, max_len)``."""
        states, targets = self._states(X)
        if states is None:  # no row with two tokens: nothing to predict, no gradient
            return self.embedding.weight.sum() * 0.0
        if isinstance(self.head, nn.Linear):
            return nn.functional.cross_entropy(self.head(states), targets)
        return self.head(states, targets).loss


class LanguageModelNet(NeuralNet):
    """skorch net of a module that returns its own loss (no ``y``)."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return y_pred
