"""Word vectors for the dialogue LSTMs, trained on unlabelled text.

The emoji pre-training of :mod:`sklearn_emoji.pretraining` needs replies that
carry an emoji; most replies carry none. :func:`word_vectors_encoder` learns
from all of them: it trains skip-gram word2vec (Mikolov et al., 2013, with
`gensim <https://radimrehurek.com/gensim/>`_) on tokenized texts and returns
the vectors as the embedding of a
:class:`~sklearn_emoji.neural.PretrainedEncoder` that holds nothing else.
Such an encoder initialises the embedding of an S-, F- or H-LSTM and leaves
the LSTMs to start from scratch::

    enc = word_vectors_encoder(load_weibo_replies(exclude_groups=test_groups).data,
                               groups=..., embedding_dim=128)
    model = make_method("H-LSTM", pretrained=enc)

gensim is an optional dependency: ``pip install "sklearn-emoji[vectors]"``.
"""

from __future__ import annotations

import importlib
import time
import zlib
from collections import Counter
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._compat import Interval, StrOptions, validate_params
from ._options import TOKENIZER_NAMES
from ._validation import check_dialogues
from ._vocabulary import build_vocabulary, check_vocabulary
from .text import DEFAULT_TOKENIZER, TOKENIZERS

__all__ = ["word_vectors_encoder"]

_EXTRA_HINT = 'pip install "sklearn-emoji[vectors]"'


def _import_word2vec():
    """gensim's Word2Vec, or an ImportError that names the extra to install."""
    try:
        # importlib rather than an import statement: gensim is optional and
        # ships no type information, so mypy need not know about it.
        module = importlib.import_module("gensim.models")
    except ImportError as exc:
        raise ImportError(f"word_vectors_encoder needs gensim, an optional dependency: {_EXTRA_HINT}") from exc
    return module.Word2Vec, importlib.import_module("gensim").__version__


def _stable_hash(text):
    """A hash of a str that is the same in every process (gensim's ``hashfxn``).

    gensim seeds each word's initial vector with ``hashfxn(str(seed) + word)``;
    its default, Python's ``hash``, changes with ``PYTHONHASHSEED``, so two
    processes would train different vectors from the same seed.
    """
    return zlib.crc32(text.encode("utf-8"))


def _tokenizer_name(tokenizer, vocabulary):
    """The tokenizer's name: given, else the encoder's, else "words"."""
    recorded = None
    if vocabulary is not None and not isinstance(vocabulary, dict):
        info = getattr(vocabulary, "info", None)
        if isinstance(info, dict):
            recorded = info.get("tokenizer", DEFAULT_TOKENIZER)
    if tokenizer is None:
        return recorded or DEFAULT_TOKENIZER
    if recorded is not None and tokenizer != recorded:
        raise ValueError(
            f"tokenizer={tokenizer!r} does not match the encoder whose vocabulary is reused: it was built "
            f"with tokenizer={recorded!r}; leave tokenizer=None to take the encoder's"
        )
    return tokenizer


