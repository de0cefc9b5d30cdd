"""Pre-train the dialogue LSTMs' encoders on many emojis (distant supervision).

The Weibo task of Xie et al. has ten emojis and, after the paper's filters,
about 15,000 training dialogues; the corpus holds ten times more dialogues
whose reply carries one of its 64 most frequent emojis
(:func:`sklearn_emoji.datasets.load_weibo_pretraining`). DeepMoji's answer to
the same shortage: train the network on the many-emoji task first, keep its
encoder, and fine-tune on the small task. :func:`pretrain_encoder` does the
first part with the library's own tokenizers and classifiers and returns a
:class:`~sklearn_emoji.neural.PretrainedEncoder`; hand it to
:func:`~sklearn_emoji.pipelines.make_method` (``pretrained=encoder``) for the
second.

Leak-free evaluation: pre-train only on threads that are not in the test
split. ``load_weibo_pretraining(exclude_groups=test_groups)`` gives such a
corpus; pass its ``groups`` to :func:`pretrain_encoder` so the encoder records
the root posts it saw, and :func:`~sklearn_emoji.neural.check_no_overlap`
checks it later.
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch

from ._compat import StrOptions, validate_params
from ._options import LSTM_METHODS, POOLINGS, TOKENIZER_NAMES
from ._validation import check_dialogues
from ._vocabulary import LSTM_RECIPES, recipe_steps
from .text import DEFAULT_TOKENIZER, TOKENIZERS

__all__ = ["pretrain_encoder", "TOKENIZERS"]

# TOKENIZERS (from sklearn_emoji.text): the tokenizers an encoder may be
# pre-trained with, by name, recorded in the encoder so that fine-tuning
# tokenizes the same way.

# The tokenization of each method is its recipe (sklearn_emoji._vocabulary),
# the same as the registry's pipelines.
_METHODS = LSTM_RECIPES


def _tokenizer_name(tokenizer):
    if tokenizer is None:
        return DEFAULT_TOKENIZER
    if isinstance(tokenizer, str):
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer must be one of {sorted(TOKENIZERS)}, got {tokenizer!r}")
        return tokenizer
    raise TypeError(
        f"tokenizer must be a name among {sorted(TOKENIZERS)} (so the encoder can record it), "
        f"got {type(tokenizer).__name__}"
    )


def make_encoder_tokenizer(method, *, encoder=None, tokenizer="words", min_freq=2, max_vocab=None, max_turns=4):
    """The (flattener, tokenizer) steps of ``method``, ids from ``encoder`` when given."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}, got {method!r}")
    if encoder is not None:
        tokenizer = encoder.info.get("tokenizer", "words")
    func = TOKENIZERS[_tokenizer_name(tokenizer)]
    params = dict(min_freq=min_freq, max_vocab=max_vocab, tokenizer=func, vocabulary=encoder)
    if method == "H-LSTM":
        params["max_turns"] = max_turns
    return recipe_steps(method, **params)


