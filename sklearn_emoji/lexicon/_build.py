"""Pure functions that build the lexicon from sufficient statistics.

:func:`build_lexicon` runs the four stages of the model (keywords and seeds,
siblings, phrases, repeat keys) on a :class:`~._statistics.Statistics` value
and returns a frozen :class:`Lexicon`; nothing else is read or written, so
cross-fitting builds fold lexicons side by side with the fitted one. The
reading of the paper behind every stage is in the package documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import scipy.sparse as sp

from ._encoding import N_RESERVED, ngram_tokens
from ._statistics import _resize

#: A starting list of intensifiers (English and Chinese); the model learns its
#: own keys from the data unless ``multiplication_keys`` restricts it to a list.
DEFAULT_MULTIPLICATION_KEYS = (
    "so",
    "very",
    "really",
    "soooo",
    "sooo",
    "too",
    "much",
    "lol",
    "lmao",
    "omg",
    "haha",
    "hahaha",
    "!!",
    "!!!",
    "!!!!",
    "love",
    "always",
    "太",
    "好",
    "超",
    "真",
    "真的",
    "非常",
    "特别",
    "最",
    "哈哈",
    "哈哈哈",
    "哈哈哈哈",
    "呵呵",
    "好好",
    "笑死",
    "！！",
    "！！！",
    "啊",
    "啊啊啊",
    "了",
)


@dataclass(frozen=True)
class LexiconParams:
    """The estimator parameters the build reads (see the estimators for their meaning)."""

    n_keywords: int | None
    weighting: str
    min_df: int
    smoothing: float
    max_iter: int
    n_siblings: int
    sibling_decay: float
    min_sibling_weight: float
    granularity: float
    multiplication_keys: object
    min_multiplication_support: int
    multiplication_threshold: float
    multiplication_smoothing: float

    @classmethod
    def of(cls, estimator):
        return cls(**{f.name: getattr(estimator, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Lexicon:
    """A built lexicon. Matrices are term x emoji, emojis in first-seen order.

    ``keywords`` holds the keyword and seed weights (``seeds``: emoji index
    -> token ids), ``siblings`` the sibling weights with the enrichment
    ``sibling_iteration`` that found each, ``bigrams``/``trigrams`` the
    phrase weights, ``repeat_keys`` the average count of the emoji when the
    key is present (``repeat_support``: its texts); ``base_mode`` is each
    emoji's most frequent count.
    """

    prior: np.ndarray
    seeds: dict
    keywords: sp.csr_matrix
    siblings: sp.csr_matrix
    sibling_iteration: sp.csr_matrix
    n_iter: int
    bigrams: sp.csr_matrix
    trigrams: sp.csr_matrix
    repeat_keys: sp.csr_matrix
    repeat_support: sp.csr_matrix
    base_mode: np.ndarray
    max_count: int


def term_weights(class_term_df, class_df, term_df, n_texts, prior, params):
    """Lift (log) and TF-IDF of every (emoji, term) with enough support and a positive lift.

    Returns the emoji indices, term indices, lifts and TF-IDF values.
    """
    D = class_term_df.tocoo()
    keep = D.data >= params.min_df
    r, c, d = D.row[keep], D.col[keep], D.data[keep]
    s = params.smoothing
    p = prior[r]
    lift = np.log((d + s * p) / ((term_df[c] + s) * p))
    tfidf = d / np.maximum(class_df[r], 1) * np.log((n_texts + 1.0) / (term_df[c] + 1.0))
    pos = lift > 0
    return r[pos], c[pos], lift[pos], tfidf[pos]


def keyword_stage(labels, prior, seed_pairs, params):
    """Unigram keywords (TF-IDF selection, lift or TF-IDF weights) and seeds.

    ``seed_pairs`` lists the (emoji index, token id) pairs forced into the
    lexicon (None when no seed keywords were given). Returns the term x
    emoji keyword matrix and the seeds, emoji index -> token ids.
    """
    C, V = labels.class_unigram_df.shape
    r, c, lift, tfidf = term_weights(
        labels.class_unigram_df, labels.class_df, labels.unigram_df, max(labels.n_texts, 1), prior, params
    )
    # every emoji's candidates by decreasing TF-IDF, equal ones in first-seen token order
    order = np.lexsort((c, -tfidf, r))
    r, c, lift, tfidf = r[order], c[order], lift[order], tfidf[order]
    rank = np.arange(len(r)) - np.searchsorted(r, r)
    if params.n_keywords is not None:
        sel = rank < params.n_keywords
        r, c, lift, tfidf, rank = r[sel], c[sel], lift[sel], tfidf[sel], rank[sel]
    K = sp.csr_matrix((lift if params.weighting == "lift" else tfidf, (c, r)), shape=(V, C))
    seeds = {}
    if seed_pairs is not None:
        colmax = K.max(axis=0).toarray().ravel() if K.nnz else np.zeros(C)
        K = K.tolil()
        for ci, j in seed_pairs:
            K[j, ci] = max(colmax[ci], 1e-3)
            seeds.setdefault(ci, []).append(j)
        K = K.tocsr()
    for ci, j in zip(r[rank == 0].tolist(), c[rank == 0].tolist()):  # the strongest TF-IDF keyword
        seeds.setdefault(ci, [j])  # is the seed of an unseeded emoji
    return K, seeds


def top_k_per_column(S, k):
    """Boolean mask of the ``k`` largest values of every column of ``S``.

    Of equal values the one in the lower row wins: rows are token ids, which
    follow the order in which the tokens were first seen, so the choice does
    not depend on where the ids start nor on how the selection algorithm
    moves entries around (``np.argpartition`` alone breaks ties by position).

    Examples
    --------
    >>> import numpy as np
    >>> S = np.array([[1.0, 0.0], [3.0, 2.0], [3.0, 2.0], [0.0, 2.0]])
    >>> top_k_per_column(S, 2).astype(int).tolist()
    [[0, 0], [1, 1], [1, 1], [0, 0]]
    """
    if k <= 0 or k >= S.shape[0]:
        return np.full(S.shape, k > 0)
    kth = -np.partition(-S, k - 1, axis=0)[k - 1]  # the k-th largest value of each column
    above, tied = S > kth, S == kth
    room = k - above.sum(axis=0)  # places left for the values equal to the k-th
    return above | (tied & (np.cumsum(tied, axis=0, dtype=np.int32) <= room))


def environment_matrix(M):
    """Row-normalised, idf-weighted token x environment-pair matrix (None when empty)."""
    M = M.tocsc()
    col_nnz = np.diff(M.indptr)
    keep = np.nonzero(col_nnz >= 2)[0]
    M = M[:, keep].tocsr()
    if M.nnz == 0:
        return None
    M.data = np.log1p(M.data)
    n_words = max(int((np.diff(M.indptr) > 0).sum()), 2)
    M = M @ sp.diags(np.log(n_words / col_nnz[keep]))
    norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags(1.0 / norms) @ M).tocsr().astype(np.float32)


def sibling_stage(K, environments, params):
    """Siblings through shared environment pairs, over enrichment iterations.

    Returns the sibling weights, the iteration that found each sibling and
    the number of iterations run.
    """
    V, C = K.shape
    sib = sp.csr_matrix((V, C))
    sib_iter = sp.csr_matrix((V, C))
    n_iter = 0
    Mn = environment_matrix(environments) if params.max_iter and params.n_siblings else None
    if Mn is None or not K.nnz:
        return sib, sib_iter, n_iter
    if Mn.shape[0] < V:
        Mn = _resize(Mn, (V, Mn.shape[1]))
    mass = np.asarray(Mn @ np.asarray(Mn.sum(axis=0)).ravel()).ravel()
    mass[mass == 0] = 1.0
    Kd = K.toarray().astype(np.float32)
    Kd[:N_RESERVED] = 0
    for it in range(1, params.max_iter + 1):
        E = Mn.T @ Kd  # environment of every emoji (ENV(emoji))
        S = (Mn @ E) / mass[:, None]
        S[Kd > 0] = 0.0
        S[:N_RESERVED] = 0.0
        S[S < params.min_sibling_weight] = 0.0
        if not S.any():
            break
        rr, cc = np.nonzero(top_k_per_column(S, params.n_siblings) & (S > 0))
        if not len(rr):
            break
        ww = (params.sibling_decay * S[rr, cc]).astype(np.float32)
        Kd[rr, cc] = ww
        sib = sib + sp.csr_matrix((ww, (rr, cc)), shape=(V, C))
        sib_iter = sib_iter + sp.csr_matrix((np.full(len(rr), it, np.float32), (rr, cc)), shape=(V, C))
        n_iter = it
    return sib.tocsr(), sib_iter.tocsr(), n_iter


def phrase_stage(labels, vocab, in_lexicon, prior, params):
    """Bi-gram and tri-gram weights of phrases related to the emoji's lexicon.

    ``in_lexicon`` is the dense boolean term x emoji matrix of the unigram
    lexicon (keywords and siblings). Returns the two phrase x emoji matrices.
    """
    C = len(labels.class_df)
    out = []
    for Dc, df, index, n in (
        (labels.class_bigram_df, labels.bigram_df, vocab.bigrams, 2),
        (labels.class_trigram_df, labels.trigram_df, vocab.trigrams, 3),
    ):
        P = Dc.shape[1]
        if params.granularity == 0 or P == 0:
            out.append(sp.csr_matrix((P, C)))
            continue
        r, c, lift, tfidf = term_weights(Dc, labels.class_df, df, max(labels.n_texts, 1), prior, params)
        related = np.zeros(len(c), dtype=bool)
        for comp in ngram_tokens(index.keys[c], n):
            related |= in_lexicon[comp, r]
        w = (lift if params.weighting == "lift" else tfidf)[related] * params.granularity
        out.append(sp.csr_matrix((w, (c[related], r[related])), shape=(P, C)))
    return tuple(out)


def repeat_key_stage(labels, vocab, params):
    """Multiplication keys from collaborative average counts.

    Returns the key x emoji average counts, their support and every emoji's
    most frequent count.
    """
    V, C = len(vocab), len(labels.class_df)
    base_avg = np.where(labels.base_n > 0, labels.base_sum / np.maximum(labels.base_n, 1), 1.0)
    g0 = labels.base_sum.sum() / max(labels.base_n.sum(), 1)
    gsum = np.asarray(labels.count_sum.sum(axis=1)).ravel()
    gsup = np.asarray(labels.count_support.sum(axis=1)).ravel()
    k = params.multiplication_smoothing
    gavg = (gsum + k * g0) / (gsup + k) if k > 0 else np.where(gsup > 0, gsum / np.maximum(gsup, 1), g0)
    msum = labels.count_sum.tocoo()
    rr, cc = msum.row, msum.col
    sup = np.asarray(labels.count_support.tocsr()[rr, cc]).ravel()
    avg = (msum.data + k * base_avg[cc] * gavg[rr] / g0) / (sup + k)
    ok = (sup >= params.min_multiplication_support) & (avg >= base_avg[cc] + params.multiplication_threshold)
    ok &= rr >= N_RESERVED
    mk = params.multiplication_keys
    if mk is not None:
        allowed = np.zeros(V, dtype=bool)
        for t in DEFAULT_MULTIPLICATION_KEYS if mk == "default" else mk:
            j = vocab.index.get(t)
            if j is not None:
                allowed[j] = True
        ok &= allowed[rr]
    H = labels.count_hist[:, 1:]
    base_mode = np.where(H.sum(axis=1) > 0, H.argmax(axis=1) + 1, 1)
    return (
        sp.csr_matrix((avg[ok], (rr[ok], cc[ok])), shape=(V, C)),
        sp.csr_matrix((sup[ok], (rr[ok], cc[ok])), shape=(V, C)),
        base_mode,
    )


def build_lexicon(stats, vocab, seed_pairs, params):
    """Build the lexicon from statistics.

    Parameters
    ----------
    stats : Statistics
    vocab : Vocabulary
        Read only (token ids and n-gram keys).
    seed_pairs : list of (int, int) or None
        (emoji index, token id) of the seed keywords; None without seeds.
    params : LexiconParams

    Returns
    -------
    Lexicon
    """
    labels = stats.labels
    prior = np.maximum(labels.class_df, 0.5) / max(labels.class_df.sum(), 1.0)
    K, seeds = keyword_stage(labels, prior, seed_pairs, params)
    sib, sib_iter, n_iter = sibling_stage(K, stats.environments, params)
    W2, W3 = phrase_stage(labels, vocab, (K + sib).toarray() > 0, prior, params)
    mult, mult_support, base_mode = repeat_key_stage(labels, vocab, params)
    return Lexicon(prior, seeds, K, sib, sib_iter, n_iter, W2, W3, mult, mult_support, base_mode, labels.max_count)
