"""Weighted multi-layer sibling lexicon (Idrees & Al-Solami, 2024).

The model builds its own text-to-emoji lexicon from the training texts, with
no outside resource, and recommends emojis (with a repeat count) from it.
Everything is computed with sparse matrix products over sufficient
statistics, so :meth:`LexiconEmojiRecommender.partial_fit` can add texts
(labelled or not) without refitting from scratch.

Reading of the paper
--------------------
The paper gives definitions (its equations 1-21) but its pseudo code and
tables are missing from the published text, so the following choices were
made; each was measured on TweetEval (validation split) and the Weibo
dialogues (see ``benchmarks/lexicon_results.py``):

* **Keywords.** A token is a candidate keyword of an emoji when it occurs in
  at least ``min_df`` training texts carrying that emoji and its smoothed
  association with the emoji is positive. The *association* (the weight
  used for scoring) is the smoothed log-lift
  ``log P(emoji | token) / P(emoji)`` with
  ``P(emoji | token) = (df(token, emoji) + s P(emoji)) / (df(token) + s)``
  (``s = smoothing``). Keywords are *selected* by the paper's TF-IDF
  (``df(token, emoji) / n(emoji) * idf(token)``), the ``n_keywords``
  strongest per emoji. ``weighting="tfidf"`` uses the TF-IDF value itself
  as the weight (the most literal reading); it ranks worse on real data.
* **Seed keyword.** ``seed_keywords`` forces given tokens into an emoji's
  lexicon with the emoji's largest keyword weight; without it the seed is
  the strongest TF-IDF keyword (reported in :meth:`lexicon_table`).
* **Environments and siblings.** Every token occurrence has four
  environment pairs (prefix, postfix): (1-token prefix, 1-token postfix),
  (2, 1), (1, 2) and (2, 2); sentence boundaries are tokens too. A
  token-by-environment-pair matrix is collected from *every* text seen
  (labelled or not), pairs seen with a single token are dropped, pairs are
  idf-weighted and rows L2-normalised. The environment of an emoji is the
  weighted sum of its keywords' rows (``ENV(emoji)``, equation 13); a
  token's sibling score for the emoji is the similarity-weighted average of
  the emoji's lexicon weights over the tokens sharing its environment pairs.
  Each enrichment iteration adds, per emoji, the ``n_siblings`` best tokens
  not yet in its lexicon whose score is at least ``min_sibling_weight``,
  with weight ``sibling_decay * score``; the next iteration uses the
  enlarged lexicon. It stops when an iteration finds no new sibling or
  after ``max_iter`` iterations (the paper stops after three).
* **Granularity.** Bi-grams and tri-grams are weighted the same way as
  unigrams, kept for an emoji only when one of their tokens is in that
  emoji's lexicon (the "relationship between keywords"), and multiplied by
  ``granularity``; they add to the unigram evidence, so a matching phrase
  counts more than its loose words.
* **Scoring.** The score of an emoji is the sum of the weights of the
  lexicon entries present in the text (each counted once) plus
  ``prior_weight * log P(emoji)``; ``predict_proba`` is its softmax.
  The recommended *set* keeps the emojis whose probability is at least
  ``set_threshold`` times the best one's (at most ``max_set_size``): the
  paper's "minimised" set.
* **Multiplication.** From training targets with repeated emojis (e.g.
  ``["[哈哈]", "[哈哈]"]``) the model averages, for every token of the
  reply (the last turn: the text the emojis were in; context turns such as
  a root post shared by many replies only learn spurious keys) and emoji,
  the emoji's count in the texts holding the token (equation 19), shrunk
  towards the token's average over all emojis times the emoji's base count
  ("collaborative weighting", ``multiplication_smoothing`` pseudo-texts).
  A token is a multiplication key of an emoji when it occurs in at least
  ``min_multiplication_support`` such texts and its average exceeds the
  emoji's base average count by at least ``multiplication_threshold``.
  The predicted count is the rounded largest average among the keys
  present, else the emoji's most frequent count (its mode).
* **Continuous enrichment.** ``partial_fit`` adds the new texts' counts to
  the stored statistics and rebuilds the lexicon: labelled texts update
  keywords, phrases and multiplication keys; unlabelled texts (``y=None``)
  update the environment matrix (and so the siblings: new words that live
  in the surroundings of known keywords join the lexicon).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from ._validation import check_dialogues
from .emojis import find_emojis, strip_emojis
from .text import tokenize

__all__ = [
    "LexiconEmojiRecommender",
    "SiblingLexiconFeatures",
    "extract_emoji_targets",
    "DEFAULT_MULTIPLICATION_KEYS",
]

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

_BOS, _EOS, _UNK = 0, 1, 2  # reserved token ids; real tokens start at 3
_MAXBITS = 21  # exact n-gram keys while the vocabulary has < 2**21 tokens
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------
class _KeyIndex:
    """Grow-only map from uint64 keys to compact ids (vectorised)."""

    def __init__(self):
        self.keys = np.empty(0, dtype=np.uint64)
        self._sorted = np.empty(0, dtype=np.uint64)
        self._sorted_ids = np.empty(0, dtype=np.int64)

    def __len__(self):
        return len(self.keys)

    def lookup(self, keys, add=False):
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys) == 0:
            return np.empty(0, dtype=np.int64)
        uniq, inv = np.unique(keys, return_inverse=True)
        if len(self._sorted):
            pos = np.searchsorted(self._sorted, uniq)
            pos_c = np.minimum(pos, len(self._sorted) - 1)
            found = self._sorted[pos_c] == uniq
            ids = np.where(found, self._sorted_ids[pos_c], -1)
        else:
            found = np.zeros(len(uniq), dtype=bool)
            ids = np.full(len(uniq), -1, dtype=np.int64)
        if add and not found.all():
            new = uniq[~found]
            new_ids = np.arange(len(self.keys), len(self.keys) + len(new), dtype=np.int64)
            ids[~found] = new_ids
            self.keys = np.concatenate([self.keys, new])
            order = np.argsort(self.keys, kind="stable")
            self._sorted = self.keys[order]
            self._sorted_ids = order.astype(np.int64)
        return ids[inv]


def _mix(h, v):
    """64-bit hash mixing (wrap-around arithmetic on uint64 arrays)."""
    with np.errstate(over="ignore"):
        h = (h ^ v.astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h


def _resize(m, shape):
    m = m.tocsr()
    if m.shape != shape:
        m = m.copy()
        m.resize(shape)
    return m


def _softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    return s


def _is_multi(v):
    return isinstance(v, (list, tuple, np.ndarray)) and not isinstance(v, str)


def extract_emoji_targets(X, *, unicode=True, weibo=True):
    """Split raw texts or dialogues into emoji-free inputs and emoji targets.

    The targets are the emojis of the reply (the last turn), in order with
    repeats kept, which is what the multiplication layer of
    :class:`LexiconEmojiRecommender` learns counts from. Every turn is
    returned with its emojis removed.

    Parameters
    ----------
    X : list of str or list of list of str
        Raw texts (one-turn dialogues) or dialogues whose reply still holds
        its emojis.
    unicode, weibo : bool, default=True
        Which kinds of emoji to extract (see
        :func:`sklearn_emoji.emojis.find_emojis`).

    Returns
    -------
    X_clean : list
        The inputs without emojis (``str`` when the input was a ``str``,
        else a list of turns).
    y : list of list of str
        The reply's emojis per sample; an empty list when it has none.

    Examples
    --------
    >>> from sklearn_emoji.lexicon import extract_emoji_targets
    >>> extract_emoji_targets(["太好笑了[哈哈][哈哈]", ["新闻", "难过[泪]"]])
    (['太好笑了', ['新闻', '难过']], [['[哈哈]', '[哈哈]'], ['[泪]']])
    """
    if X is None or isinstance(X, (str, bytes)):
        raise TypeError("X must be a list of texts or dialogues")
    X_out, y = [], []
    for i, d in enumerate(X):
        if isinstance(d, str):
            y.append(find_emojis(d, unicode=unicode, weibo=weibo))
            X_out.append(strip_emojis(d, unicode=unicode, weibo=weibo))
        elif _is_multi(d) and len(d) and all(isinstance(t, str) for t in d):
            y.append(find_emojis(d[-1], unicode=unicode, weibo=weibo))
            X_out.append([strip_emojis(t, unicode=unicode, weibo=weibo) for t in d])
        else:
            raise TypeError(f"sample {i} of X must be a str or a non-empty list of str")
    return X_out, y


# --------------------------------------------------------------------------
# shared machinery
# --------------------------------------------------------------------------
class _LexiconBase(BaseEstimator):
    """Parameters, encoding, statistics and lexicon building shared by both estimators."""

    # ---------------------------------------------------------------- checks
    def _check_params(self):
        def num(name, lo, hi=None, lo_open=False, integer=False, none_ok=False):
            v = getattr(self, name)
            if v is None and none_ok:
                return
            kind = numbers.Integral if integer else numbers.Real
            if isinstance(v, bool) or not isinstance(v, kind):
                raise TypeError(f"{name} must be a {'int' if integer else 'number'}, got {v!r}")
            if (v <= lo if lo_open else v < lo) or (hi is not None and v > hi):
                raise ValueError(
                    f"{name} must be {'>' if lo_open else '>='} {lo}"
                    + (f" and <= {hi}" if hi is not None else "")
                    + f", got {v!r}"
                )

        if self.tokenizer is not None and not callable(self.tokenizer):
            raise TypeError(f"tokenizer must be callable or None, got {self.tokenizer!r}")
        if self.turns not in ("all", "reply"):
            raise ValueError(f"turns must be 'all' or 'reply', got {self.turns!r}")
        if self.weighting not in ("lift", "tfidf"):
            raise ValueError(f"weighting must be 'lift' or 'tfidf', got {self.weighting!r}")
        num("n_keywords", 1, integer=True, none_ok=True)
        num("min_df", 1, integer=True)
        num("smoothing", 0, lo_open=True)
        num("max_iter", 0, integer=True)
        num("n_siblings", 0, integer=True)
        num("sibling_decay", 0)
        num("min_sibling_weight", 0)
        num("granularity", 0)
        if hasattr(self, "prior_weight"):
            num("prior_weight", 0)
        num("min_multiplication_support", 1, integer=True)
        num("multiplication_threshold", 0)
        num("multiplication_smoothing", 0)
        if self.seed_keywords is not None and not isinstance(self.seed_keywords, Mapping):
            raise TypeError("seed_keywords must be a dict {emoji: keyword or list of keywords} or None")
        mk = self.multiplication_keys
        if mk is not None and mk != "default" and (isinstance(mk, str) or not all(isinstance(t, str) for t in mk)):
            raise TypeError("multiplication_keys must be None, 'default' or a list of str")

    # -------------------------------------------------------------- targets
    @staticmethod
    def _check_targets(y, n, allow_none=False, allow_empty=False):
        """Return a list of lists of emoji labels (repeats kept)."""
        if y is None:
            if allow_none:
                return None
            raise TypeError("y is None; this estimator needs the emoji(s) of every training text")
        if isinstance(y, str):
            raise TypeError("y must be a list of labels, got a single str")
        if hasattr(y, "tolist") and not isinstance(y, list):
            y = y.tolist()
        try:
            y = list(y)
        except TypeError:
            raise TypeError(f"y must be a list of labels, got {type(y).__name__}") from None
        if len(y) != n:
            raise ValueError(f"X and y have different lengths: {n} samples in X, {len(y)} labels in y")
        out = []
        for i, v in enumerate(y):
            if v is None:
                raise ValueError(f"label {i} of y is None")
            if _is_multi(v):
                v = list(v)
                if not v and not allow_empty:
                    raise ValueError(f"label {i} of y is an empty list; every text needs an emoji")
                for e in v:
                    if not isinstance(e, (str, numbers.Integral)) or isinstance(e, bool):
                        raise TypeError(f"label {i} of y holds {e!r}; emoji labels must be str")
                out.append([e if isinstance(e, str) else int(e) for e in v])
            elif isinstance(v, (str, numbers.Integral)) and not isinstance(v, bool):
                out.append([v if isinstance(v, str) else int(v)])
            else:
                raise TypeError(f"label {i} of y is {type(v).__name__}; expected an emoji str or a list of them")
        kinds = {type(e) for v in out for e in v}
        if len(kinds) > 1:
            raise TypeError("y mixes str and int labels")
        return out

    # ----------------------------------------------------------- tokenizing
    def _tokenize(self, X, what="X"):
        docs = check_dialogues(X, what=what)
        tok = self.tokenizer if self.tokenizer is not None else tokenize
        out = []
        for d in docs:
            turns = d[-1:] if self.turns == "reply" else d
            out.append([tok(t) for t in turns if t])
        return out

    def _init_state(self):
        self.vocabulary_ = {}
        self._inv_vocab = ["<s>", "</s>", "<unk>"]
        self._bigrams = _KeyIndex()
        self._trigrams = _KeyIndex()
        self._contexts = _KeyIndex()
        self._internal_classes = []
        self._class_index = {}
        C, V = 0, len(self._inv_vocab)
        self._st = {
            "n_lab": 0,
            "n_unlab": 0,
            "n_c": np.zeros(C),
            "df1": np.zeros(V),
            "df2": np.zeros(0),
            "df3": np.zeros(0),
            "Dc1": sp.csr_matrix((C, V)),
            "Dc2": sp.csr_matrix((C, 0)),
            "Dc3": sp.csr_matrix((C, 0)),
            "M": sp.csr_matrix((V, 0)),
            "msum": sp.csr_matrix((V, C)),
            "msup": sp.csr_matrix((V, C)),
            "base_sum": np.zeros(C),
            "base_n": np.zeros(C),
            "max_count": 1,
            "hist": np.zeros((C, 2)),
        }

    def _add_seed_vocab(self):
        """Seed keywords join the vocabulary even before a text holds them."""
        tok = self.tokenizer if self.tokenizer is not None else tokenize
        for kws in (self.seed_keywords or {}).values():
            for kw in [kws] if isinstance(kws, str) else list(kws):
                for t in tok(kw):
                    if t not in self.vocabulary_:
                        self.vocabulary_[t] = len(self._inv_vocab)
                        self._inv_vocab.append(t)

    def _encode(self, tok_docs, grow):
        """Token lists -> presence matrices (and context pairs when growing)."""
        vocab = self.vocabulary_
        inv = self._inv_vocab
        flat, seq_doc = [], []
        for i, turns in enumerate(tok_docs):
            for ti, toks in enumerate(turns):
                ids = [_BOS, _BOS]
                for t in toks:
                    j = vocab.get(t)
                    if j is None:
                        if grow:
                            j = len(inv)
                            vocab[t] = j
                            inv.append(t)
                        else:
                            j = _UNK
                    ids.append(j)
                ids += [_EOS, _EOS]
                flat.extend(ids)
                seq_doc.append((i, len(ids), ti == len(turns) - 1))
        n = len(tok_docs)
        V = len(inv)
        if len(inv) >= 2**_MAXBITS:  # pragma: no cover - 2 million distinct tokens
            raise ValueError("vocabulary too large (>= 2**21 distinct tokens)")
        a = np.asarray(flat, dtype=np.int64)
        if seq_doc:
            lens = np.fromiter((q[1] for q in seq_doc), dtype=np.int64, count=len(seq_doc))
            docs = np.fromiter((q[0] for q in seq_doc), dtype=np.int64, count=len(seq_doc))
            last = np.fromiter((q[2] for q in seq_doc), dtype=bool, count=len(seq_doc))
            doc = np.repeat(docs, lens)
            is_reply = np.repeat(last, lens)
        else:
            doc = np.empty(0, dtype=np.int64)
            is_reply = np.empty(0, dtype=bool)
        real = a > _UNK
        known = a >= _UNK
        pos = np.nonzero(real)[0]
        B1 = sp.csr_matrix((np.ones(len(pos)), (doc[pos], a[pos])), shape=(n, V))
        B1.sum_duplicates()
        B1.data[:] = 1.0
        rp = pos[is_reply[pos]]
        Br = sp.csr_matrix((np.ones(len(rp)), (doc[rp], a[rp])), shape=(n, V))
        Br.sum_duplicates()
        Br.data[:] = 1.0
        # n-grams: windows fully inside a sequence, made of known tokens
        L = len(a)
        i2 = np.nonzero(real[: L - 1] & real[1:])[0] if L > 1 else np.empty(0, np.int64)
        i3 = np.nonzero(real[: L - 2] & real[1 : L - 1] & real[2:])[0] if L > 2 else np.empty(0, np.int64)
        A = a.astype(np.uint64)
        k2 = (A[i2] << np.uint64(_MAXBITS)) | A[i2 + 1]
        k3 = (A[i3] << np.uint64(2 * _MAXBITS)) | (A[i3 + 1] << np.uint64(_MAXBITS)) | A[i3 + 2]
        p2 = self._bigrams.lookup(k2, add=grow)
        p3 = self._trigrams.lookup(k3, add=grow)
        m2, m3 = p2 >= 0, p3 >= 0
        B2 = sp.csr_matrix((np.ones(m2.sum()), (doc[i2[m2]], p2[m2])), shape=(n, len(self._bigrams)))
        B3 = sp.csr_matrix((np.ones(m3.sum()), (doc[i3[m3]], p3[m3])), shape=(n, len(self._trigrams)))
        for B in (B2, B3):
            B.sum_duplicates()
            B.data[:] = 1.0
        ctx = None
        if grow and len(pos):
            # environment pairs of every real token: (p1,n1), (p2p1,n1), (p1,n1n2), (p2p1,n1n2)
            p1, p2_, n1, n2 = A[pos - 1], A[pos - 2], A[pos + 1], A[pos + 2]
            keys = []
            for t, parts in enumerate(((p1, n1), (p2_, p1, n1), (p1, n1, n2), (p2_, p1, n1, n2))):
                h = np.full(len(pos), np.uint64(t + 1) * np.uint64(0x100000001B3), dtype=np.uint64)
                for v in parts:
                    h = _mix(h, v)
                keys.append(h)
            keys = np.concatenate(keys)
            cid = self._contexts.lookup(keys, add=True)
            words = np.tile(a[pos], 4)
            ctx = (words, cid)
        del known
        return {"n": n, "B1": B1, "B2": B2, "B3": B3, "Br": Br, "ctx": ctx}

    # ----------------------------------------------------------- statistics
    def _add_classes(self, y_lists):
        for v in y_lists:
            for e in v:
                if e not in self._class_index:
                    self._class_index[e] = len(self._internal_classes)
                    self._internal_classes.append(e)

    def _target_matrix(self, y_lists):
        C = len(self._internal_classes)
        rows, cols = [], []
        for i, v in enumerate(y_lists):
            for e in v:
                rows.append(i)
                cols.append(self._class_index[e])
        Y = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(y_lists), C))
        Y.sum_duplicates()
        return Y  # counts of each emoji per sample

    def _grow_stats(self):
        st = self._st
        V, P2, P3 = len(self._inv_vocab), len(self._bigrams), len(self._trigrams)
        C, NC = len(self._internal_classes), len(self._contexts)
        st["n_c"] = np.pad(st["n_c"], (0, C - len(st["n_c"])))
        st["base_sum"] = np.pad(st["base_sum"], (0, C - len(st["base_sum"])))
        st["base_n"] = np.pad(st["base_n"], (0, C - len(st["base_n"])))
        st["hist"] = np.pad(st["hist"], ((0, C - st["hist"].shape[0]), (0, 0)))
        st["df1"] = np.pad(st["df1"], (0, V - len(st["df1"])))
        st["df2"] = np.pad(st["df2"], (0, P2 - len(st["df2"])))
        st["df3"] = np.pad(st["df3"], (0, P3 - len(st["df3"])))
        st["Dc1"] = _resize(st["Dc1"], (C, V))
        st["Dc2"] = _resize(st["Dc2"], (C, P2))
        st["Dc3"] = _resize(st["Dc3"], (C, P3))
        st["M"] = _resize(st["M"], (V, NC))
        st["msum"] = _resize(st["msum"], (V, C))
        st["msup"] = _resize(st["msup"], (V, C))

    def _label_stats(self, enc, Y, rows=None):
        """Label-dependent statistics of the (subset of) encoded texts."""
        B1, B2, B3, Br = enc["B1"], enc["B2"], enc["B3"], enc["Br"]
        if rows is not None:
            B1, B2, B3, Br, Y = B1[rows], B2[rows], B3[rows], Br[rows], Y[rows]
        Yb = Y.copy()
        Yb.data[:] = 1.0
        YbT = Yb.T.tocsr()
        return {
            "n_lab": B1.shape[0],
            "n_c": np.asarray(Yb.sum(axis=0)).ravel(),
            "df1": np.asarray(B1.sum(axis=0)).ravel(),
            "df2": np.asarray(B2.sum(axis=0)).ravel(),
            "df3": np.asarray(B3.sum(axis=0)).ravel(),
            "Dc1": (YbT @ B1).tocsr(),
            "Dc2": (YbT @ B2).tocsr(),
            "Dc3": (YbT @ B3).tocsr(),
            "msum": (Br.T @ Y).tocsr(),
            "msup": (Br.T @ Yb).tocsr(),
            "base_sum": np.asarray(Y.sum(axis=0)).ravel(),
            "base_n": np.asarray(Yb.sum(axis=0)).ravel(),
            "max_count": int(Y.max()) if Y.nnz else 1,
            "hist": self._count_hist(Y),
        }

    @staticmethod
    def _count_hist(Y):
        Y = Y.tocoo()
        H = np.zeros((Y.shape[1], int(Y.data.max()) + 1 if Y.nnz else 2))
        np.add.at(H, (Y.col, Y.data.astype(np.int64)), 1.0)
        return H

    def _accumulate(self, enc, Y):
        self._grow_stats()
        st = self._st
        if enc["ctx"] is not None:
            words, cid = enc["ctx"]
            st["M"] = st["M"] + sp.csr_matrix((np.ones(len(words)), (words, cid)), shape=st["M"].shape)
        if Y is None:
            st["n_unlab"] += enc["n"]
            return
        ls = self._label_stats(enc, Y)
        for k in ("n_lab", "n_c", "df1", "df2", "df3", "Dc1", "Dc2", "Dc3", "msum", "msup", "base_sum", "base_n"):
            st[k] = st[k] + ls[k]
        st["max_count"] = max(st["max_count"], ls["max_count"])
        H, h = st["hist"], ls["hist"]
        width = max(H.shape[1], h.shape[1])
        st["hist"] = np.pad(H, ((0, 0), (0, width - H.shape[1]))) + np.pad(h, ((0, 0), (0, width - h.shape[1])))

    # ------------------------------------------------------------- building
    def _env_matrix(self, M):
        """Row-normalised, idf-weighted token x environment-pair matrix."""
        M = M.tocsc()
        col_nnz = np.diff(M.indptr)
        keep = np.nonzero(col_nnz >= 2)[0]
        M = M[:, keep].tocsr()
        if M.nnz == 0:
            return None
        M.data = np.log1p(M.data)
        n_words = max(int((np.diff(M.indptr) > 0).sum()), 2)
        idf = np.log(n_words / col_nnz[keep])
        M = M @ sp.diags(idf)
        norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return (sp.diags(1.0 / norms) @ M).tocsr().astype(np.float32)

    def _weights(self, Dc, n_c, df, N, prior):
        """Lift (log) or TF-IDF weights of every (emoji, term) with enough support."""
        D = Dc.tocoo()
        keep = D.data >= self.min_df
        r, c, d = D.row[keep], D.col[keep], D.data[keep]
        s = self.smoothing
        p = prior[r]
        lift = np.log((d + s * p) / ((df[c] + s) * p))
        tfidf = d / np.maximum(n_c[r], 1) * np.log((N + 1.0) / (df[c] + 1.0))
        pos = lift > 0
        r, c, lift, tfidf = r[pos], c[pos], lift[pos], tfidf[pos]
        return r, c, lift, tfidf

    def _build(self, st, M=None):
        """Lexicon weights (internal class order) from sufficient statistics."""
        C = len(self._internal_classes)
        V = len(self._inv_vocab)
        N = max(st["n_lab"], 1)
        n_c = st["n_c"]
        prior = np.maximum(n_c, 0.5) / max(n_c.sum(), 1.0)
        lex = {"prior": prior}

        # ---- unigram keywords (TF-IDF selection, lift weights)
        r, c, lift, tfidf = self._weights(st["Dc1"], n_c, st["df1"], N, prior)
        if self.n_keywords is not None and len(r):
            order = np.lexsort((-tfidf, r))
            rank = np.empty(len(r), dtype=np.int64)
            starts = np.searchsorted(r[order], np.arange(C))
            rank[order] = np.arange(len(r)) - np.repeat(starts, np.diff(np.append(starts, len(r))))
            sel = rank < self.n_keywords
            r, c, lift, tfidf = r[sel], c[sel], lift[sel], tfidf[sel]
        w = lift if self.weighting == "lift" else tfidf
        K = sp.csr_matrix((w, (c, r)), shape=(V, C))  # term x class
        Kt = sp.csr_matrix((tfidf, (c, r)), shape=(V, C))
        # ---- seed keywords
        seeds = {}
        if self.seed_keywords:
            colmax = K.max(axis=0).toarray().ravel() if K.nnz else np.zeros(C)
            K = K.tolil()
            for e, kws in self.seed_keywords.items():
                if e not in self._class_index:
                    continue
                ci = self._class_index[e]
                for kw in [kws] if isinstance(kws, str) else list(kws):
                    tok = (self.tokenizer or tokenize)(kw)
                    for t in tok:  # a multi-token seed seeds each of its tokens
                        j = self.vocabulary_.get(t)
                        if j is not None:
                            K[j, ci] = max(colmax[ci], 1e-3)
                            seeds.setdefault(ci, []).append(j)
            K = K.tocsr()
        Ktc = Kt.tocsc()
        for ci in range(C):
            if ci not in seeds:
                lo, hi = Ktc.indptr[ci], Ktc.indptr[ci + 1]
                if hi > lo:
                    seeds[ci] = [int(Ktc.indices[lo + np.argmax(Ktc.data[lo:hi])])]
        lex["seeds"] = seeds
        lex["K"] = K

        # ---- enrichment: siblings through shared environment pairs
        sib = sp.csr_matrix((V, C))
        sib_iter = sp.csr_matrix((V, C))
        n_iter = 0
        Mn = self._env_matrix(M if M is not None else st["M"]) if self.max_iter and self.n_siblings else None
        if Mn is not None and K.nnz:
            if Mn.shape[0] < V:
                Mn = _resize(Mn, (V, Mn.shape[1]))
            mass = np.asarray(Mn @ np.asarray(Mn.sum(axis=0)).ravel()).ravel()
            mass[mass == 0] = 1.0
            Kd = K.toarray().astype(np.float32)
            Kd[: _UNK + 1] = 0
            for it in range(1, self.max_iter + 1):
                E = Mn.T @ Kd  # environment of every emoji (ENV(emoji))
                S = (Mn @ E) / mass[:, None]
                S[Kd > 0] = 0.0
                S[: _UNK + 1] = 0.0
                S[S < self.min_sibling_weight] = 0.0
                if not S.any():
                    break
                k = min(self.n_siblings, V)
                idx = np.argpartition(-S, k - 1, axis=0)[:k] if k < V else np.tile(np.arange(V)[:, None], (1, C))
                vals = np.take_along_axis(S, idx, axis=0)
                ok = vals > 0
                if not ok.any():
                    break
                rr = idx[ok]
                cc = np.nonzero(ok)[1]
                ww = (self.sibling_decay * vals[ok]).astype(np.float32)
                Kd[rr, cc] = ww
                sib = sib + sp.csr_matrix((ww, (rr, cc)), shape=(V, C))
                sib_iter = sib_iter + sp.csr_matrix((np.full(len(rr), it, np.float32), (rr, cc)), shape=(V, C))
                n_iter = it
        lex["sib"] = sib.tocsr()
        lex["sib_iter"] = sib_iter.tocsr()
        lex["n_iter"] = n_iter
        in_lex = (K + sib).toarray() > 0

        # ---- granularity: bi-/tri-grams related to the emoji's lexicon
        for name, Dc, df, idx, n in (
            ("W2", st["Dc2"], st["df2"], self._bigrams, 2),
            ("W3", st["Dc3"], st["df3"], self._trigrams, 3),
        ):
            P = Dc.shape[1]
            if self.granularity == 0 or P == 0:
                lex[name] = sp.csr_matrix((P, C))
                continue
            r, c, lift, tfidf = self._weights(Dc, n_c, df, N, prior)
            keys = idx.keys[c]
            comps = [(keys >> np.uint64(_MAXBITS * (n - 1 - j))) & np.uint64(2**_MAXBITS - 1) for j in range(n)]
            related = np.zeros(len(c), dtype=bool)
            for comp in comps:
                related |= in_lex[comp.astype(np.int64), r]
            w = (lift if self.weighting == "lift" else tfidf)[related] * self.granularity
            lex[name] = sp.csr_matrix((w, (c[related], r[related])), shape=(P, C))

        # ---- multiplication keys (collaborative average counts)
        msum, msup = st["msum"].tocoo(), st["msup"].tocsr()
        base_avg = np.where(st["base_n"] > 0, st["base_sum"] / np.maximum(st["base_n"], 1), 1.0)
        g0 = st["base_sum"].sum() / max(st["base_n"].sum(), 1)
        gsum = np.asarray(st["msum"].sum(axis=1)).ravel()
        gsup = np.asarray(st["msup"].sum(axis=1)).ravel()
        k = self.multiplication_smoothing
        gavg = (gsum + k * g0) / (gsup + k) if k > 0 else np.where(gsup > 0, gsum / np.maximum(gsup, 1), g0)
        rr, cc = msum.row, msum.col
        sup = np.asarray(msup[rr, cc]).ravel()
        avg = (msum.data + k * base_avg[cc] * gavg[rr] / g0) / (sup + k)
        ok = (sup >= self.min_multiplication_support) & (avg >= base_avg[cc] + self.multiplication_threshold)
        ok &= rr > _UNK
        mk = self.multiplication_keys
        if mk is not None:
            keys = DEFAULT_MULTIPLICATION_KEYS if mk == "default" else mk
            allowed = np.zeros(V, dtype=bool)
            for t in keys:
                j = self.vocabulary_.get(t)
                if j is not None:
                    allowed[j] = True
            ok &= allowed[rr]
        lex["mult"] = sp.csr_matrix((avg[ok], (rr[ok], cc[ok])), shape=(V, C))
        lex["mult_support"] = sp.csr_matrix((sup[ok], (rr[ok], cc[ok])), shape=(V, C))
        lex["base_avg"] = base_avg
        H = st["hist"][:, 1:]
        lex["base_mode"] = np.where(H.sum(axis=1) > 0, H.argmax(axis=1) + 1, 1)
        lex["max_count"] = st["max_count"]
        return lex

    def _finalize(self, lex):
        """Permute the lexicon to sorted class order and store it."""
        internal = np.array(self._internal_classes, dtype=object)
        order = np.argsort(internal.astype(str), kind="stable")
        self.classes_ = internal[order]
        self._order = order
        P = sp.csr_matrix((np.ones(len(order)), (order, np.arange(len(order)))), shape=(len(order), len(order)))
        self._W1 = (lex["K"] + lex["sib"]).tocsr() @ P
        self._W_kw = lex["K"].tocsr() @ P
        self._W_sib = lex["sib"] @ P
        self._W2 = lex["W2"] @ P
        self._W3 = lex["W3"] @ P
        self._mult = lex["mult"] @ P
        self._log_prior = np.log(lex["prior"][order])
        self._base_count = lex["base_mode"][order].astype(int)
        self._lex = lex
        self.n_iter_ = lex["n_iter"]
        self.n_features_in_ = 1

    def _layers(self, enc):
        """Per-layer scores (keywords, siblings, phrases): three dense (n, C) arrays."""
        B1 = enc["B1"]
        V = self._W1.shape[0]
        if B1.shape[1] != V:
            B1 = _resize(B1, (B1.shape[0], V))
        kw = np.asarray((B1 @ self._W_kw).todense())
        sib = np.asarray((B1 @ self._W_sib).todense())
        phr = np.asarray((enc["B2"] @ self._W2).todense()) + np.asarray((enc["B3"] @ self._W3).todense())
        return kw, sib, phr

    def _fit_all(self, X, y, y_lists=None):
        self._check_params()
        tok = self._tokenize(X)
        if y_lists is None:
            y_lists = self._check_targets(y, len(tok))
        self._init_state()
        self._add_classes(y_lists)
        self._add_seed_vocab()
        enc = self._encode(tok, grow=True)
        Y = self._target_matrix(y_lists)
        self._accumulate(enc, Y)
        self._finalize(self._build(self._st))
        return enc, Y

    def _partial(self, X, y):
        first = not hasattr(self, "classes_")
        if first:
            self._check_params()
        tok = self._tokenize(X)
        y_lists = self._check_targets(y, len(tok), allow_none=not first)
        if first:
            self._init_state()
        if y_lists is not None:
            self._add_classes(y_lists)
        self._add_seed_vocab()
        enc = self._encode(tok, grow=True)
        Y = self._target_matrix(y_lists) if y_lists is not None else None
        self._accumulate(enc, Y)
        self._finalize(self._build(self._st))
        return self

    # ------------------------------------------------------------ reporting
    def _term(self, j):
        return self._inv_vocab[j]

    def _phrase(self, idx, p, n):
        key = int(idx.keys[p])
        ids = [(key >> (_MAXBITS * (n - 1 - j))) & (2**_MAXBITS - 1) for j in range(n)]
        return " ".join(self._inv_vocab[i] for i in ids)

    def lexicon_table(self, emoji=None, kinds=None):
        """The learned lexicon as rows, ready for printing or a DataFrame.

        Parameters
        ----------
        emoji : str or list of str, default=None
            Keep only these emojis (default: all of ``classes_``).
        kinds : str or list of str, default=None
            Keep only these kinds of entry among ``"seed"``, ``"keyword"``,
            ``"sibling"``, ``"bigram"``, ``"trigram"`` and
            ``"multiplication"`` (default: all).

        Returns
        -------
        list of dict
            One dict per entry with keys ``emoji``, ``kind``, ``term``,
            ``weight`` (the scoring weight; for multiplication keys the
            average count of the emoji when the key is present),
            ``iteration`` (enrichment iteration that found a sibling; 0
            otherwise) and ``support`` (training texts behind the entry;
            ``None`` for siblings). Rows are sorted by emoji, kind and
            decreasing weight. ``pandas.DataFrame(rows)`` turns it into a
            table.
        """
        check_is_fitted(self, "classes_")
        all_kinds = ("seed", "keyword", "sibling", "bigram", "trigram", "multiplication")
        if kinds is None:
            kinds = all_kinds
        elif isinstance(kinds, str):
            kinds = [kinds]
        for k in kinds:
            if k not in all_kinds:
                raise ValueError(f"unknown kind {k!r}; expected some of {all_kinds}")
        if emoji is None:
            wanted = set(self.classes_.tolist())
        else:
            wanted = {emoji} if isinstance(emoji, str) else set(emoji)
            unknown = wanted - set(self.classes_.tolist())
            if unknown:
                raise ValueError(f"unknown emoji {sorted(map(str, unknown))}; known: {list(self.classes_)}")
        lex, st = self._lex, self._st
        rows = []
        for ci, e in enumerate(self._internal_classes):
            if e not in wanted:
                continue
            seeds = set(lex["seeds"].get(ci, []))
            col = lex["K"][:, ci].tocoo()
            for j, w in zip(col.row, col.data):
                kind = "seed" if j in seeds else "keyword"
                if kind in kinds:
                    rows.append(
                        dict(
                            emoji=e,
                            kind=kind,
                            term=self._term(j),
                            weight=float(w),
                            iteration=0,
                            support=int(st["Dc1"][ci, j]),
                        )
                    )
            if "sibling" in kinds:
                col = lex["sib"][:, ci].tocoo()
                it = lex["sib_iter"][:, ci]
                for j, w in zip(col.row, col.data):
                    rows.append(
                        dict(
                            emoji=e,
                            kind="sibling",
                            term=self._term(j),
                            weight=float(w),
                            iteration=int(it[j, 0]),
                            support=None,
                        )
                    )
            for kind, W, Dc, idx, n in (
                ("bigram", lex["W2"], st["Dc2"], self._bigrams, 2),
                ("trigram", lex["W3"], st["Dc3"], self._trigrams, 3),
            ):
                if kind in kinds:
                    col = W[:, ci].tocoo()
                    for p, w in zip(col.row, col.data):
                        rows.append(
                            dict(
                                emoji=e,
                                kind=kind,
                                term=self._phrase(idx, p, n),
                                weight=float(w),
                                iteration=0,
                                support=int(Dc[ci, p]),
                            )
                        )
            if "multiplication" in kinds:
                col = lex["mult"][:, ci].tocoo()
                for j, w in zip(col.row, col.data):
                    rows.append(
                        dict(
                            emoji=e,
                            kind="multiplication",
                            term=self._term(j),
                            weight=float(w),
                            iteration=0,
                            support=int(lex["mult_support"][j, ci]),
                        )
                    )
        kind_rank = {k: i for i, k in enumerate(all_kinds)}
        rows.sort(key=lambda r: (str(r["emoji"]), kind_rank[r["kind"]], -r["weight"], r["term"]))
        return rows


_PARAM_DOC = """
    tokenizer : callable, default=None
        Splits one turn into tokens; ``None`` uses
        :func:`sklearn_emoji.text.tokenize` (jieba for Chinese, a regex for
        the rest).
    turns : {"all", "reply"}, default="all"
        Use every turn of a dialogue or the reply (last turn) only. Weibo
        replies are often empty once emojis are removed, so the context
        matters there.
    seed_keywords : dict, default=None
        ``{emoji: keyword or list of keywords}`` forced into the emoji's
        lexicon with the emoji's largest keyword weight. Without a seed the
        strongest TF-IDF keyword is the seed.
    n_keywords : int, default=None
        Keywords kept per emoji, the strongest by TF-IDF; ``None`` keeps
        every token with a positive association.
    weighting : {"lift", "tfidf"}, default="lift"
        Weight of a lexicon entry: the smoothed log-lift
        ``log P(emoji|term)/P(emoji)`` or the term's TF-IDF in the emoji's
        texts (the literal reading of the paper).
    min_df : int, default=2
        Least number of training texts of an emoji a term must occur in to
        be one of its keywords (or phrases).
    smoothing : float, default=5.0
        Pseudo-texts shrinking ``P(emoji|term)`` towards ``P(emoji)``.
    max_iter : int, default=3
        Cap on the enrichment iterations (0 disables siblings).
    n_siblings : int, default=50
        New siblings per emoji and iteration, at most.
    sibling_decay : float, default=0.5
        A sibling's weight is this factor times its environment score.
    min_sibling_weight : float, default=0.1
        Least environment score (the similarity-weighted average lexicon
        weight of the tokens sharing its environment pairs) of a sibling.
    granularity : float, default=0.5
        Multiplier of the bi-gram and tri-gram weights (0 disables them).
    multiplication_keys : None, "default" or list of str, default=None
        Candidate multiplication keys: every token (``None``), the
        built-in :data:`DEFAULT_MULTIPLICATION_KEYS`, or a given list.
    min_multiplication_support : int, default=20
        Least number of texts with the emoji and the key.
    multiplication_threshold : float, default=1.0
        Least excess of a key's average count over the emoji's base count.
    multiplication_smoothing : float, default=20.0
        Pseudo-texts shrinking a key's average count for one emoji towards
        its average over all emojis (collaborative weighting). The defaults
        are conservative: on Weibo replies, counts are hard to predict and
        looser settings (support 10, smoothing 10, threshold 0.5) predict
        more repeats but get fewer counts right than the emoji's mode."""