@validate_params(
    {
        "method": [StrOptions(set(LSTM_METHODS))],
        "pooling": [StrOptions(set(POOLINGS))],
        "tokenizer": [StrOptions(set(TOKENIZER_NAMES)), None],
    },
    prefer_skip_nested_validation=False,  # the classifier it trains checks its own parameters
)
def pretrain_encoder(
    X,
    y=None,
    *,
    method="H-LSTM",
    groups=None,
    embedding_dim=128,
    hidden_dim=128,
    pooling="attention",
    tokenizer="chars",
    min_freq=2,
    max_vocab=50000,
    optimizer=torch.optim.Adam,
    lr=1e-3,
    batch_size=128,
    max_epochs=3,
    validation_fraction=None,
    patience=None,
    device="cpu",
    random_state=None,
    verbose=0,
    pretrained=None,
    corpus=None,
):
    """Pre-train the encoder of an S-, F- or H-LSTM on many emojis.

    The dialogues are tokenized (the vocabulary is learned here and kept in
    the encoder), the classifier of ``method`` is trained to predict ``y``
    (any number of emojis, unbalanced), and its embedding, LSTM and
    attention weights, with the softmax layer and its emojis, are returned
    as a :class:`~sklearn_emoji.neural.PretrainedEncoder`.

    Parameters
    ----------
    X : list of dialogues, TokenArrays or path
        The pre-training dialogues, e.g.
        ``load_weibo_pretraining(exclude_groups=test_groups).data``; or a
        corpus already tokenized to disk by
        :func:`~sklearn_emoji.neural.write_token_arrays` (its
        :class:`~sklearn_emoji.neural.TokenArrays` or its folder), which is
        read batch by batch from a memory map, so a corpus larger than
        memory pre-trains in flat memory. Its vocabulary and tokenizer are
        then the encoder's (``tokenizer``, ``min_freq``, ``max_vocab`` are
        ignored) and ``method`` must match its layout.
    y : array-like of str or None, default=None
        The emoji of each reply; ``None`` only for a ``TokenArrays`` that
        holds its labels.
    method : {"H-LSTM", "F-LSTM", "S-LSTM"}, default="H-LSTM"
        Which network to pre-train (its tokenizer: hierarchical, all turns
        flattened, or the reply alone).
    groups : array-like of str, default=None
        The root post of each dialogue. Recorded in the encoder's ``info``
        (so :func:`~sklearn_emoji.neural.check_no_overlap` can prove a test
        split was never seen) and used to hold out whole threads when
        ``validation_fraction`` is set.
    embedding_dim, hidden_dim : int, default=128
        Sizes of the encoder.
    pooling : {"last", "attention"}, default="attention"
        Pooling of the LSTM states (see the classifiers).
    tokenizer : {"words", "chars"}, default="chars"
        jieba words (:func:`~sklearn_emoji.text.tokenize`) or Han characters
        (:func:`~sklearn_emoji.text.tokenize_chars`); recorded so that
        fine-tuning tokenizes the same way.
    min_freq : int, default=2
        Rarer tokens are OOV.
    max_vocab : int or None, default=50000
        Most tokens kept (the most frequent).
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    batch_size : int, default=128
    max_epochs : int, default=3
        Passes over the corpus (no early stopping unless
        ``validation_fraction`` is set).
    validation_fraction : float or None, default=None
        Hold out this share (whole threads when ``groups`` is given) for
        early stopping with ``patience``.
    patience : int or None, default=None
        Early-stopping patience when ``validation_fraction`` is set.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"`` or ``"auto"``.
    random_state : int or None, default=None
        Seed of the weights, the shuffling and the dropout.
    verbose : int, default=0
        1: skorch's table of epochs; 2: also a progress bar per epoch.
    pretrained : PretrainedEncoder or None, default=None
        Start from this encoder instead of random weights, e.g. word vectors
        from :func:`sklearn_emoji.vectors.word_vectors_encoder`: its
        vocabulary and tokenizer are then used (``tokenizer``, ``min_freq``
        and ``max_vocab`` are ignored) and its sizes must match.
    corpus : str or None, default=None
        A description of the corpus, kept in ``info["corpus"]``.

    Returns
    -------
    encoder : PretrainedEncoder
        With ``info`` keys ``method``, ``tokenizer``, ``corpus``,
        ``n_dialogues``, ``n_classes``, ``epochs``, ``train_seconds``,
        ``history`` (per-epoch losses) and ``groups`` (sorted root posts,
        when given).

    Examples
    --------
    >>> from sklearn_emoji.pretraining import pretrain_encoder
    >>> X = [["今天天气好", "是啊"], ["好难过"], ["哈哈哈", "太好笑了"], ["难过"]] * 3
    >>> y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"] * 3
    >>> enc = pretrain_encoder(X, y, embedding_dim=8, hidden_dim=8, max_epochs=1,
    ...                        min_freq=1, random_state=0)
    >>> enc.architecture, enc.classes
    ('hierarchical', ['[哈哈]', '[泪]'])
    """
    from .neural import FLSTMClassifier, HLSTMClassifier, SLSTMClassifier

    classifiers = dict(zip(LSTM_METHODS, (SLSTMClassifier, FLSTMClassifier, HLSTMClassifier)))
    ids, y, vocabulary, vocab_size, tok_name = _training_ids(
        X, y, method, pretrained, _tokenizer_name(tokenizer), min_freq, max_vocab
    )
    y, groups = _check_targets(ids, y, groups)
    clf = classifiers[method](
        embedding_dim=embedding_dim,
        hidden_dim=hidden_dim,
        pooling=pooling,
        vocab_size=vocab_size,
        pretrained=pretrained,
        optimizer=optimizer,
        lr=lr,
        batch_size=batch_size,
        max_epochs=max_epochs,
        validation_fraction=validation_fraction,
        patience=patience,
        device=device,
        random_state=random_state,
        verbose=verbose,
    )
    start = time.perf_counter()
    clf.fit(ids, y, groups=groups if validation_fraction is not None else None)
    seconds = time.perf_counter() - start
    return _encoder_from_classifier(
        clf,
        vocabulary,
        tokenizer=tok_name,
        corpus=corpus or "",
        n_dialogues=len(ids),
        groups=groups,
        train_seconds=seconds,
        device=str(device),
        max_turns=4,
    )


