"""Scoring texts with a built lexicon, emojis in sorted (``classes_``) order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._statistics import _resize


def softmax(s):
    """Row-wise softmax, in place."""
    s = s - s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    return s


@dataclass(frozen=True)
class Scorer:
    """The lexicon's weights with the emojis sorted: what prediction reads."""

    classes: np.ndarray
    keywords: sp.csr_matrix
    siblings: sp.csr_matrix
    bigrams: sp.csr_matrix
    trigrams: sp.csr_matrix
    repeat_keys: sp.csr_matrix
    log_prior: np.ndarray
    base_count: np.ndarray
    max_count: int

    @classmethod
    def of(cls, lexicon, internal_classes):
        """Permute a :class:`~._build.Lexicon` (first-seen emoji order) to sorted order."""
        internal = np.array(internal_classes, dtype=object)
        try:  # the labels' own order, as np.unique(y) gives it (integers by value, not as text)
            order = np.array(sorted(range(len(internal)), key=internal.__getitem__), dtype=np.intp)
        except TypeError:  # pragma: no cover - labels of one type always compare
            order = np.argsort(internal.astype(str), kind="stable")
        n = len(order)
        P = sp.csr_matrix((np.ones(n), (order, np.arange(n))), shape=(n, n))
        return cls(
            classes=internal[order],
            keywords=lexicon.keywords.tocsr() @ P,
            siblings=lexicon.siblings @ P,
            bigrams=lexicon.bigrams @ P,
            trigrams=lexicon.trigrams @ P,
            repeat_keys=lexicon.repeat_keys @ P,
            log_prior=np.log(lexicon.prior[order]),
            base_count=lexicon.base_mode[order].astype(int),
            max_count=lexicon.max_count,
        )

    def layers(self, enc):
        """Per-layer scores (keywords, siblings, phrases): three dense (n, n_classes) arrays."""
        B1 = enc.unigrams
        V = self.keywords.shape[0]
        if B1.shape[1] != V:
            B1 = _resize(B1, (B1.shape[0], V))
        kw = np.asarray((B1 @ self.keywords).todense())
        sib = np.asarray((B1 @ self.siblings).todense())
        phr = np.asarray((enc.bigrams @ self.bigrams).todense()) + np.asarray((enc.trigrams @ self.trigrams).todense())
        return kw, sib, phr

    def counts(self, enc):
        """Predicted repeat count of every emoji in every text (int, >= 1)."""
        B = _resize(enc.reply, (enc.n, self.repeat_keys.shape[0]))
        counts = np.tile(self.base_count.astype(float), (enc.n, 1))
        M = self.repeat_keys.tocsc()
        for c in range(len(self.classes)):
            col = M[:, c]
            if col.nnz:
                best = np.asarray(B.multiply(col.T).max(axis=1).todense()).ravel()
                counts[:, c] = np.maximum(counts[:, c], best)
        return np.clip(np.rint(counts), 1, max(self.max_count, 1)).astype(int)
