"""The ready English model: EN-LINEAR fitted on TweetEval's 20 emojis, stored as arrays (no pickle).

A fitted EN-LINEAR pipeline (``DialogueFlattener -> FeatureUnion(word and
char_wb TF-IDF) -> PriorShiftClassifier(LogisticRegression)``, see
:func:`sklearn_emoji.pipelines.make_method`) is all vocabularies and
arrays: :func:`linear_to_artifact` turns it into safetensors arrays (the
``idf_`` of each vectorizer, the logistic regression's ``coef_`` and
``intercept_``, the prior shift's ``class_prior_`` and ``class_weight_``)
and JSON (the vocabularies as token lists in column order, the classes, the
constructor parameters of simple type), and :func:`linear_from_artifact`
rebuilds the pipeline with ``make_method("EN-LINEAR")`` and sets those
attributes, with no fitting: in float64 its ``predict_proba`` is the
original's.

The artifact keeps only the columns that can change a score (see
:func:`prune_linear`): the logistic regression's weights of a column are
dropped when the largest of them in absolute value is under a threshold,
and the threshold is chosen so that the artifact fits the size budget.
:func:`build_english` fits, prunes, scores on the test split and writes
``tweeteval-20`` with a manifest.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

from ._files import PretrainedFileError, sha256_file, write_artifact

__all__ = ["linear_to_artifact", "linear_from_artifact", "prune_linear", "build_english", "ARTIFACT"]

#: Name of the artifact written by :func:`build_english`.
ARTIFACT = "tweeteval-20"
#: The method the artifact holds.
METHOD = "EN-LINEAR"
#: The vectorizers of EN-LINEAR's feature union, in its order.
BLOCKS = ("words", "chars")
_SIMPLE = (str, int, float, bool, type(None))
#: Size budget of the artifact (both files), in bytes.
BUDGET = 12_000_000
_TWEETEVAL_FILES = (
    "mapping.txt",
    "train_text.txt",
    "train_labels.txt",
    "test_text.txt",
    "test_labels.txt",
)


def _simple(value):
    """``value`` as JSON when it is of a simple type (tuples as lists), else ``None`` and False."""
    if isinstance(value, _SIMPLE) and not isinstance(value, np.generic):
        return value, True
    if isinstance(value, tuple) and all(isinstance(v, _SIMPLE) for v in value):
        return list(value), True
    return None, False


def _simple_params(model):
    """The constructor parameters of simple type of every step (``get_params(deep=True)``)."""
    out = {}
    for key, value in sorted(model.get_params(deep=True).items()):
        value, ok = _simple(value)
        if ok:
            out[key] = value
    return out


def _parts(model):
    """``(vectorizers, prior shift, logistic regression)`` of a fitted EN-LINEAR pipeline."""
    try:
        union = model.named_steps["features"]
        vectorizers = dict(union.transformer_list)
        shift = model.named_steps["clf"]
        lr = shift.estimator_
    except (AttributeError, KeyError, TypeError) as exc:
        raise TypeError(f"expected a fitted EN-LINEAR pipeline (make_method('{METHOD}')), got {model!r}") from exc
    if tuple(vectorizers) != BLOCKS:
        raise TypeError(f"expected the feature blocks {BLOCKS}, got {tuple(vectorizers)}")
    return vectorizers, shift, lr


def _tokens(vectorizer):
    """The vocabulary of a fitted vectorizer as a token list ordered by column index."""
    vocab = vectorizer.vocabulary_
    tokens = [None] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    if any(t is None for t in tokens):
        raise ValueError("the vocabulary's column indices are not 0 .. n-1")
    return tokens


def linear_to_artifact(model, *, dtype="float64"):
    """``(tensors, data)``: the learned state of a fitted EN-LINEAR pipeline as arrays and JSON.

    Parameters
    ----------
    model : Pipeline
        A fitted ``make_method("EN-LINEAR")`` (possibly pruned by
        :func:`prune_linear`).
    dtype : {"float64", "float32", "float16"}, default="float64"
        Storage type of the logistic regression's ``coef_`` (the bulk of
        the artifact); every other array is stored in float64.

    Returns
    -------
    tensors : dict of str to ndarray
        ``words.idf``, ``chars.idf``, ``clf.coef``, ``clf.intercept``,
        ``clf.class_prior``, ``clf.class_weight``.
    data : dict
        ``method``, ``classes``, ``vocabularies`` (block -> tokens in column
        order), ``params`` (``get_params(deep=True)`` of simple type),
        ``n_iter``, ``coef_dtype``.
    """
    vectorizers, shift, lr = _parts(model)
    if np.dtype(dtype) not in (np.float16, np.float32, np.float64):
        raise ValueError(f"dtype must be float16, float32 or float64, got {dtype!r}")
    tensors = {f"{name}.idf": np.asarray(vec.idf_, dtype=np.float64) for name, vec in vectorizers.items()}
    tensors["clf.coef"] = np.asarray(lr.coef_).astype(dtype)
    tensors["clf.intercept"] = np.asarray(lr.intercept_, dtype=np.float64)
    tensors["clf.class_prior"] = np.asarray(shift.class_prior_, dtype=np.float64)
    tensors["clf.class_weight"] = np.asarray(shift.class_weight_, dtype=np.float64)
    data = {
        "method": METHOD,
        "classes": [str(c) for c in shift.classes_.tolist()],
        "vocabularies": {name: _tokens(vec) for name, vec in vectorizers.items()},
        "params": _simple_params(model),
        "n_iter": [int(n) for n in np.ravel(getattr(lr, "n_iter_", []))],
        "coef_dtype": str(np.dtype(dtype)),
    }
    return tensors, data


def linear_from_artifact(tensors, data, source="the artifact"):
    """The fitted EN-LINEAR pipeline of :func:`linear_to_artifact`'s output, with no fitting.

    ``make_method("EN-LINEAR")`` with the stored parameters, then the
    learned attributes set on each step. Whatever is inconsistent (a
    missing array, sizes that do not agree, a parameter the method does not
    have) raises :class:`PretrainedFileError`.

    Parameters
    ----------
    tensors : dict of str to ndarray
    data : dict
    source : str, default="the artifact"
        What to name in error messages.

    Returns
    -------
    model : Pipeline
    """
    from ..pipelines import make_method

    try:
        if data.get("method") != METHOD:
            raise ValueError(f"it holds the method {data.get('method')!r}, not {METHOD!r}")
        model = make_method(METHOD)
        defaults = model.get_params(deep=True)
        params = {}
        for key, value in data["params"].items():
            if key not in defaults:
                raise ValueError(f"{METHOD} has no parameter {key!r}")
            params[key] = tuple(value) if isinstance(defaults[key], tuple) else value
        model.set_params(**params)
        vectorizers = dict(model.named_steps["features"].transformer_list)
        shift = model.named_steps["clf"]
        classes = np.asarray(data["classes"], dtype=object)
        coef = np.asarray(tensors["clf.coef"], dtype=np.float64)
        intercept = np.asarray(tensors["clf.intercept"], dtype=np.float64)
        n_features = 0
        model.named_steps["flatten"].n_features_in_ = 1
        for name, vec in vectorizers.items():
            tokens = data["vocabularies"][name]
            idf = np.asarray(tensors[f"{name}.idf"], dtype=np.float64)
            if len(tokens) != len(idf) or len(set(tokens)) != len(tokens):
                raise ValueError(f"the {name} block has {len(tokens)} tokens (or duplicates) and {len(idf)} idf values")
            vec.vocabulary_ = {t: i for i, t in enumerate(tokens)}
            vec.fixed_vocabulary_ = False
            vec.idf_ = idf
            n_features += len(tokens)
        if coef.shape != (len(classes), n_features) or intercept.shape != (len(classes),):
            raise ValueError(
                f"coef has shape {coef.shape} and intercept {intercept.shape}, expected "
                f"({len(classes)}, {n_features}) and ({len(classes)},)"
            )
        from sklearn.base import clone

        lr = clone(shift.estimator)
        lr.coef_, lr.intercept_, lr.classes_ = coef, intercept, classes
        lr.n_features_in_ = n_features
        lr.n_iter_ = np.asarray(data.get("n_iter", []), dtype=np.int32)
        shift.estimator_ = lr
        shift.classes_ = classes
        shift.class_prior_ = np.asarray(tensors["clf.class_prior"], dtype=np.float64)
        shift.class_weight_ = np.asarray(tensors["clf.class_weight"], dtype=np.float64)
        shift.n_features_in_ = n_features
        if shift.class_prior_.shape != classes.shape or shift.class_weight_.shape != classes.shape:
            raise ValueError("the prior shift's arrays do not have one value per class")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PretrainedFileError(f"{source} does not hold a valid {METHOD} model: {exc!r}") from exc
    return model


def _keep_columns(tensors, data, keep):
    """``(tensors, data)`` restricted to the columns where ``keep`` is True (in their order)."""
    tensors, data = dict(tensors), {**data, "vocabularies": dict(data["vocabularies"])}
    start = 0
    for name in BLOCKS:
        tokens = data["vocabularies"][name]
        block = keep[start : start + len(tokens)]
        data["vocabularies"][name] = [t for t, k in zip(tokens, block) if k]
        tensors[f"{name}.idf"] = tensors[f"{name}.idf"][block]
        start += len(tokens)
    tensors["clf.coef"] = tensors["clf.coef"][:, keep]
    return tensors, data


def _largest(tensors, n_features):
    """Mask of the ``n_features`` columns of largest ``max_c |coef_[c, j]|`` (ties: the first columns)."""
    weight = np.abs(np.asarray(tensors["clf.coef"], dtype=np.float64)).max(axis=0)
    keep = np.zeros(weight.shape[0], dtype=bool)
    keep[np.argsort(-weight, kind="stable")[: int(n_features)]] = True
    return keep


def prune_linear(model, n_features, *, X=None, y=None):
    """A copy of a fitted EN-LINEAR pipeline with only the ``n_features`` columns that weigh most.

    A column's weight is the largest absolute value of the logistic
    regression's coefficients on it, ``max_c |coef_[c, j]|``: a column with
    small weights for every emoji moves no score much. The other columns
    are dropped from the vocabularies, ``idf_`` and ``coef_``.

    Without ``X``, nothing is refitted; a dropped n-gram then no longer
    counts in the L2 norm of its block either, so every score moves a
    little. With ``X`` and ``y`` (the training data), the pipeline is
    fitted again on the kept vocabulary (same parameters and seed), which
    recovers most of what pruning costs; the ``idf_`` of a kept n-gram is
    the same, since it depends only on that n-gram's document frequency.

    Parameters
    ----------
    model : Pipeline
        A fitted EN-LINEAR pipeline (left as it is).
    n_features : int
    X, y : training data, default=None
        Refit on the kept vocabulary when given.

    Returns
    -------
    pruned : Pipeline
        Fitted, with ``vocabulary=None`` (as :func:`linear_from_artifact`
        rebuilds it).
    """
    from sklearn.base import clone

    tensors, data = linear_to_artifact(model)
    tensors, data = _keep_columns(tensors, data, _largest(tensors, n_features))
    if X is None:
        return linear_from_artifact(tensors, data)
    vocab = {f"features__{name}__vocabulary": data["vocabularies"][name] for name in BLOCKS}
    pruned = clone(model).set_params(**vocab).fit(X, y)
    for _, vec in pruned.named_steps["features"].transformer_list:
        vec.vocabulary = None
        vec.fixed_vocabulary_ = False
    return pruned


def _fit_budget(tensors, data, budget, dtype):
    """The largest number of columns (by weight) whose artifact in ``dtype`` fits ``budget`` bytes."""
    tensors = {**tensors, "clf.coef": tensors["clf.coef"].astype(dtype)}
    data = {**data, "coef_dtype": str(np.dtype(dtype))}
    n = tensors["clf.coef"].shape[1]
    if _artifact_bytes(tensors, data) <= budget:
        return n
    ranking = np.argsort(-np.abs(tensors["clf.coef"].astype(np.float64)).max(axis=0), kind="stable")
    lo, hi = 0, n  # lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        keep = np.zeros(n, dtype=bool)
        keep[ranking[:mid]] = True
        if _artifact_bytes(*_keep_columns(tensors, data, keep)) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def _artifact_bytes(tensors, data):
    """Bytes of the two files :func:`write_artifact` would write (safetensors + JSON)."""
    import json

    from safetensors.numpy import save

    blob = save({k: np.ascontiguousarray(v) for k, v in sorted(tensors.items())})
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return len(blob) + len(text.encode("utf-8"))


def _top3(proba):
    return np.argsort(-proba, axis=1, kind="stable")[:, :3]


def _scores(model, X, y, ks=(1, 3, 5)):
    from ..metrics import macro_f1, mean_reciprocal_rank, precision_at_k

    proba = model.predict_proba(X)
    labels = list(model.classes_)
    out = {f"P@{k}": round(100 * float(precision_at_k(y, proba, k=k, labels=labels)), 2) for k in ks}
    out["MRR"] = round(100 * float(mean_reciprocal_rank(y, proba, labels=labels)), 2)
    out["macro-F1"] = round(100 * float(macro_f1(y, proba, labels=labels)), 2)
    return out, proba


def _store(model, X_test):
    """The smallest storage type of ``coef_`` that changes no top 3 of ``X_test``, and the changes of each."""
    reference = _top3(model.predict_proba(X_test))
    checked = {}
    for dtype in ("float16", "float32"):
        tensors, data = linear_to_artifact(model, dtype=dtype)
        proba = linear_from_artifact(tensors, data).predict_proba(X_test)
        checked[dtype] = int((_top3(proba) != reference).any(axis=1).sum())
        if checked[dtype] == 0:
            return dtype, tensors, data, checked
    return ("float64", *linear_to_artifact(model, dtype="float64"), checked)


def build_english(folder, *, data_home=None, n_samples=None, budget=BUDGET, verbose=True):
    """Fit EN-LINEAR on TweetEval's training split, prune it to the budget, score it, write ``tweeteval-20``.

    The recipe: ``make_method("EN-LINEAR", random_state=0)`` fitted on
    ``load_tweeteval_emoji("train")`` (its label-leaking remnants removed,
    the default) and scored on ``load_tweeteval_emoji("test")`` (P@1, P@3,
    P@5, MRR, macro-F1, in percent). When its artifact with ``coef_`` in
    float32 is over ``budget``, the columns of largest weight that fit are
    kept and the pipeline is fitted again on them (:func:`prune_linear`
    with the training data). ``coef_`` is then stored in float16 if that
    changes no top 3 of the test tweets, else float32 if that changes
    none, else float64. The manifest records the recipe, the TweetEval
    files and their SHA-256, the library version, the pruning (with the
    scores of the unpruned model and of the pruned one before its refit),
    the storage type and the held-out numbers of the model as shipped
    (rebuilt from the arrays written).

    Parameters
    ----------
    folder : str or path-like
        Where to write ``tweeteval-20.{safetensors,json,manifest.json}``.
    data_home : str or None, default=None
        Where ``tweeteval_emoji/`` is (default: ``$SKLEARN_EMOJI_DATA``).
    n_samples : int or None, default=None
        Use the first ``n_samples`` tweets of each split (a quick test),
        else all.
    budget : int, default=12,000,000
        Largest artifact (its safetensors and JSON files) in bytes.
    verbose : bool, default=True

    Returns
    -------
    manifest : dict
        The manifest written.
    """
    from .. import __version__
    from ..datasets import get_data_home, load_tweeteval_emoji
    from ..pipelines import make_method

    log = print if verbose else (lambda *a, **k: None)
    X_train, y_train = load_tweeteval_emoji("train", data_home=data_home, return_X_y=True)
    X_test, y_test = load_tweeteval_emoji("test", data_home=data_home, return_X_y=True)
    if n_samples is not None:
        X_train, y_train = X_train[:n_samples], y_train[:n_samples]
        X_test, y_test = X_test[:n_samples], y_test[:n_samples]
    home = os.path.join(get_data_home(data_home), "tweeteval_emoji")
    files = {
        f"tweeteval_emoji/{name}": sha256_file(os.path.join(home, name))
        for name in _TWEETEVAL_FILES
        if os.path.isfile(os.path.join(home, name))
    }
    model = make_method(METHOD, random_state=0)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = {"fit": round(time.perf_counter() - start, 1)}
    full_scores, _ = _scores(model, X_test, y_test)
    tensors, data = linear_to_artifact(model)
    n_full = int(tensors["clf.coef"].shape[1])
    full_bytes = _artifact_bytes(*linear_to_artifact(model, dtype="float32"))
    log(f"{METHOD} fitted on {len(X_train)} tweets in {seconds['fit']} s: {n_full} features, {full_scores}")
    pruning = {"n_features_fitted": n_full, "float32_bytes_unpruned": full_bytes, "budget_bytes": int(budget)}
    shipped = model
    if full_bytes > budget:
        n_keep = _fit_budget(tensors, data, budget, "float32")
        no_refit, _ = _scores(prune_linear(model, n_keep), X_test, y_test)
        start = time.perf_counter()
        shipped = prune_linear(model, n_keep, X=X_train, y=y_train)
        seconds["refit"] = round(time.perf_counter() - start, 1)
        pruning.update(
            {
                "rule": "keep the columns of largest max_c |coef_[c, j]| that fit the budget in float32, "
                "then fit the pipeline again on that vocabulary (same parameters and seed)",
                "n_features_kept": int(n_keep),
                "held_out_unpruned": full_scores,
                "held_out_pruned_before_refit": no_refit,
            }
        )
        log(f"pruned to {n_keep} features (before refit: {no_refit}), refitted in {seconds['refit']} s")
    dtype, tensors, data, checked = _store(shipped, X_test)
    held_out, _ = _scores(linear_from_artifact(tensors, data), X_test, y_test)
    manifest = {
        "recipe": {
            "method": METHOD,
            "random_state": 0,
            "params": _simple_params(shipped),
            "training": "load_tweeteval_emoji('train'), label-leaking remnants removed",
            "n_samples": n_samples,
            "n_train": len(X_train),
            "seconds": seconds,
            "pruning": pruning,
        },
        "library_version": __version__,
        "python": platform.python_version(),
        "data": {"files": files},
        "storage": {"coef_dtype": dtype, "top3_changes": checked, "n_checked": len(X_test)},
        "held_out": {
            "task": "TweetEval emoji prediction, 20 emojis, test split, label-leaking remnants removed",
            "n": len(X_test),
            **held_out,
        },
        "classes": data["classes"],
    }
    written = write_artifact(folder, ARTIFACT, tensors, data, manifest)
    size = sum(f["bytes"] for f in written["files"].values())
    log(f"wrote {ARTIFACT} to {folder}: {size / 1e6:.2f} MB (coef {dtype}, top-3 changes {checked}): {held_out}")
    return written