def _training_ids(X, y, method, pretrained, tok_name, min_freq, max_vocab):
    """``(ids, y, vocabulary, vocab_size, tokenizer name)`` of dialogues or of token arrays on disk."""
    from .neural import TokenArrays, load_token_arrays

    if isinstance(X, (str, os.PathLike)):
        X = load_token_arrays(X)
    if isinstance(X, TokenArrays):
        ids, vocabulary, tok_name, y = _arrays_input(X, y, method, pretrained)
        return ids, y, vocabulary, X.vocab_size, tok_name
    X = check_dialogues(X)
    if y is None:
        raise ValueError("pretrain_encoder needs y, the emoji of each dialogue.")
    flattener, tok = make_encoder_tokenizer(
        method, encoder=pretrained, tokenizer=tok_name, min_freq=min_freq, max_vocab=max_vocab
    )
    if pretrained is not None:
        tok_name = pretrained.info.get("tokenizer", "words")
    texts = flattener.fit_transform(X) if flattener is not None else X
    ids = tok.fit_transform(texts)
    return ids, y, tok.vocabulary_, tok.vocab_size_, tok_name


def _check_targets(ids, y, groups):
    """Labels and groups as arrays (groups may be None), refused unless one per dialogue."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(ids):
        raise ValueError(f"y must hold one emoji per dialogue: {len(ids)} dialogues, y of shape {y.shape}")
    if groups is None:
        return y, None
    groups = np.asarray(groups)
    if groups.shape != (len(ids),):
        raise ValueError(f"groups must hold one group per dialogue: {len(ids)} dialogues, shape {groups.shape}")
    return y, groups


def _arrays_input(arrays, y, method, pretrained):
    """Ids, vocabulary, tokenizer name and labels of a corpus tokenized to disk."""
    meta = arrays.meta
    layout = {"HierarchicalTokenizer": ("H-LSTM",), "SequenceTokenizer": ("S-LSTM", "F-LSTM")}[meta["tokenizer"]]
    flatten = {"reply": "S-LSTM", "all": "F-LSTM"}.get(meta.get("flatten"))
    if method not in layout or (flatten is not None and method != flatten):
        raise ValueError(
            f"method={method!r} does not match the token arrays at {arrays.path}: they were written by a "
            f"{meta['tokenizer']}"
            + (f" after DialogueFlattener(turns={meta['flatten']!r})" if flatten else "")
            + f", which suits {flatten or ' or '.join(layout)}."
        )
    if pretrained is not None:
        from .neural._streaming import vocabulary_fingerprint

        if vocabulary_fingerprint(pretrained.vocabulary) != arrays.vocabulary_fingerprint:
            raise ValueError(
                f"the token arrays at {arrays.path} were not written with the vocabulary of `pretrained`; "
                "write them with a tokenizer fitted as Tokenizer(vocabulary=pretrained)."
            )
    if y is None:
        if arrays.y is None:
            raise ValueError(f"the token arrays at {arrays.path} hold no labels; pass y.")
        y = arrays.y
    tok_name = pretrained.info.get("tokenizer", "words") if pretrained is not None else meta.get("tokenize")
    return arrays.ids, arrays.vocabulary, tok_name or "words", y


def _encoder_from_classifier(clf, vocabulary, *, tokenizer, corpus, n_dialogues, groups=None, **info):
    """The :class:`~sklearn_emoji.neural.PretrainedEncoder` of a fitted LSTM classifier.

    The one place an encoder is made from a pre-trained classifier (its
    weights, sizes, pooling, softmax rows and a record of what it saw);
    ``info`` adds plain values to the record.
    """
    from .neural import FLSTMClassifier, HLSTMClassifier, PretrainedEncoder, SLSTMClassifier

    method = {SLSTMClassifier: "S-LSTM", FLSTMClassifier: "F-LSTM", HLSTMClassifier: "H-LSTM"}[type(clf)]
    module = clf.net_.module_
    record = {
        "method": method,
        "tokenizer": tokenizer,
        "corpus": corpus,
        "n_dialogues": int(n_dialogues),
        "n_classes": int(len(clf.classes_)),
        "epochs": int(clf.n_epochs_),
        "history": [
            {k: float(row[k]) for k in ("epoch", "train_loss", "valid_loss", "valid_acc", "dur") if k in row}
            for row in clf.net_.history
        ],
        **info,
    }
    if groups is not None:
        record["groups"] = sorted({str(g) for g in groups})
    rows = module.embedding.num_embeddings
    return PretrainedEncoder(
        architecture="hierarchical" if method == "H-LSTM" else "sequence",
        # an added token that truncation kept out of every training row has no embedding row: it stays OOV
        vocabulary={tok: i for tok, i in vocabulary.items() if i < rows},
        embedding_dim=module.embedding.embedding_dim,
        hidden_dim=module.output.in_features,
        pooling=module.pooling,
        state_dict=module.state_dict(),
        classes=[str(c) for c in clf.classes_],
        info=record,
    )