@validate_params(
    {
        "texts": "no_validation",  # check_dialogues names what is wrong
        "vocabulary": "no_validation",  # check_vocabulary
        "tokenizer": [StrOptions(set(TOKENIZER_NAMES)), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "sg": [StrOptions({"skip-gram", "cbow"}), Interval(Integral, 0, 1, closed="both")],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "workers": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "groups": ["array-like", None],
        "corpus": [str, None],
        "return_model": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def word_vectors_encoder(
    texts,
    *,
    vocabulary=None,
    tokenizer=None,
    embedding_dim=128,
    window=5,
    min_count=2,
    max_vocab=50000,
    sg=1,
    negative=5,
    epochs=5,
    workers=1,
    random_state=0,
    groups=None,
    corpus=None,
    return_model=False,
):
    """Train word2vec on ``texts`` and return the vectors as an encoder's embedding.

    The texts are tokenized with one of the library's tokenizers (by name,
    recorded so that fine-tuning tokenizes the same way), gensim's
    ``Word2Vec`` is trained on them, and the vectors become the
    ``"embedding.weight"`` of a hierarchical
    :class:`~sklearn_emoji.neural.PretrainedEncoder` that holds no other
    weight. Passed as ``pretrained=`` to an S-, F- or H-LSTM (or to
    :func:`~sklearn_emoji.pipelines.make_method`), it initialises the
    embedding; the LSTMs and the softmax layer start from scratch.

    Rows of the embedding (id = row):

    * 0, padding: zeros;
    * 1, out-of-vocabulary: the mean of the trained vectors of the
      vocabulary (an OOV token stands for "some rare word", and the mean is
      the vector closest to every word at once; zeros would read as
      padding);
    * 2 .. n+1, the vocabulary: gensim's vector of the token (exactly) when
      it has one; otherwise (a token of a given ``vocabulary`` that occurs
      fewer than ``min_count`` times in ``texts``) a random row drawn from
      N(0, s^2), s the standard deviation of the trained vectors' entries,
      seeded by ``random_state``.

    Parameters
    ----------
    texts : list-like of str or of dialogues
        The unlabelled texts, e.g. ``load_weibo_replies(exclude_groups=
        test_groups).data``. A dialogue (a list of turns) counts each turn
        as a sentence; empty texts are allowed and contribute nothing.
    vocabulary : dict of str to int, PretrainedEncoder or None, default=None
        The ids the rows must follow: token -> id with ids ``2 .. n + 1``,
        or an encoder whose vocabulary to reuse (an emoji pre-trained one,
        to give it word vectors). None: built from ``texts``, the tokens
        seen at least ``min_count`` times, the ``max_vocab`` most frequent,
        ids from 2 by decreasing frequency (ties by first appearance), as
        :class:`~sklearn_emoji.preprocessing.HierarchicalTokenizer` does.
    tokenizer : {"words", "chars"} or None, default=None
        jieba words or Han characters (see
        :data:`~sklearn_emoji.pretraining.TOKENIZERS`). None: the
        tokenizer of the ``vocabulary`` encoder, else ``"words"``.
    embedding_dim : int, default=128
        Size of the vectors (also the encoder's ``hidden_dim``, which the
        LSTMs then take unless told otherwise).
    window : int, default=5
        Largest distance between a word and a context word.
    min_count : int, default=2
        Tokens seen fewer times get no vector.
    max_vocab : int or None, default=50000
        Most tokens of a vocabulary built from ``texts`` (ignored when
        ``vocabulary`` is given). word2vec itself trains every token seen
        ``min_count`` times, so rarer words still serve as context; only
        the rows kept are limited.
    sg : {1, 0, "skip-gram", "cbow"}, default=1
        Skip-gram (1) or continuous bag of words (0).
    negative : int, default=5
        Negative samples per positive one.
    epochs : int, default=5
        Passes over ``texts``.
    workers : int, default=1
        gensim's threads. Only ``workers=1`` trains the same vectors from
        the same ``random_state`` every time.
    random_state : int, RandomState instance or None, default=0
        Seeds gensim's initial vectors and sampling and the rows of tokens
        without a vector.
    groups : array-like of str, default=None
        The root post of each text. Recorded (sorted, unique) in
        ``info["groups"]`` so that
        :func:`~sklearn_emoji.neural.check_no_overlap` can prove that no
        test thread was seen.
    corpus : str or None, default=None
        A description of the corpus, kept in ``info["corpus"]``.
    return_model : bool, default=False
        Also return the trained gensim model (for ``most_similar`` and
        other queries).

    Returns
    -------
    encoder : PretrainedEncoder
        ``architecture="hierarchical"``, ``pooling="last"``,
        ``embedding_dim = hidden_dim = embedding_dim``, weights
        ``{"embedding.weight": (len(vocabulary) + 2, embedding_dim)}``.
        ``info`` holds ``method`` ("word2vec"), ``tokenizer``, ``corpus``,
        ``n_texts``, ``n_sentences``, ``n_tokens``, ``params`` (gensim's
        settings and version), ``n_vectors`` (words word2vec trained),
        ``n_trained`` and ``coverage`` (the share of
        vocabulary ids whose row is a trained vector), ``oov_row``
        ("mean"), ``train_seconds`` (tokenizing and training) and
        ``groups`` (when given).
    model : gensim.models.Word2Vec
        Only when ``return_model`` is true.

    Raises
    ------
    ImportError
        gensim is not installed.
    TypeError, ValueError
        ``texts`` is not a non-empty list of texts or dialogues, a
        ``vocabulary`` is not a dict with the ids ``2 .. n + 1``, ``groups``
        does not hold one group per text, or no token occurs ``min_count``
        times.

    See Also
    --------
    sklearn_emoji.pretraining.pretrain_encoder : pre-train a whole encoder on emojis.
    sklearn_emoji.datasets.load_weibo_replies : unlabelled Weibo replies.

    Examples
    --------
    >>> from sklearn_emoji.vectors import word_vectors_encoder
    >>> texts = ["今天天气真好", "天气好想出去玩", "今天好开心", "好开心啊"] * 20
    >>> enc = word_vectors_encoder(texts, embedding_dim=8, epochs=2)  # needs gensim
    >>> enc.vocabulary["天气"], len(enc.vocabulary)
    (6, 9)
    >>> enc.state_dict["embedding.weight"].shape  # padding, OOV, 9 words
    torch.Size([11, 8])
    >>> enc.info["tokenizer"], enc.info["coverage"]
    ('words', 1.0)

    Reuse the ids of a vocabulary (or of an emoji pre-trained encoder):

    >>> enc = word_vectors_encoder(texts, vocabulary={"天气": 2, "下雨": 3}, embedding_dim=8)
    >>> enc.info["coverage"]  # "下雨" never occurs: its row is random
    0.5
    """
    Word2Vec, gensim_version = _import_word2vec()
    dialogues = check_dialogues(texts, what="texts", allow_empty=True)
    groups = _check_groups(groups, len(dialogues))
    fixed = check_vocabulary(vocabulary, allow_empty=False) if vocabulary is not None else None
    tok_name = _tokenizer_name(tokenizer, vocabulary)
    sg = {"skip-gram": 1, "cbow": 0}.get(sg, sg)
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))

    start = time.perf_counter()
    sentences, counts = _sentences(dialogues, TOKENIZERS[tok_name], min_count)
    vocab = fixed if fixed is not None else build_vocabulary(counts, min_count, max_vocab)[0]
    params = dict(vector_size=embedding_dim, window=window, min_count=min_count, sg=sg, negative=negative)
    params.update(epochs=epochs, workers=workers, seed=seed)
    model = _train_word2vec(Word2Vec, sentences, params)
    seconds = time.perf_counter() - start

    weight, n_trained = _embedding_rows(model.wv, vocab, int(embedding_dim), rng)
    info = {
        "method": "word2vec",
        "tokenizer": tok_name,
        "corpus": corpus or "",
        "n_texts": len(dialogues),
        "n_sentences": len(sentences),
        "n_tokens": int(sum(counts.values())),
        "params": {
            "library": f"gensim {gensim_version}",
            "vector_size": int(embedding_dim),
            "window": int(window),
            "min_count": int(min_count),
            "max_vocab": None if max_vocab is None or fixed is not None else int(max_vocab),
            "sg": int(sg),
            "negative": int(negative),
            "epochs": int(epochs),
            "workers": int(workers),
            "seed": seed,
        },
        "vocabulary": "given" if fixed is not None else "built",
        "n_vectors": len(model.wv),
        "n_trained": n_trained,
        "coverage": n_trained / len(vocab),
        "oov_row": "mean",
        "train_seconds": float(seconds),
    }
    if groups is not None:
        info["groups"] = sorted({str(g) for g in groups.tolist()})

    from .neural import PretrainedEncoder

    encoder = PretrainedEncoder(
        architecture="hierarchical",
        vocabulary=vocab,
        embedding_dim=int(embedding_dim),
        hidden_dim=int(embedding_dim),
        pooling="last",
        state_dict={"embedding.weight": torch.from_numpy(weight)},
        info=info,
    )
    return (encoder, model) if return_model else encoder


def reply_vectors(
    exclude_groups,
    *,
    embedding_dim,
    max_vocab,
    corpus,
    tokenizer="words",
    random_state=0,
    data_home=None,
    n_samples=None,
):
    """:func:`word_vectors_encoder` on the unlabelled Weibo replies without ``exclude_groups``'s threads.

    The first step of the shipped recipe, shared by ``build-models``,
    ``pretrain --word-vectors train`` and ``benchmarks/bench_seed_ensemble.py``
    (one worker: the same vectors from the same ``random_state``). Returns
    the encoder and the number of replies read.
    """
    from .datasets import load_weibo_replies

    replies = load_weibo_replies(exclude_groups=exclude_groups, data_home=data_home, n_samples=n_samples)
    vectors = word_vectors_encoder(
        replies.data,
        tokenizer=tokenizer,
        embedding_dim=embedding_dim,
        max_vocab=max_vocab,
        workers=1,
        random_state=random_state,
        groups=replies.groups,
        corpus=corpus,
    )
    return vectors, len(replies.data)


def _check_groups(groups, n_texts):
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.shape != (n_texts,):
        raise ValueError(f"groups must hold one group per text: {n_texts} texts, groups of shape {groups.shape}")
    return groups


def _sentences(dialogues, tokenize, min_count):
    """The non-empty token lists of every turn, and the token counts (first-appearance order)."""
    sentences = [toks for d in dialogues for t in d if t and (toks := list(tokenize(t)))]
    counts = Counter(tok for s in sentences for tok in s)
    if not counts or max(counts.values()) < min_count:
        raise ValueError(
            f"no token occurs min_count={min_count} times in the {len(dialogues)} texts "
            f"({sum(counts.values())} tokens): give more text or lower min_count"
        )
    return sentences, counts


def _train_word2vec(Word2Vec, sentences, params):
    """gensim's Word2Vec trained on ``sentences``, seeded the same in every process."""
    model = Word2Vec(**params, hashfxn=_stable_hash)
    model.build_vocab(sentences)
    model.train(sentences, total_examples=len(sentences), epochs=params["epochs"])
    return model


def _embedding_rows(wv, vocab, dim, rng):
    """The embedding matrix in the vocabulary's ids, and how many rows were trained.

    Row 0 (padding) is zero, row 1 (OOV) the mean trained vector; a token
    without a trained vector gets a random row of the trained vectors' scale.
    """
    weight = np.zeros((len(vocab) + 2, dim), dtype=np.float32)
    trained = np.zeros(len(vocab) + 2, dtype=bool)
    for tok, i in vocab.items():
        j = wv.key_to_index.get(tok)
        if j is not None:
            weight[i] = wv.vectors[j]
            trained[i] = True
    n_trained = int(trained.sum())
    if n_trained:
        weight[1] = weight[trained].mean(axis=0)
        scale = float(weight[trained].std())
    else:  # a given vocabulary that the texts never use
        scale = float(wv.vectors.std())
    missing = np.flatnonzero(~trained[2:]) + 2
    weight[missing] = rng.normal(0.0, scale, size=(len(missing), dim)).astype(np.float32)
    return weight, n_trained
