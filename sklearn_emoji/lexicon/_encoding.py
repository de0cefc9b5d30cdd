"""Token ids, the hashed n-gram and environment indexes, and text encoding.

Every text becomes rows of sparse presence matrices over the vocabulary
(unigrams), the bi-gram and tri-gram indexes, plus (while learning) the
environment pairs of its tokens. A :class:`Vocabulary` only grows; an
estimator grows a *copy* of its vocabulary and keeps it once the fit has
succeeded, so a failed ``fit`` or ``partial_fit`` leaves it as it was.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from .._validation import check_dialogues
from .._vocabulary import OOV_ID, PAD_ID

# The library's token ids: 0 is padding, 1 out-of-vocabulary, tokens from 2 in the
# order they were first seen. Padding also marks where a turn starts and ends: every
# turn is encoded between two padding ids on each side, so a padding id in the prefix
# of an environment pair is a turn start and in the postfix a turn end, and one id
# serves for both (an earlier numbering had a start id and an end id, tokens from 3).
PAD, OOV = PAD_ID, OOV_ID
N_RESERVED = 2
MAXBITS = 21  # n-gram keys are exact while the vocabulary has < 2**21 tokens
_RESERVED_NAMES = ("<pad>", "<unk>")


class KeyIndex:
    """Grow-only map from uint64 keys to compact ids (vectorised).

    New keys get the next ids in the order they are first met, so the ids do
    not depend on the key values (hashes, packed token ids). Growing replaces
    the arrays instead of writing into them, so a shallow copy is an
    independent index.
    """

    def __init__(self):
        self.keys = np.empty(0, dtype=np.uint64)
        self._sorted = np.empty(0, dtype=np.uint64)
        self._sorted_ids = np.empty(0, dtype=np.int64)

    def __len__(self):
        return len(self.keys)

    def lookup(self, keys, add=False):
        """Ids of ``keys`` (-1 when unknown and ``add`` is false)."""
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys) == 0:
            return np.empty(0, dtype=np.int64)
        if not add:  # only look up: sorted queries (cache-friendly), no np.unique
            if not len(self._sorted):
                return np.full(len(keys), -1, dtype=np.int64)
            order = np.argsort(keys)
            ordered = keys[order]
            pos = np.minimum(np.searchsorted(self._sorted, ordered), len(self._sorted) - 1)
            ids = np.empty(len(keys), dtype=np.int64)
            ids[order] = np.where(self._sorted[pos] == ordered, self._sorted_ids[pos], -1)
            return ids
        uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        if len(self._sorted):
            pos = np.searchsorted(self._sorted, uniq)
            pos_c = np.minimum(pos, len(self._sorted) - 1)
            found = self._sorted[pos_c] == uniq
            ids = np.where(found, self._sorted_ids[pos_c], -1)
        else:
            found = np.zeros(len(uniq), dtype=bool)
            ids = np.full(len(uniq), -1, dtype=np.int64)
        if add and not found.all():
            new = np.nonzero(~found)[0]
            new = new[np.argsort(first[new], kind="stable")]  # in first-met order
            ids[new] = np.arange(len(self.keys), len(self.keys) + len(new), dtype=np.int64)
            self.keys = np.concatenate([self.keys, uniq[new]])
            order = np.argsort(self.keys, kind="stable")
            self._sorted = self.keys[order]
            self._sorted_ids = order.astype(np.int64)
        return ids[inv]


def ngram_key(ids):
    """Pack n columns of token ids (a list of uint64 arrays) into one key per row."""
    n = len(ids)
    key = np.zeros(len(ids[0]), dtype=np.uint64)
    for j, a in enumerate(ids):
        key |= a << np.uint64(MAXBITS * (n - 1 - j))
    return key


def ngram_tokens(keys, n):
    """Inverse of :func:`ngram_key`: the n token-id columns (int64) of the keys."""
    mask = np.uint64(2**MAXBITS - 1)
    return [((keys >> np.uint64(MAXBITS * (n - 1 - j))) & mask).astype(np.int64) for j in range(n)]


def _mix(h, v):
    """64-bit hash mixing (wrap-around arithmetic on uint64 arrays)."""
    with np.errstate(over="ignore"):
        h = (h ^ v.astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h


@dataclass
class Vocabulary:
    """Token ids and the n-gram and environment-pair indexes (grow-only)."""

    index: dict = field(default_factory=dict)
    tokens: list = field(default_factory=lambda: list(_RESERVED_NAMES))
    bigrams: KeyIndex = field(default_factory=KeyIndex)
    trigrams: KeyIndex = field(default_factory=KeyIndex)
    contexts: KeyIndex = field(default_factory=KeyIndex)

    def __len__(self):
        return len(self.tokens)

    def copy(self):
        """An independent copy to grow (the indexes replace, never mutate, their arrays)."""
        return Vocabulary(
            dict(self.index),
            list(self.tokens),
            copy.copy(self.bigrams),
            copy.copy(self.trigrams),
            copy.copy(self.contexts),
        )

    def add(self, token):
        """Id of ``token``, added at the end when new."""
        j = self.index.get(token)
        if j is None:
            j = self.index[token] = len(self.tokens)
            self.tokens.append(token)
        return j

    def phrase(self, n, p):
        """The text of bi-gram (``n=2``) or tri-gram (``n=3``) number ``p``."""
        keys = (self.bigrams if n == 2 else self.trigrams).keys[[p]]
        return " ".join(self.tokens[int(c[0])] for c in ngram_tokens(keys, n))


def tokenize_dialogues(X, tokenizer, turns, what="X"):
    """Validate ``X`` and split the chosen turns of every dialogue into tokens."""
    out = []
    for d in check_dialogues(X, what=what):
        chosen = d[-1:] if turns == "reply" else d
        out.append([tokenizer(t) for t in chosen if t])
    return out


def _presence(rows, cols, shape):
    B = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    B.sum_duplicates()
    B.data[:] = 1.0
    return B


@dataclass(frozen=True)
class Encoded:
    """Presence matrices of n texts.

    ``unigrams``, ``bigrams`` and ``trigrams`` mark the terms of each text,
    ``reply`` the unigrams of its last turn (what repeat counts are learned
    from), and ``environments`` holds ``(token ids, environment-pair ids)``
    of every token occurrence when the vocabulary was grown (else None).
    """

    n: int
    unigrams: sp.csr_matrix
    bigrams: sp.csr_matrix
    trigrams: sp.csr_matrix
    reply: sp.csr_matrix | None = None
    environments: tuple | None = None

    def take(self, rows):
        """The matrices of a subset of the texts (without environments)."""
        reply = None if self.reply is None else self.reply[rows]
        return Encoded(len(rows), self.unigrams[rows], self.bigrams[rows], self.trigrams[rows], reply)


def _flat_ids(vocab, tok_docs, grow):
    """Token ids of every turn between two padding ids on each side, and a row per turn.

    With ``grow``, new tokens join the vocabulary first, in the order they are
    first met. Then every token is looked up at once (C loops, unknown ones
    OOV) and NumPy lays the turns out. Returns the ids (int64), and for each
    turn its text's number, its length with the padding, and whether it is
    the text's last turn.
    """
    index, tokens = vocab.index, vocab.tokens
    if grow:
        for t in chain.from_iterable(chain.from_iterable(tok_docs)):
            if t not in index:
                index[t] = len(tokens)
                tokens.append(t)
    lens = np.fromiter((len(toks) for turns in tok_docs for toks in turns), dtype=np.int64)
    n_tok = int(lens.sum())
    found = chain.from_iterable(chain.from_iterable(tok_docs))
    ids = np.fromiter(map(index.get, found, repeat(OOV)), dtype=np.int64, count=n_tok)
    width = lens + 4
    a = np.full(int(width.sum()), PAD, dtype=np.int64)
    if n_tok:
        turn_start = np.cumsum(width) - width + 2
        first_tok = np.cumsum(lens) - lens
        a[np.repeat(turn_start - first_tok, lens) + np.arange(n_tok)] = ids
    per_doc = np.fromiter(map(len, tok_docs), dtype=np.int64, count=len(tok_docs))
    docs = np.repeat(np.arange(len(tok_docs), dtype=np.int64), per_doc)
    last = np.zeros(len(lens), dtype=bool)
    last[np.cumsum(per_doc)[per_doc > 0] - 1] = True
    return a, docs, width, last


def encode(vocab, tok_docs, *, grow):
    """Encode token lists; with ``grow`` new tokens, n-grams and environment pairs join ``vocab``."""
    a, docs, lens, last = _flat_ids(vocab, tok_docs, grow)
    n, V = len(tok_docs), len(vocab)
    if V >= 2**MAXBITS:  # pragma: no cover - 2 million distinct tokens
        raise ValueError("vocabulary too large (>= 2**21 distinct tokens)")
    doc = np.repeat(docs, lens)
    is_reply = np.repeat(last, lens)
    real = a >= N_RESERVED
    pos = np.nonzero(real)[0]
    B1 = _presence(doc[pos], a[pos], (n, V))
    rp = pos[is_reply[pos]]
    Br = _presence(doc[rp], a[rp], (n, V))
    # n-grams: windows of known tokens fully inside a sequence
    L = len(a)
    i2 = np.nonzero(real[: L - 1] & real[1:])[0] if L > 1 else np.empty(0, np.int64)
    i3 = np.nonzero(real[: L - 2] & real[1 : L - 1] & real[2:])[0] if L > 2 else np.empty(0, np.int64)
    A = a.astype(np.uint64)
    p2 = vocab.bigrams.lookup(ngram_key([A[i2], A[i2 + 1]]), add=grow)
    p3 = vocab.trigrams.lookup(ngram_key([A[i3], A[i3 + 1], A[i3 + 2]]), add=grow)
    m2, m3 = p2 >= 0, p3 >= 0
    B2 = _presence(doc[i2[m2]], p2[m2], (n, len(vocab.bigrams)))
    B3 = _presence(doc[i3[m3]], p3[m3], (n, len(vocab.trigrams)))
    env = None
    if grow and len(pos):
        # environment pairs of every real token: (p1,n1), (p2p1,n1), (p1,n1n2), (p2p1,n1n2)
        p1, p2_, n1, n2 = A[pos - 1], A[pos - 2], A[pos + 1], A[pos + 2]
        keys = []
        for t, parts in enumerate(((p1, n1), (p2_, p1, n1), (p1, n1, n2), (p2_, p1, n1, n2))):
            h = np.full(len(pos), np.uint64(t + 1) * np.uint64(0x100000001B3), dtype=np.uint64)
            for v in parts:
                h = _mix(h, v)
            keys.append(h)
        env = (np.tile(a[pos], 4), vocab.contexts.lookup(np.concatenate(keys), add=True))
    return Encoded(n, B1, B2, B3, Br, env)
