"""A NumPy forward pass of a shipped H-LSTM: the first recommendation without torch.

Importing torch takes about 2 s on a 2-core machine and scikit-learn about
2 s more, so a fresh process that goes through the full estimator
(:func:`~sklearn_emoji.pretrained.load_pretrained`) needs 7-10 s to its first
answer. :func:`~sklearn_emoji.pretrained.recommend` with a shipped Weibo model
reads the same checked safetensors file with NumPy and runs the network's
inference here: a character tokenizer (the library's own), the word-level LSTM
with attention over each turn, the turn-level LSTM with attention over the
turns, and the softmax layer. Dropout is the identity at inference, so the
scores are the estimator's ``predict_proba`` up to float32 rounding (a test
holds them to 1e-5 on held-out dialogues).

This is inference only, for one architecture (the hierarchical one, "last" or
"attention" pooling); training, ``explain_attention`` and everything
scikit-learn stay with the estimator.
"""

from __future__ import annotations

import numpy as np

from .._vocabulary import LSTM_RECIPES, encode_ids, hierarchy_rows

__all__ = ["HierarchicalRuntime", "RECIPE"]

# The tokenization of the registry's H-LSTM (the tokenizer keeps the last
# max_len tokens of a turn: truncating="pre"); a test checks it against the
# registry's tokenizer, so that both paths read a dialogue alike.
RECIPE = {"max_turns": LSTM_RECIPES["H-LSTM"].max_turns, "max_len": LSTM_RECIPES["H-LSTM"].max_len, "truncating": "pre"}


def _sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # no overflow warning for large |x|


def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


class _LSTM:
    """One unidirectional LSTM layer with PyTorch's weight layout (gates i, f, g, o)."""

    def __init__(self, tensors, prefix):
        self.w_ih = tensors[f"{prefix}.weight_ih_l0"].T.copy()  # (in, 4H)
        self.w_hh = tensors[f"{prefix}.weight_hh_l0"].T.copy()  # (H, 4H)
        self.bias = tensors[f"{prefix}.bias_ih_l0"] + tensors[f"{prefix}.bias_hh_l0"]
        self.hidden = self.w_hh.shape[0]

    def states(self, x):
        """Every hidden state ``(L, H)`` of the sequence ``x`` ``(L, in)``."""
        H = self.hidden
        pre = x @ self.w_ih + self.bias
        h = np.zeros(H, dtype=np.float32)
        c = np.zeros(H, dtype=np.float32)
        out = np.empty((len(x), H), dtype=np.float32)
        for t in range(len(x)):
            g = pre[t] + h @ self.w_hh
            i, f, o = _sigmoid(g[:H]), _sigmoid(g[H : 2 * H]), _sigmoid(g[3 * H :])
            c = f * c + i * np.tanh(g[2 * H : 3 * H])
            h = o * np.tanh(c)
            out[t] = h
        return out


class HierarchicalRuntime:
    """Scores of a shipped hierarchical encoder with its softmax head, in NumPy.

    Parameters
    ----------
    tensors : dict of str to ndarray
        The artifact's weights (as read by ``read_artifact``; float16 or float32).
    data : dict
        The artifact's JSON (vocabulary, classes, pooling, tokenizer).

    Attributes
    ----------
    classes_ : ndarray of object
        The emojis, in the order of the scores.

    Examples
    --------
    >>> from sklearn_emoji.pretrained import runtime
    >>> rt = runtime("weibo-10")
    >>> p = rt.predict_proba([["今天下大雨", "我没带伞"]])
    >>> p.shape, round(float(p.sum()), 5)
    ((1, 10), 1.0)
    """

    def __init__(self, tensors, data):
        if data.get("architecture") != "hierarchical":
            raise ValueError(f"the NumPy runtime runs hierarchical encoders only, got {data.get('architecture')!r}")
        t = {k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}
        self.embedding = t["embedding.weight"]
        self.word_lstm = _LSTM(t, "word_lstm")
        self.turn_lstm = _LSTM(t, "turn_lstm")
        attention = data.get("pooling") == "attention"
        self.word_score = t["word_attention.score.weight"][0] if attention else None
        self.turn_score = t["turn_attention.score.weight"][0] if attention else None
        self.out_w = t["output.weight"].T.copy()
        self.out_b = t["output.bias"]
        self.vocabulary = data["vocabulary"]
        self.chars = data.get("info", {}).get("tokenizer", "words") == "chars"
        self.classes_ = np.asarray(data["classes"], dtype=object)

    def _tokens(self, text):
        from ..text import cached_tokenize, cached_tokenize_chars

        return (cached_tokenize_chars if self.chars else cached_tokenize)(text)

    def _turn_ids(self, dialogue):
        """The ids of each kept turn, by the tokenizers' own rules (``hierarchy_rows``, ``encode_ids``)."""
        (kept,), turns, rows = hierarchy_rows([dialogue], RECIPE["max_turns"])
        out = np.zeros((len(kept), RECIPE["max_len"]), dtype=np.int64)
        tokens = [self._tokens(t) for t in turns]
        encode_ids(tokens, self.vocabulary, out, rows, RECIPE["max_len"], RECIPE["truncating"])
        return [row[row != 0] for row in out]  # real ids are never 0 (padding)

    @staticmethod
    def _pool(states, score):
        if score is None:
            return states[-1]
        return _softmax(states @ score) @ states

    def _proba(self, dialogue):
        turns = self._turn_ids(dialogue)
        vectors = np.stack([self._pool(self.word_lstm.states(self.embedding[ids]), self.word_score) for ids in turns])
        dialogue_vector = self._pool(self.turn_lstm.states(vectors), self.turn_score)
        return _softmax(dialogue_vector @ self.out_w + self.out_b)

    def predict_proba(self, X):
        """Scores ``(n_samples, n_classes)``; columns follow :attr:`classes_`.

        Parameters
        ----------
        X : list of (str or list of str)
            Posts or dialogues (turns oldest first).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        from .._validation import check_dialogues

        return np.stack([self._proba(d) for d in check_dialogues(X)])
