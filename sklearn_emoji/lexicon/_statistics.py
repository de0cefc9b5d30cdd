"""Sufficient statistics of the lexicon, as named, mergeable values.

Everything the lexicon is built from is a sum over texts, so statistics of
new texts are *added* to the stored ones (:meth:`Statistics.merge`) and the
lexicon is rebuilt from the sum: that is ``partial_fit``. Cross-fitting
swaps the label statistics for those of a fold's training part
(:meth:`Statistics.with_labels`) and builds a fold lexicon from the result;
nothing is written in place.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import scipy.sparse as sp


def _pad(a, n):
    return np.pad(a, (0, n - len(a)))


def _resize(m, shape):
    m = m.tocsr()
    if m.shape != shape:
        m = m.copy()
        m.resize(shape)
    return m


def _merge_hist(H, h):
    width = max(H.shape[1], h.shape[1])
    return np.pad(H, ((0, 0), (0, width - H.shape[1]))) + np.pad(h, ((0, 0), (0, width - h.shape[1])))


@dataclass(frozen=True)
class LabelStatistics:
    """Statistics of labelled texts (C emojis, V tokens, P2 bi-grams, P3 tri-grams).

    Attributes
    ----------
    n_texts : int
        Labelled texts.
    class_df : ndarray (C,)
        Texts carrying each emoji.
    unigram_df, bigram_df, trigram_df : ndarray (V,), (P2,), (P3,)
        Labelled texts holding each term.
    class_unigram_df, class_bigram_df, class_trigram_df : sparse (C, V), (C, P2), (C, P3)
        Texts holding the term and carrying the emoji.
    count_sum, count_support : sparse (V, C)
        For every reply token and emoji: the emoji's summed count over the
        texts holding both, and the number of such texts.
    base_sum, base_n : ndarray (C,)
        Summed count of each emoji and the texts carrying it.
    max_count : int
        Largest count of one emoji in one text.
    count_hist : ndarray (C, max_count + 1)
        How many texts carry each emoji how many times.
    """

    n_texts: int
    class_df: np.ndarray
    unigram_df: np.ndarray
    bigram_df: np.ndarray
    trigram_df: np.ndarray
    class_unigram_df: sp.csr_matrix
    class_bigram_df: sp.csr_matrix
    class_trigram_df: sp.csr_matrix
    count_sum: sp.csr_matrix
    count_support: sp.csr_matrix
    base_sum: np.ndarray
    base_n: np.ndarray
    max_count: int
    count_hist: np.ndarray

    @classmethod
    def empty(cls):
        z = np.zeros(0)
        e = sp.csr_matrix((0, 0))
        return cls(0, z, z, z, z, e, e, e, e, e, z, z, 1, np.zeros((0, 2)))

    @classmethod
    def from_texts(cls, enc, Y):
        """Statistics of encoded labelled texts; ``Y`` is the sparse (n, C) emoji-count matrix."""
        B1, B2, B3, Br = enc.unigrams, enc.bigrams, enc.trigrams, enc.reply
        Yb = Y.copy()
        Yb.data[:] = 1.0
        YbT = Yb.T.tocsr()
        Yc = Y.tocoo()
        hist = np.zeros((Y.shape[1], int(Yc.data.max()) + 1 if Y.nnz else 2))
        np.add.at(hist, (Yc.col, Yc.data.astype(np.int64)), 1.0)
        return cls(
            n_texts=B1.shape[0],
            class_df=np.asarray(Yb.sum(axis=0)).ravel(),
            unigram_df=np.asarray(B1.sum(axis=0)).ravel(),
            bigram_df=np.asarray(B2.sum(axis=0)).ravel(),
            trigram_df=np.asarray(B3.sum(axis=0)).ravel(),
            class_unigram_df=(YbT @ B1).tocsr(),
            class_bigram_df=(YbT @ B2).tocsr(),
            class_trigram_df=(YbT @ B3).tocsr(),
            count_sum=(Br.T @ Y).tocsr(),
            count_support=(Br.T @ Yb).tocsr(),
            base_sum=np.asarray(Y.sum(axis=0)).ravel(),
            base_n=np.asarray(Yb.sum(axis=0)).ravel(),
            max_count=int(Y.max()) if Y.nnz else 1,
            count_hist=hist,
        )

    def resized(self, C, V, P2, P3):
        """The same statistics over grown class, token and n-gram sets (zeros for the new ones)."""
        return replace(
            self,
            class_df=_pad(self.class_df, C),
            base_sum=_pad(self.base_sum, C),
            base_n=_pad(self.base_n, C),
            count_hist=np.pad(self.count_hist, ((0, C - self.count_hist.shape[0]), (0, 0))),
            unigram_df=_pad(self.unigram_df, V),
            bigram_df=_pad(self.bigram_df, P2),
            trigram_df=_pad(self.trigram_df, P3),
            class_unigram_df=_resize(self.class_unigram_df, (C, V)),
            class_bigram_df=_resize(self.class_bigram_df, (C, P2)),
            class_trigram_df=_resize(self.class_trigram_df, (C, P3)),
            count_sum=_resize(self.count_sum, (V, C)),
            count_support=_resize(self.count_support, (V, C)),
        )

    def merge(self, other):
        """Sum of two statistics of the same shape."""
        summed = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name not in ("max_count", "count_hist")
        }
        return LabelStatistics(
            **summed,
            max_count=max(self.max_count, other.max_count),
            count_hist=_merge_hist(self.count_hist, other.count_hist),
        )


@dataclass(frozen=True)
class Statistics:
    """Everything the lexicon is built from.

    Attributes
    ----------
    labels : LabelStatistics
        Statistics of the labelled texts.
    environments : sparse (V, n_environment_pairs)
        Occurrences of every token in every environment pair, over all texts
        (labelled or not).
    n_unlabelled : int
        Unlabelled texts seen.
    """

    labels: LabelStatistics
    environments: sp.csr_matrix
    n_unlabelled: int = 0

    @classmethod
    def empty(cls):
        return cls(LabelStatistics.empty(), sp.csr_matrix((0, 0)))

    @property
    def n_classes(self):
        return len(self.labels.class_df)

    def merge(self, enc, Y, shape):
        """These statistics plus those of newly encoded texts (``Y=None``: unlabelled).

        ``shape`` is ``(C, V, P2, P3, n_environment_pairs)`` after the texts
        grew the vocabulary.
        """
        C, V, P2, P3, NE = shape
        labels = self.labels.resized(C, V, P2, P3)
        M = _resize(self.environments, (V, NE))
        if enc.environments is not None:
            words, cid = enc.environments
            M = M + sp.csr_matrix((np.ones(len(words)), (words, cid)), shape=M.shape)
        if Y is None:
            return Statistics(labels, M, self.n_unlabelled + enc.n)
        return Statistics(labels.merge(LabelStatistics.from_texts(enc, Y)), M, self.n_unlabelled)

    def with_labels(self, labels):
        """The same environments with other label statistics (a cross-fitting fold)."""
        return replace(self, labels=labels)