class LexiconEmojiRecommender(ClassifierMixin, _LexiconBase):
    __doc__ = (
        """Emoji recommender from a self-built weighted sibling lexicon.

    Implements the weighted multi-layer model of Idrees & Al-Solami (2024):
    TF-IDF keywords per emoji, siblings found through shared environment
    pairs (prefix, postfix) over enrichment iterations, bi-/tri-gram
    granularity weights and multiplication keys that predict how many times
    an emoji repeats. See the module documentation for the exact reading
    of the paper.

    Parameters
    ----------"""
        + _PARAM_DOC
        + """
    prior_weight : float, default=1.5
        Weight of ``log P(emoji)`` added to the summed lexicon evidence
        (the evidence of correlated words is over-confident, so a weight
        above 1 ranks best; 0 favours rare emojis).
    set_threshold : float, default=0.5
        :meth:`recommend` keeps the emojis whose probability is at least
        this fraction of the best one's.
    max_set_size : int, default=3
        Largest recommended set.

    Attributes
    ----------
    classes_ : ndarray of str
        Sorted emoji labels; the columns of :meth:`predict_proba`. New
        emojis given to :meth:`partial_fit` are added (and the columns
        re-sorted).
    vocabulary_ : dict
        Token to id.
    n_iter_ : int
        Enrichment iterations run at the last (re)build.
    n_features_in_ : int
        Always 1 (one text or dialogue per sample).

    Examples
    --------
    >>> from sklearn_emoji.lexicon import LexiconEmojiRecommender
    >>> X = ["so happy today", "happy happy day", "so sad today", "sad and tired",
    ...      "happy birthday", "very sad news"]
    >>> y = [["😂", "😂"], "😂", "😢", "😢", "😂", ["😢", "😢", "😢"]]
    >>> rec = LexiconEmojiRecommender(min_df=1).fit(X, y)
    >>> rec.classes_.tolist()
    ['😂', '😢']
    >>> rec.predict(["happy news", "sad day"]).tolist()
    ['😂', '😢']
    >>> rec.predict_proba(["happy news"]).shape
    (1, 2)
    >>> rec.recommend(["sad sad sad"])[0][0][0]
    '😢'
    """
    )

    def __init__(
        self,
        *,
        tokenizer=None,
        turns="all",
        seed_keywords=None,
        n_keywords=None,
        weighting="lift",
        min_df=2,
        smoothing=5.0,
        max_iter=3,
        n_siblings=50,
        sibling_decay=0.5,
        min_sibling_weight=0.1,
        granularity=0.5,
        prior_weight=1.5,
        multiplication_keys=None,
        min_multiplication_support=20,
        multiplication_threshold=1.0,
        multiplication_smoothing=20.0,
        set_threshold=0.5,
        max_set_size=3,
    ):
        self.tokenizer = tokenizer
        self.turns = turns
        self.seed_keywords = seed_keywords
        self.n_keywords = n_keywords
        self.weighting = weighting
        self.min_df = min_df
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.n_siblings = n_siblings
        self.sibling_decay = sibling_decay
        self.min_sibling_weight = min_sibling_weight
        self.granularity = granularity
        self.prior_weight = prior_weight
        self.multiplication_keys = multiplication_keys
        self.min_multiplication_support = min_multiplication_support
        self.multiplication_threshold = multiplication_threshold
        self.multiplication_smoothing = multiplication_smoothing
        self.set_threshold = set_threshold
        self.max_set_size = max_set_size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.classifier_tags.multi_label = False
        return tags

    def _check_set_params(self):
        if (
            isinstance(self.set_threshold, bool)
            or not isinstance(self.set_threshold, numbers.Real)
            or not 0 <= self.set_threshold <= 1
        ):
            raise ValueError(f"set_threshold must be a number in [0, 1], got {self.set_threshold!r}")
        if (
            isinstance(self.max_set_size, bool)
            or not isinstance(self.max_set_size, numbers.Integral)
            or self.max_set_size < 1
        ):
            raise ValueError(f"max_set_size must be an int >= 1, got {self.max_set_size!r}")

    def fit(self, X, y):
        """Build the lexicon from training texts.

        Parameters
        ----------
        X : list of str or list of list of str
            Texts or dialogues (emojis removed).
        y : array-like of str, or list of lists of str
            One emoji per text, or a list of the text's emojis with repeats
            kept (e.g. ``["[哈哈]", "[哈哈]"]``), which the multiplication
            layer learns counts from.

        Returns
        -------
        self
        """
        self._check_set_params()
        self._fit_all(X, y)
        return self

    def partial_fit(self, X, y=None, classes=None):
        """Enrich the lexicon with new texts, without refitting from scratch.

        Parameters
        ----------
        X : list of str or list of list of str
            New texts or dialogues.
        y : array-like, list of lists, or None
            Their emojis; ``None`` for unlabelled texts, which enrich the
            environments (hence the siblings) only. The first call needs
            labels. Emojis never seen before are accepted as new classes:
            ``classes_`` grows and stays sorted.
        classes : array-like, default=None
            Accepted for scikit-learn compatibility; emojis listed here are
            added to ``classes_`` even before they have texts.

        Returns
        -------
        self
        """
        self._check_set_params()
        if not hasattr(self, "classes_") and y is None:
            raise ValueError("the first call to partial_fit needs labels y")
        self._partial(X, y)
        if classes is not None:
            new = [c for c in classes if c not in self._class_index]
            if new:
                self._add_classes([new])
                self._grow_stats()
                self._finalize(self._build(self._st))
        return self

    def _scores(self, X):
        check_is_fitted(self, "classes_")
        enc = self._encode(self._tokenize(X), grow=False)
        kw, sib, phr = self._layers(enc)
        return kw + sib + phr + self.prior_weight * self._log_prior, enc

    def decision_function(self, X):
        """Lexicon scores (log-scale evidence plus weighted log-prior).

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return self._scores(X)[0]

    def predict_proba(self, X):
        """Probability of every emoji of ``classes_`` (softmax of the scores).

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return _softmax(self._scores(X)[0])

    def predict(self, X):
        """The best emoji of each text.

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.classes_[np.argmax(self._scores(X)[0], axis=1)]

    def predict_counts(self, X):
        """How many times each emoji would be repeated in each text.

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        ndarray of int, shape (n_samples, n_classes)
        """
        check_is_fitted(self, "classes_")
        enc = self._encode(self._tokenize(X), grow=False)
        return self._counts(enc)

    def _counts(self, enc):
        B1 = _resize(enc["Br"], (enc["n"], self._mult.shape[0]))
        n, C = enc["n"], len(self.classes_)
        counts = np.tile(self._base_count.astype(float), (n, 1))
        M = self._mult.tocsc()
        for c in range(C):
            col = M[:, c]
            if col.nnz:
                best = np.asarray(B1.multiply(col.T).max(axis=1).todense()).ravel()
                counts[:, c] = np.maximum(counts[:, c], best)
        return np.clip(np.rint(counts), 1, max(self._lex["max_count"], 1)).astype(int)

    def recommend(self, X, k=None):
        """Recommend a minimal set of emojis, each with a repeat count.

        Parameters
        ----------
        X : list of str or list of list of str
        k : int, default=None
            Return exactly the ``k`` best emojis instead of the thresholded
            set (``set_threshold``, ``max_set_size``).

        Returns
        -------
        list of list of (emoji, count, probability)
            Best first.
        """
        if k is not None and (isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1):
            raise ValueError(f"k must be an int >= 1 or None, got {k!r}")
        s, enc = self._scores(X)
        proba = _softmax(s)
        counts = self._counts(enc)
        kk = min(k or self.max_set_size, len(self.classes_))
        top = np.argsort(-proba, axis=1, kind="stable")[:, :kk]
        out = []
        for i in range(len(top)):
            best = proba[i, top[i, 0]]
            row = []
            for j in top[i]:
                if k is None and proba[i, j] < self.set_threshold * best:
                    break
                row.append((self.classes_[j], int(counts[i, j]), float(proba[i, j])))
            out.append(row)
        return out


class SiblingLexiconFeatures(TransformerMixin, _LexiconBase):
    __doc__ = (
        """Per-emoji sibling-lexicon scores as features.

    Builds the same lexicon as :class:`LexiconEmojiRecommender` and returns,
    for every text, the score of each emoji in each layer (keywords,
    siblings, bi-/tri-gram phrases), so the lexicon can feed a linear model
    or join TF-IDF features in a :class:`~sklearn.pipeline.FeatureUnion`.

    Like :class:`~sklearn.preprocessing.TargetEncoder`, ``fit_transform``
    uses cross fitting (``cv`` folds): each training text is scored by a
    lexicon built without it, so a downstream model does not over-trust the
    in-sample scores. ``fit(X, y).transform(X)`` therefore differs from
    ``fit_transform(X, y)``.

    Parameters
    ----------"""
        + _PARAM_DOC
        + """
    layers : {"sum", "separate"}, default="sum"
        One column per emoji with the sum of the layers, or one column per
        emoji and layer (keywords, siblings, phrases). Both give the same
        TweetEval scores with TF-IDF + logistic regression; "sum" fits
        faster.
    cv : int, default=5
        Folds of the cross fitting in ``fit_transform`` (``None`` or 1: no
        cross fitting).
    sparse_output : bool, default=True
        Return a SciPy CSR matrix; dense output is returned anyway when
        ``set_output(transform="pandas")`` (or polars) is configured.
    random_state : int, RandomState or None, default=None
        Shuffling of the cross-fitting folds.

    Attributes
    ----------
    classes_ : ndarray of str
    vocabulary_ : dict
    n_iter_ : int
    scale_ : ndarray of shape (n_features,)
        Columns are divided by their largest absolute value on the
        (cross-fitted) training scores, so they sit in [0, 1] like TF-IDF
        features and a linear model converges quickly.
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn_emoji.lexicon import SiblingLexiconFeatures
    >>> X = ["so happy today", "happy day", "so sad today", "sad and tired"]
    >>> y = ["😂", "😂", "😢", "😢"]
    >>> feats = SiblingLexiconFeatures(min_df=1, layers="sum").fit(X, y)
    >>> feats.transform(["happy happy"]).toarray().round(2)
    array([[0.52, 0.08]])
    >>> feats.get_feature_names_out().tolist()
    ['lexicon_😂', 'lexicon_😢']
    """
    )

    def __init__(
        self,
        *,
        tokenizer=None,
        turns="all",
        seed_keywords=None,
        n_keywords=None,
        weighting="lift",
        min_df=2,
        smoothing=5.0,
        max_iter=3,
        n_siblings=50,
        sibling_decay=0.5,
        min_sibling_weight=0.1,
        granularity=0.5,
        multiplication_keys=None,
        min_multiplication_support=20,
        multiplication_threshold=1.0,
        multiplication_smoothing=20.0,
        layers="sum",
        cv=5,
        sparse_output=True,
        random_state=None,
    ):
        self.tokenizer = tokenizer
        self.turns = turns
        self.seed_keywords = seed_keywords
        self.n_keywords = n_keywords
        self.weighting = weighting
        self.min_df = min_df
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.n_siblings = n_siblings
        self.sibling_decay = sibling_decay
        self.min_sibling_weight = min_sibling_weight
        self.granularity = granularity
        self.multiplication_keys = multiplication_keys
        self.min_multiplication_support = min_multiplication_support
        self.multiplication_threshold = multiplication_threshold
        self.multiplication_smoothing = multiplication_smoothing
        self.layers = layers
        self.cv = cv
        self.sparse_output = sparse_output
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags

    def _check_own(self):
        if self.layers not in ("separate", "sum"):
            raise ValueError(f"layers must be 'separate' or 'sum', got {self.layers!r}")
        if self.cv is not None and (
            isinstance(self.cv, bool) or not isinstance(self.cv, numbers.Integral) or self.cv < 1
        ):
            raise ValueError(f"cv must be None or an int >= 1, got {self.cv!r}")

    def fit(self, X, y):
        """Build the lexicon.

        Parameters
        ----------
        X : list of str or list of list of str
        y : array-like of str, or list of lists of str

        Returns
        -------
        self
        """
        self._check_own()
        enc, _ = self._fit_all(X, y)
        self._set_scale(self._assemble(*self._layers(enc)))
        return self

    def _set_scale(self, F):
        scale = np.abs(F).max(axis=0) if len(F) else np.ones(F.shape[1])
        scale[scale == 0] = 1.0
        self.scale_ = scale

    def partial_fit(self, X, y=None):
        """Enrich the lexicon with new (labelled or unlabelled) texts.

        Parameters
        ----------
        X : list of str or list of list of str
        y : array-like, list of lists or None

        Returns
        -------
        self
        """
        self._check_own()
        if not hasattr(self, "classes_") and y is None:
            raise ValueError("the first call to partial_fit needs labels y")
        self._partial(X, y)
        width = len(self.classes_) * (1 if self.layers == "sum" else 3)
        old = getattr(self, "scale_", None)
        if old is None or len(old) != width:
            self.scale_ = np.ones(width)
        return self

    def _assemble(self, kw, sib, phr):
        if self.layers == "sum":
            F = kw + sib + phr
        else:
            F = np.hstack([kw, sib, phr])
        return F

    def _output(self, F):
        from sklearn import get_config

        F = F / self.scale_
        cfg = getattr(self, "_sklearn_output_config", {}).get("transform", get_config()["transform_output"])
        if not self.sparse_output or cfg in ("pandas", "polars"):
            return F
        return sp.csr_matrix(F)

    def transform(self, X):
        """Lexicon scores of every emoji (and layer).

        Parameters
        ----------
        X : list of str or list of list of str

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "classes_")
        enc = self._encode(self._tokenize(X), grow=False)
        return self._output(self._assemble(*self._layers(enc)))

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then return cross-fitted scores of the training texts.

        Parameters
        ----------
        X : list of str or list of list of str
        y : array-like of str, or list of lists of str

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_samples, n_features)
        """
        self._check_own()
        enc, Y = self._fit_all(X, y)
        n = enc["n"]
        if not self.cv or self.cv < 2 or n < 2 * self.cv:
            F = self._assemble(*self._layers(enc))
            self._set_scale(F)
            return self._output(F)
        full_lex, full_st = self._lex, self._st
        first = np.asarray(Y.argmax(axis=1)).ravel()
        counts = np.bincount(first, minlength=Y.shape[1])
        if counts[counts > 0].min() >= self.cv:
            splitter = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        else:
            splitter = KFold(self.cv, shuffle=True, random_state=self.random_state)
        C = len(self.classes_)
        width = C if self.layers == "sum" else 3 * C
        F = np.zeros((n, width))
        sub = {k: enc[k] for k in ("n", "B1", "B2", "B3")}
        for tr, te in splitter.split(np.zeros(n), first):
            st = dict(full_st)
            st.update(self._label_stats(enc, Y, tr))
            st["M"] = full_st["M"]
            self._finalize(self._build(st))
            part = {"n": len(te), "B1": sub["B1"][te], "B2": sub["B2"][te], "B3": sub["B3"][te]}
            F[te] = self._assemble(*self._layers(part))
        self._st = full_st
        self._finalize(full_lex)
        self._set_scale(F)
        return self._output(F)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        ndarray of str
            ``lexicon_<emoji>`` (``layers="sum"``) or ``keyword_<emoji>``,
            ``sibling_<emoji>`` and ``phrase_<emoji>``.
        """
        check_is_fitted(self, "classes_")
        if self.layers == "sum":
            names = [f"lexicon_{c}" for c in self.classes_]
        else:
            names = [f"{layer}_{c}" for layer in ("keyword", "sibling", "phrase") for c in self.classes_]
        return np.asarray(names, dtype=object)
