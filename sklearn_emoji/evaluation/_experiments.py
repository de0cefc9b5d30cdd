"""The experiment harness: fit methods, score them, tables and result files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .._compat import StrOptions, validate_params
from .._utils import atomic_write_bytes, final_estimator
from ..persistence import save_model

#: Methods :func:`evaluate_on_tweeteval` runs by default: the English ones
#: that train on a CPU in minutes (F-BOW equals S-BOW on one-turn tweets).
TWEETEVAL_METHODS = ["S-BOW", "LEXICON", "LEXICON+BOW", "EN-LINEAR", "EN-LINEAR+SVM"]

#: Keys of ``lstm_params`` that :func:`method_params` routes to the LSTM classifier of a method.
LSTM_PARAMS = ("embedding_dim", "hidden_dim", "max_epochs", "batch_size", "device", "fine_tuning", "verbose")


def split_by_root_post(bunch, *, test_size=0.2, random_state=0):
    """Train/test split of a dialogue dataset by root post (group).

    Every dialogue of a thread lands on the same side, so no test thread is
    seen in training. This is the split of ``sklearn-emoji evaluate`` and of
    ``pretrain`` (which leaves its test threads out).

    Parameters
    ----------
    bunch : Bunch
        With ``data``, ``target`` and ``groups``, as
        :func:`~sklearn_emoji.datasets.load_weibo_dialogues` returns.
    test_size : float, default=0.2
        Share of the root posts held out.
    random_state : int, default=0

    Returns
    -------
    Bunch
        ``X_train``, ``y_train``, ``groups_train``, ``X_test``, ``y_test``,
        ``groups_test``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from sklearn_emoji.evaluation import split_by_root_post
    >>> data = Bunch(data=[["a"], ["b"], ["c"], ["d"]], target=np.array(["x", "y", "x", "y"]),
    ...              groups=np.array([0, 0, 1, 1]))
    >>> s = split_by_root_post(data, test_size=0.5)
    >>> len(s.X_train), len(s.X_test), set(s.groups_train) & set(s.groups_test)
    (2, 2, set())
    """
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.utils import Bunch

    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train, test = next(splitter.split(bunch.data, bunch.target, groups=bunch.groups))
    X, y, groups = bunch.data, np.asarray(bunch.target), np.asarray(bunch.groups)
    return Bunch(
        X_train=[X[i] for i in train],
        y_train=y[train],
        groups_train=groups[train],
        X_test=[X[i] for i in test],
        y_test=y[test],
        groups_test=groups[test],
    )


def method_params(name, lstm_params=None, *, settings=None, pretrained=None):
    """:func:`~sklearn_emoji.pipelines.make_method` keyword arguments for the LSTM options of a method.

    The registry (:func:`~sklearn_emoji.pipelines.method_info`) says whether
    the method is neural and where its LSTM classifier sits; a method without
    one gets ``{}``, so one set of options serves a whole list of methods.

    Parameters
    ----------
    name : str
        A method name.
    lstm_params : dict, default=None
        Classifier parameters by bare name (keys of :data:`LSTM_PARAMS`),
        e.g. ``{"hidden_dim": 64, "max_epochs": 3}``; ``None`` values are skipped.
    settings : {"paper"} or None, default=None
        Passed on to ``make_method``.
    pretrained : PretrainedEncoder or None, default=None
        Passed on to ``make_method``.

    Returns
    -------
    dict

    Examples
    --------
    >>> from sklearn_emoji.evaluation import method_params
    >>> method_params("H-LSTM+LEXICON", {"hidden_dim": 64, "device": None})
    {'hlstm__clf__hidden_dim': 64}
    >>> method_params("S-BOW", {"hidden_dim": 64})
    {}
    """
    from ..pipelines import method_info

    info = method_info(name)
    if not info.neural:
        return {}
    unknown = sorted(set(lstm_params or {}) - set(LSTM_PARAMS))
    if unknown:
        raise ValueError(f"unknown LSTM parameters {unknown}; expected some of {list(LSTM_PARAMS)}")
    params = {f"{info.lstm_prefix}clf__{k}": v for k, v in (lstm_params or {}).items() if v is not None}
    if settings is not None:
        params["settings"] = settings
    if pretrained is not None:
        params["pretrained"] = pretrained
    return params


def _fit_params(name, groups):
    """``fit`` keyword arguments handing ``groups`` to a method whose registry entry takes them."""
    from ..pipelines import method_info

    param = method_info(name).groups_param
    return {} if groups is None or param is None else {param: groups}


@validate_params(
    {"per_emoji": [StrOptions({"p@1", "f1"})]},
    prefer_skip_nested_validation=False,  # the methods it fits check their own parameters
)
def evaluate_methods(
    methods,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    random_state=0,
    params=None,
    progress=True,
    groups=None,
    per_emoji="p@1",
    on_method_done=None,
):
    """Fit each named method and score it on the test part.

    Parameters
    ----------
    methods : list of str
        Names for :func:`sklearn_emoji.pipelines.make_method`.
    X_train, y_train, X_test, y_test : lists
        Dialogues and emojis.
    random_state : int, default=0
    params : dict of str -> dict, default=None
        Extra ``make_method`` arguments per method name.
    progress : bool, default=True
        Show a progress bar over the methods.
    groups : array-like of shape (len(X_train),), default=None
        Group of each training sample (root post). Methods whose registry
        entry takes groups (the LSTM pipelines) keep whole groups out for
        early stopping.
    per_emoji : {"p@1", "f1"}, default="p@1"
        What ``table3`` holds for each emoji: the P@1 of its test samples
        (Xie et al.'s Table 3, the recall of that emoji) or its F1
        (:func:`~sklearn_emoji.metrics.per_emoji_f1`, whose mean is the
        macro-F1 of TweetEval).
    on_method_done : callable or None, default=None
        Called as ``on_method_done(table2, table3)`` after each method, with
        the tables so far (e.g. to save them, so an interrupted run keeps
        every finished method).

    Returns
    -------
    table2 : dict
        Method -> ``{"p@1", "p@3", "mrr", "macro_f1", "fit_seconds"}`` (and
        ``"n_epochs"`` for models trained in epochs).
    table3 : dict
        Method -> emoji -> P@1 (or F1, see ``per_emoji``) of that emoji.
    models : dict
        Method -> fitted model.
    """
    from tqdm.auto import tqdm

    from ..metrics import get_scorer_dict, per_emoji_f1
    from ..pipelines import make_method

    params = params or {}
    scorers = get_scorer_dict(ks=(1, 3))
    table2, table3, models = {}, {}, {}
    y_test = np.asarray(y_test, dtype=object)
    emojis = sorted(set(y_test))
    bar = tqdm(methods, desc="methods", disable=not progress)
    for name in bar:
        bar.set_postfix_str(name)
        model = make_method(name, random_state=random_state, **params.get(name, {}))
        start = time.perf_counter()
        model.fit(X_train, y_train, **_fit_params(name, groups))
        fit_seconds = time.perf_counter() - start
        proba = model.predict_proba(X_test)
        classes = list(model.classes_)
        table2[name] = {**scorers.score(y_test, proba, classes), "fit_seconds": fit_seconds}
        final = final_estimator(model)
        if hasattr(final, "n_epochs_"):  # the LSTMs: epochs run before early stopping
            table2[name]["n_epochs"] = int(final.n_epochs_)
        if per_emoji == "f1":
            f1 = per_emoji_f1(y_test, proba, labels=classes, unseen="miss")
            table3[name] = {str(e): f1.get(str(e), 0.0) for e in emojis}
        else:
            top1 = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
            table3[name] = {str(e): float(np.mean(top1[y_test == e] == e)) for e in emojis}
        models[name] = model
        if on_method_done is not None:
            on_method_done(table2, table3)
    return table2, table3, models


def format_table2(table2):
    """Table 2 of Xie et al. as text (percentages), with macro-F1 where the rows have it.

    Examples
    --------
    >>> from sklearn_emoji.evaluation import format_table2
    >>> print(format_table2({"S-BOW": {"p@1": 0.25, "p@3": 0.5, "mrr": 0.4, "fit_seconds": 1.0}}))
    Method        P@1 (%)  P@3 (%)  MRR (%)  fit (s)
    S-BOW            25.0     50.0     40.0      1.0
    """
    width = max([12] + [len(name) + 2 for name in table2])
    f1 = all("macro_f1" in row for row in table2.values())
    lines = [
        f"{'Method':<{width}}{'P@1 (%)':>9}{'P@3 (%)':>9}{'MRR (%)':>9}"
        + (f"{'F1 (%)':>9}" if f1 else "")
        + f"{'fit (s)':>9}"
    ]
    for name, row in table2.items():
        lines.append(
            f"{name:<{width}}{100 * row['p@1']:>9.1f}{100 * row['p@3']:>9.1f}{100 * row['mrr']:>9.1f}"
            + (f"{100 * row['macro_f1']:>9.1f}" if f1 else "")
            + f"{row['fit_seconds']:>9.1f}"
        )
    return "\n".join(lines)


def format_table3(table3):
    """Table 3 of Xie et al. (P@1 per emoji, or F1 per emoji) as text (percentages).

    Examples
    --------
    >>> from sklearn_emoji.evaluation import format_table3
    >>> print(format_table3({"S-BOW": {"[哈哈]": 0.5}}))
    Emoji          S-BOW
    [哈哈]            50.0
    """
    methods = list(table3)
    emojis = sorted({e for row in table3.values() for e in row})
    widths = [max(10, len(m) + 2) for m in methods]
    lines = [f"{'Emoji':<10}" + "".join(f"{m:>{w}}" for m, w in zip(methods, widths))]
    for e in emojis:
        lines.append(
            f"{e:<10}" + "".join(f"{100 * table3[m].get(e, float('nan')):>{w}.1f}" for m, w in zip(methods, widths))
        )
    return "\n".join(lines)


def write_results(result, path):
    """Write an experiment's result dict as UTF-8 JSON, atomically.

    Parameters
    ----------
    result : dict
        As :func:`evaluate_on_weibo` or :func:`evaluate_on_tweeteval` return it.
    path : str or Path

    Returns
    -------
    path : str
    """
    return atomic_write_bytes(path, json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8"))


def save_models(models, folder, *, training_data=None):
    """Save each fitted model as ``folder/<method>.pkl`` with :func:`save_model`.

    Parameters
    ----------
    models : dict of str -> estimator
        Method name -> fitted model (the third value of :func:`evaluate_methods`).
    folder : str or Path
    training_data : str, default=None
        Description of the training data, recorded in each file's header.

    Returns
    -------
    list of str
        The paths written.
    """
    return [
        save_model(model, Path(folder) / f"{name}.pkl", metadata={"method": name, "training_data": training_data})
        for name, model in models.items()
    ]


def _subsample(X, y, n_samples, random_state):
    if n_samples is None or n_samples >= len(X):
        return X, y
    if n_samples < 1:
        raise ValueError(f"n_samples must be a positive int, got {n_samples}")
    idx = np.sort(np.random.RandomState(random_state).choice(len(X), n_samples, replace=False))
    return [X[i] for i in idx], y[idx]


def _methods(methods, default):
    """Canonical method names from a list or a comma-separated string (``None``: ``default``).

    Unknown names are refused here, before any data is loaded.
    """
    from ..pipelines import method_info

    if methods is None:
        return list(default)
    if isinstance(methods, str):
        methods = methods.split(",")
    return [method_info(m).name for m in methods if not isinstance(m, str) or m.strip()]


def _encoder(pretrained):
    """``(encoder, what to record)`` from an encoder, a shipped name, a path to one, or ``None``."""
    if pretrained is None:
        return None, None
    from ..pretrained import resolve_encoder

    if isinstance(pretrained, (str, Path)):
        return resolve_encoder(pretrained), str(pretrained)
    return resolve_encoder(pretrained), repr(pretrained)


def _lstm_settings(lstm_params, settings, source):
    """The LSTM options as a result file records them."""
    lstm_params = {k: v for k, v in (lstm_params or {}).items() if v is not None}
    return {
        "neural_params": {f"clf__{k}": v for k, v in lstm_params.items() if k != "fine_tuning"},
        "pretrained": source,
        "fine_tuning": lstm_params.get("fine_tuning"),
        "paper_settings": settings == "paper",
    }


def evaluate_on_weibo(
    methods=None,
    *,
    data_home=None,
    n_samples=None,
    long_turns="drop",
    test_size=0.2,
    random_state=0,
    lstm_params=None,
    settings=None,
    pretrained=None,
    progress=True,
    verbose=True,
    on_method_done=None,
):
    """Xie et al.'s experiment: fit each method on the Weibo dialogues, score it on held-out threads.

    Loads :func:`~sklearn_emoji.datasets.load_weibo_dialogues`, splits it by
    root post (:func:`split_by_root_post`), checks that a pre-trained encoder
    saw none of the test threads, and runs :func:`evaluate_methods` (Table 2
    and Table 3, P@1 per emoji). This is ``sklearn-emoji evaluate``.

    Parameters
    ----------
    methods : list of str, str or None, default=None
        Method names (or one comma-separated string); ``None``: all of them.
    data_home, n_samples, long_turns, random_state
        Passed to the loader (``random_state`` also seeds the split and the models).
    test_size : float, default=0.2
        Share of the root posts held out.
    lstm_params, settings
        LSTM options, applied to the neural methods (:func:`method_params`).
    pretrained : PretrainedEncoder, str, Path or None, default=None
        An encoder, or the path of one saved by ``sklearn-emoji pretrain``,
        to fine-tune the neural methods from. It must have seen none of the
        test threads (:func:`~sklearn_emoji.neural.check_no_overlap` raises
        otherwise).
    progress : bool, default=True
        Progress bar over the methods.
    verbose : bool, default=True
        Print what was loaded and the encoder check.
    on_method_done : callable or None, default=None
        Called as ``on_method_done(result)`` after each method with the
        result so far (``complete`` is False until the last method).

    Returns
    -------
    result : dict
        ``version``, ``settings``, ``training_data`` (a description, for
        :func:`save_models`), ``table2`` and ``table3``, ready for
        :func:`write_results` and :func:`format_table2` / :func:`format_table3`.
    models : dict
        Method name -> fitted model.
    """
    from ..datasets import load_weibo_dialogues
    from ..pipelines import available_methods

    methods = _methods(methods, available_methods())
    bunch = load_weibo_dialogues(
        data_home=data_home, long_turns=long_turns, n_samples=n_samples, random_state=random_state
    )
    split = split_by_root_post(bunch, test_size=test_size, random_state=random_state)
    if verbose:
        print(
            f"Weibo dialogues: {len(bunch.data)} ({len(split.X_train)} train, {len(split.X_test)} test, "
            f"split by root post), {len(bunch.target_names)} emojis",
            flush=True,
        )
    pretrained, source = _encoder(pretrained)
    if pretrained is not None:
        from ..neural import check_no_overlap

        n_seen = check_no_overlap(pretrained, split.groups_test)
        if verbose:
            print(f"pre-trained encoder {source}: {n_seen} root posts seen, none of the test threads", flush=True)
    n_train, n_test = len(split.X_train), len(split.X_test)
    head = dict(methods=methods, n_dialogues=len(bunch.data), n_train=n_train, n_test=n_test, test_size=test_size)
    head.update(random_state=random_state, long_turns=long_turns, n_samples=n_samples)
    what = f"the training part of a split by root post (test_size={test_size}, random_state={random_state})"
    return _run_experiment(
        methods,
        (split.X_train, split.y_train, split.X_test, split.y_test),
        head=head,
        training_data=f"Weibo CED dialogues, {what}: {n_train} dialogues",
        options=(lstm_params, settings, pretrained, source),
        random_state=random_state,
        progress=progress,
        groups=split.groups_train,
        on_method_done=on_method_done,
    )


def _run_experiment(methods, data, *, head, training_data, options, random_state, progress, groups=None,
                    per_emoji="p@1", extra=None, on_method_done=None):  # fmt: skip
    """The core of both experiments: fit and score ``methods`` on ``data``, the result dict and the models.

    ``data`` is ``(X_train, y_train, X_test, y_test)``; ``head`` the
    dataset's own settings, to which the LSTM options (``options``: the
    ``lstm_params``, ``settings``, encoder and its source) are added;
    ``extra`` keys close the result. ``on_method_done(result)`` is called
    after each method with the result so far (``complete`` is False until
    the last method).
    """
    from .. import __version__

    lstm_params, settings, pretrained, source = options
    params = {m: method_params(m, lstm_params, settings=settings, pretrained=pretrained) for m in methods}
    result = {
        "version": __version__,
        "settings": {**head, **_lstm_settings(lstm_params, settings, source)},
        "training_data": training_data,
        "complete": False,
        "table2": {},
        "table3": {},
        **(extra or {}),
    }

    def done(table2, table3):
        result.update(table2=dict(table2), table3=dict(table3), complete=len(table2) == len(methods))
        if on_method_done is not None:
            on_method_done(result)

    _, _, models = evaluate_methods(
        methods,
        *data,
        random_state=random_state,
        params=params,
        progress=progress,
        groups=groups,
        per_emoji=per_emoji,
        on_method_done=done,
    )
    return result, models


def evaluate_on_tweeteval(
    methods=None,
    *,
    data_home=None,
    n_samples=None,
    remnants="remove",
    random_state=0,
    lstm_params=None,
    settings=None,
    pretrained=None,
    progress=True,
    verbose=True,
    on_method_done=None,
):
    """Emoji prediction on TweetEval's official train/test split (macro-F1 is its measure).

    ``sklearn-emoji evaluate --dataset tweeteval``. Table 3 holds the F1 of
    each emoji.

    Parameters
    ----------
    methods : list of str, str or None, default=None
        Method names; ``None``: :data:`TWEETEVAL_METHODS`.
    data_home : str or None, default=None
    n_samples : int or None, default=None
        Use a random subset of this many tweets of each split.
    remnants : {"remove", "keep"}, default="remove"
        Passed to :func:`~sklearn_emoji.datasets.load_tweeteval_emoji`.
    random_state : int, default=0
    lstm_params, settings, pretrained, progress, verbose, on_method_done
        As in :func:`evaluate_on_weibo`.

    Returns
    -------
    result : dict
        ``version``, ``settings``, ``training_data``, ``complete``, ``table2``,
        ``table3`` and ``table3_measure`` (``"f1"``).
    models : dict
    """
    from ..datasets import load_tweeteval_emoji

    methods = _methods(methods, TWEETEVAL_METHODS)
    kw = dict(data_home=data_home, remnants=remnants, return_X_y=True)
    X_train, y_train = _subsample(*load_tweeteval_emoji("train", **kw), n_samples, random_state)
    X_test, y_test = _subsample(*load_tweeteval_emoji("test", **kw), n_samples, random_state + 1)
    if verbose:
        print(
            f"TweetEval emoji: {len(X_train)} train, {len(X_test)} test tweets (official split), "
            f"{len(set(y_train) | set(y_test))} emojis, emoji remnants {'kept' if remnants == 'keep' else 'removed'}",
            flush=True,
        )
    pretrained, source = _encoder(pretrained)
    head = dict(dataset="tweeteval", methods=methods, n_train=len(X_train), n_test=len(X_test), remnants=remnants)
    head.update(random_state=random_state, n_samples=n_samples)
    return _run_experiment(
        methods,
        (X_train, y_train, X_test, y_test),
        head=head,
        training_data=f"TweetEval emoji, train split: {len(X_train)} tweets, emoji remnants {remnants}",
        options=(lstm_params, settings, pretrained, source),
        random_state=random_state,
        progress=progress,
        per_emoji="f1",
        extra={"table3_measure": "f1"},
        on_method_done=on_method_done,
    )


def train_on_weibo(
    method,
    *,
    data_home=None,
    n_samples=None,
    long_turns="drop",
    random_state=0,
    lstm_params=None,
    settings=None,
    pretrained=None,
    verbose=True,
):
    """Fit one method on all the Weibo dialogues (``sklearn-emoji train``).

    Groups (root posts) reach the methods that take them, for early stopping
    on whole threads.

    Parameters
    ----------
    method : str
        A method name.
    data_home, n_samples, long_turns, random_state
        As in :func:`evaluate_on_weibo`.
    lstm_params, settings, pretrained
        As in :func:`evaluate_on_weibo` (no test threads here, so no overlap check).
    verbose : bool, default=True
        Print what is being fitted.

    Returns
    -------
    model : estimator
        The fitted model.
    metadata : dict
        ``method`` and ``training_data``, for :func:`save_model`.
    """
    from ..datasets import load_weibo_dialogues
    from ..pipelines import make_method, method_info

    name = method_info(method).name
    bunch = load_weibo_dialogues(
        data_home=data_home, long_turns=long_turns, n_samples=n_samples, random_state=random_state
    )
    pretrained, source = _encoder(pretrained)
    params = method_params(name, lstm_params, settings=settings, pretrained=pretrained)
    model = make_method(name, random_state=random_state, **params)
    if verbose:
        print(f"fitting {name} on {len(bunch.data)} Weibo dialogues", flush=True)
    model.fit(bunch.data, bunch.target, **_fit_params(name, bunch.groups))
    what = f"Weibo CED dialogues: {len(bunch.data)}, {len(bunch.target_names)} emojis, long turns {long_turns}"
    if source is not None:
        what += f", fine-tuned from {source}"
    return model, {"method": name, "training_data": what}
