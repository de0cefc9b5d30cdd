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

Two more starts, before the emoji pre-training: word2vec vectors
(:func:`sklearn_emoji.vectors.word_vectors_encoder`, the shipped recipe) and
a language model of the unlabelled replies, ULMFiT's first step
(:func:`pretrain_language_model`); and the replies that hold several emojis
can join the emoji pre-training as soft targets (a 2-D ``y`` with
``classes``, from ``load_weibo_pretraining(several_emojis=True)``).

Leak-free evaluation: pre-train only on threads that are not in the test
split. ``load_weibo_pretraining(exclude_groups=test_groups)`` gives such a
corpus; pass its ``groups`` to :func:`pretrain_encoder` so the encoder records
the root posts it saw, and :func:`~sklearn_emoji.neural.check_no_overlap`
checks it later.
"""

from __future__ import annotations

import os
import time
from numbers import Integral, Real

import numpy as np
import torch

from ._compat import Interval, StrOptions, validate_params
from ._options import LSTM_METHODS, POOLINGS, TOKENIZER_NAMES
from ._validation import check_dialogues
from ._vocabulary import LSTM_RECIPES, recipe_steps
from .text import DEFAULT_TOKENIZER, TOKENIZERS

__all__ = ["pretrain_encoder", "pretrain_language_model", "TOKENIZERS"]

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
    classes=None,
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
    y : array-like of str, array of shape (n_dialogues, n_emojis) or None, default=None
        The emoji of each reply; or soft targets, each row a distribution
        over ``classes`` (e.g. ``load_weibo_pretraining(several_emojis=True)
        .target_proba``: a reply holding two emojis counts half for each);
        ``None`` only for a ``TokenArrays`` that holds its labels.
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
    classes : array-like of str or None, default=None
        The emoji of each column of a 2-D ``y`` (soft targets; then
        ``validation_fraction`` must be None); None for labels.

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
    y, groups = _check_targets(ids, y, groups, classes)
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
    if y.ndim == 2:
        clf._fit_soft(ids, y, classes)
    else:
        clf.fit(ids, y, groups=groups if validation_fraction is not None else None)
    seconds = time.perf_counter() - start
    return _encoder_from_classifier(
        clf,
        vocabulary,
        tokenizer=tok_name,
        corpus=corpus or "",
        n_dialogues=len(ids),
        # with those of `pretrained` when it records them; else its own alone, as before
        groups=_seen_groups(groups, pretrained) or groups,
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


def _check_targets(ids, y, groups, classes=None):
    """Labels (or soft targets) and groups as arrays (groups may be None), refused unless one per dialogue."""
    y = np.asarray(y)
    if y.ndim == 2 and classes is None:
        raise ValueError("y of soft targets (2-D) needs classes, the emoji of each column")
    if y.ndim == 1 and classes is not None:
        raise ValueError("classes is for soft targets (a 2-D y); a 1-D y names its emojis itself")
    if y.ndim not in (1, 2) or len(y) != len(ids):
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


def _check_texts(texts):
    """``texts`` as a list of str, refused with a message naming the first bad item."""
    if texts is None or isinstance(texts, (str, bytes)):
        raise TypeError(f"texts must be a list of str, got {type(texts).__name__}")
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty: a language model needs some text")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
    return texts


def _seen_groups(groups, pretrained):
    """The root posts an encoder saw: its corpus's and its starting encoder's; None if unknown."""
    if groups is None:
        return None
    seen = {str(g) for g in groups}
    if pretrained is not None:
        earlier = pretrained.info.get("groups")
        if earlier is None:  # the starting encoder's corpus is unknown: no record, so no false proof
            return None
        seen |= {str(g) for g in earlier}
    return sorted(seen)


@validate_params(
    {
        "tokenizer": [StrOptions(set(TOKENIZER_NAMES))],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_dim": [Interval(Integral, 1, None, closed="left")],
        "min_freq": [Interval(Integral, 1, None, closed="left")],
        "max_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "max_len": [Interval(Integral, 2, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def pretrain_language_model(
    texts,
    *,
    groups=None,
    exclude_groups=None,
    pretrained=None,
    embedding_dim=128,
    hidden_dim=128,
    tokenizer="words",
    min_freq=2,
    max_vocab=50000,
    max_len=50,
    dropout=0.1,
    optimizer=torch.optim.Adam,
    lr=1e-3,
    batch_size=128,
    max_epochs=1,
    device="cpu",
    random_state=None,
    verbose=0,
    corpus=None,
):
    """Pre-train the H-LSTM's word level as a language model on unlabelled texts (ULMFiT).

    A word-level LSTM (:class:`~sklearn_emoji.neural._language_model.ReplyLanguageModel`:
    the H-LSTM's ``embedding`` and ``word_lstm``, then an adaptive softmax)
    learns to predict every next token of ``texts``, e.g. the 590,000
    unlabelled Weibo replies of :func:`~sklearn_emoji.datasets.load_weibo_replies`,
    four times the emoji pre-training corpus. Its embedding and LSTM are
    returned as a :class:`~sklearn_emoji.neural.PretrainedEncoder`; hand it
    to :func:`pretrain_encoder` (``pretrained=``) for emoji pre-training or
    straight to a classifier for fine-tuning. The softmax over the vocabulary
    is dropped, as ULMFiT drops its decoder.

    Parameters
    ----------
    texts : list of str
        The unlabelled texts, one sequence each (cut after ``max_len``
        tokens).
    groups : array-like of str or None, default=None
        The root post (thread) of each text, recorded in the encoder so that
        :func:`~sklearn_emoji.neural.check_no_overlap` can prove a test split
        was never seen (with those of ``pretrained``). Without it the encoder
        records nothing, and ``check_no_overlap`` refuses it.
    exclude_groups : array-like of str or None, default=None
        Threads that must not be in the corpus, e.g. a test split's groups: a
        corpus holding any of them is refused before training (needs
        ``groups``). Filter it first with
        ``load_weibo_replies(exclude_groups=...)``.
    pretrained : PretrainedEncoder or None, default=None
        Start from this encoder, e.g. word2vec vectors from
        :func:`sklearn_emoji.vectors.word_vectors_encoder`: its vocabulary,
        tokenizer and embedding (and word LSTM, if it has one) are used, and
        ``tokenizer``, ``min_freq``, ``max_vocab`` are ignored.
    embedding_dim, hidden_dim : int, default=128
        Sizes (those of the H-LSTM to seed; ``embedding_dim`` must be
        ``pretrained``'s).
    tokenizer : {"words", "chars"}, default="words"
        How texts are cut into tokens when there is no ``pretrained``.
    min_freq : int, default=2
    max_vocab : int or None, default=50000
        The vocabulary learned when there is no ``pretrained``.
    max_len : int, default=50
        Tokens kept per text (the H-LSTM's per-turn length).
    dropout : float, default=0.1
        Dropout before the softmax.
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    batch_size : int, default=128
    max_epochs : int, default=1
        Passes over ``texts``.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"`` or ``"auto"``.
    random_state : int or None, default=None
        Seed of the weights not taken from ``pretrained``, the shuffling and
        the dropout.
    verbose : int, default=0
        1: skorch's table of epochs; 2: also a progress bar.
    corpus : str or None, default=None
        A description of the corpus, kept in ``info["corpus"]``.

    Returns
    -------
    encoder : PretrainedEncoder
        Hierarchical, with layers ``embedding`` and ``word_lstm``; ``info``
        has ``objective="language model"``, ``n_texts``, ``n_tokens`` (the
        tokens predicted per epoch), ``epochs``, ``history`` (``train_loss``
        in nats per token), ``perplexity``, ``train_seconds`` and
        ``groups`` (when known).

    Raises
    ------
    TestThreadsSeen
        ``groups`` holds a thread of ``exclude_groups``.

    Examples
    --------
    >>> from sklearn_emoji.pretraining import pretrain_language_model
    >>> texts = ["今天天气很好", "哈哈太好笑了", "好难过啊", "今天好开心"] * 5
    >>> enc = pretrain_language_model(texts, groups=["a", "b", "c", "d"] * 5, embedding_dim=8,
    ...                               hidden_dim=8, min_freq=1, random_state=0)
    >>> enc.layers, enc.info["objective"], enc.info["groups"]
    (['embedding', 'word_lstm'], 'language model', ['a', 'b', 'c', 'd'])
    """
    from sklearn.utils import check_random_state
    from skorch.callbacks import ProgressBar

    from .neural import PretrainedEncoder
    from .neural._language_model import LanguageModelNet, ReplyLanguageModel
    from .neural._net import _check_device
    from .neural._transfer import refuse_seen
    from .preprocessing import SequenceTokenizer

    texts = _check_texts(texts)
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != (len(texts),):
            raise ValueError(f"groups must hold one group per text: {len(texts)} texts, groups of shape {groups.shape}")
    if exclude_groups is not None:
        if groups is None:
            raise ValueError("exclude_groups needs groups, the root post of each text, to check the corpus")
        refuse_seen(
            groups,
            exclude_groups,
            found="the language-model corpus holds {n} excluded thread(s) (e.g. {examples})",
            advice="load it with load_weibo_replies(exclude_groups=...)",
        )
    if pretrained is not None and pretrained.embedding_dim != embedding_dim:
        raise ValueError(f"embedding_dim={embedding_dim} but `pretrained` has embedding_dim={pretrained.embedding_dim}")
    if pretrained is not None and "word_lstm" in pretrained.layers and pretrained.hidden_dim != hidden_dim:
        raise ValueError(f"hidden_dim={hidden_dim} but `pretrained`'s word LSTM has {pretrained.hidden_dim}")
    device = _check_device(device)
    tok_name = pretrained.info.get("tokenizer", "words") if pretrained is not None else tokenizer
    tok = SequenceTokenizer(
        max_len=max_len,
        min_freq=min_freq,
        max_vocab=max_vocab,
        tokenizer=TOKENIZERS[tok_name],
        vocabulary=pretrained,
    )
    ids = tok.fit_transform(texts)
    lengths = (ids != 0).sum(1)
    n_tokens = int(np.maximum(lengths - 1, 0).sum())
    if n_tokens == 0:
        raise ValueError(f"none of the {len(texts)} texts has two tokens: there is no next token to predict")
    seed = None if random_state is None else int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    net = LanguageModelNet(
        ReplyLanguageModel,
        module__vocab_size=tok.vocab_size_,
        module__embedding_dim=embedding_dim,
        module__hidden_dim=hidden_dim,
        module__dropout=dropout,
        criterion=torch.nn.Identity,  # unused: the module returns its loss
        optimizer=optimizer,
        lr=lr,
        batch_size=batch_size,
        max_epochs=max_epochs,
        train_split=None,
        iterator_train__shuffle=True,
        device=device,
        verbose=int(verbose),
        callbacks=[("progress_bar", ProgressBar())] if verbose >= 2 else None,
    )
    start = time.perf_counter()
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        net.initialize()
        if pretrained is not None:
            own = {k: v for k, v in pretrained.state_dict.items() if k.split(".")[0] in ("embedding", "word_lstm")}
            rows = own["embedding.weight"].shape[0]
            with torch.no_grad():  # the tokenizer may add no tokens: the vocabulary is the encoder's
                net.module_.embedding.weight[:rows] = own.pop("embedding.weight").to(net.module_.embedding.weight)
            net.module_.load_state_dict(own, strict=False)
        net.partial_fit(ids, None)
    seconds = time.perf_counter() - start
    losses = [float(row["train_loss"]) for row in net.history]
    if not np.isfinite(losses).all():
        raise FloatingPointError(f"language-model pre-training diverged (loss per epoch {losses}); lower lr (now {lr})")
    module = net.module_
    state = {k: v for k, v in module.state_dict().items() if k.split(".")[0] in ("embedding", "word_lstm")}
    info = {
        "objective": "language model",
        "method": "H-LSTM",
        "tokenizer": tok_name,
        "corpus": corpus or "",
        "n_texts": len(texts),
        "n_tokens": n_tokens,
        "max_len": int(max_len),
        "epochs": len(net.history),
        "history": [{k: float(row[k]) for k in ("epoch", "train_loss", "dur") if k in row} for row in net.history],
        "perplexity": float(np.exp(losses[-1])),
        "train_seconds": seconds,
        "device": str(device),
        "random_state": int(random_state) if isinstance(random_state, (int, np.integer)) else None,
    }
    seen = _seen_groups(groups, pretrained)
    if seen is not None:
        info["groups"] = seen
    return PretrainedEncoder(
        architecture="hierarchical",
        vocabulary=tok.vocabulary_,
        embedding_dim=embedding_dim,
        hidden_dim=hidden_dim,
        pooling="last",
        state_dict=state,
        info=info,
    )


def reply_language_model(
    exclude_groups, *, max_epochs, corpus, data_home=None, n_samples=None, random_state=0, **params
):
    """:func:`pretrain_language_model` on the unlabelled Weibo replies without ``exclude_groups``'s threads.

    The language-model step shared by ``pretrain --language-model``,
    ``build-models --language-model`` and
    ``benchmarks/bench_seed_ensemble.py`` (as
    :func:`sklearn_emoji.vectors.reply_vectors` is for word2vec): the
    corpus is refused if it still holds one of those threads.
    ``params`` go to :func:`pretrain_language_model`. Returns the encoder
    and the number of replies read.
    """
    from .datasets import load_weibo_replies

    replies = load_weibo_replies(exclude_groups=exclude_groups, data_home=data_home, n_samples=n_samples)
    lm = pretrain_language_model(
        replies.data,
        groups=replies.groups,
        exclude_groups=exclude_groups,
        max_epochs=max_epochs,
        random_state=random_state,
        corpus=corpus,
        **params,
    )
    return lm, len(replies.data)
