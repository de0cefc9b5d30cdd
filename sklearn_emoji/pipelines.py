"""The published methods by name, as ordinary scikit-learn Pipelines.

============ ===============================================================
name         pipeline
============ ===============================================================
S-BOW        reply -> TF-IDF -> logistic regression (Xie et al., baseline)
F-BOW        all turns -> TF-IDF -> logistic regression (Xie et al., baseline)
S-LSTM       reply -> word ids -> :class:`~sklearn_emoji.neural.SLSTMClassifier`
F-LSTM       all turns -> word ids -> :class:`~sklearn_emoji.neural.FLSTMClassifier`
H-LSTM       turns -> word ids per turn -> :class:`~sklearn_emoji.neural.HLSTMClassifier`
LEXICON      :class:`~sklearn_emoji.lexicon.LexiconEmojiRecommender` (Idrees and Al-Solami)
LEXICON+BOW  all turns -> TF-IDF and :class:`~sklearn_emoji.lexicon.SiblingLexiconFeatures`
             in a ``FeatureUnion`` -> logistic regression
============ ===============================================================

``LEXICON`` is a single estimator rather than a pipeline (it reads dialogues
itself, all turns by default); route its parameters without a prefix, e.g.
``make_method("LEXICON", max_iter=0)``.

Every pipeline names its steps so that parameters can be routed the usual
way, e.g. ``make_method("H-LSTM", clf__hidden_dim=128, tokens__min_freq=5)``
or ``GridSearchCV(make_method("S-BOW"), {"tfidf__sublinear_tf": [True, False]})``.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from .preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer
from .text import cached_tokenize

__all__ = ["METHODS", "make_method", "available_methods"]


def _bow(mode, random_state):
    return Pipeline(
        [
            ("flatten", DialogueFlattener(mode=mode)),
            ("tfidf", TfidfVectorizer(analyzer=cached_tokenize, sublinear_tf=True, min_df=2)),
            ("clf", LogisticRegression(max_iter=1000, random_state=random_state)),
        ]
    )


def _s_bow(random_state):
    return _bow("reply", random_state)


def _f_bow(random_state):
    return _bow("all", random_state)


def _s_lstm(random_state):
    from .neural import SLSTMClassifier

    return Pipeline(
        [
            ("flatten", DialogueFlattener(mode="reply")),
            ("tokens", SequenceTokenizer(max_len=50, min_freq=2)),
            ("clf", SLSTMClassifier(random_state=random_state)),
        ]
    )


def _f_lstm(random_state):
    from .neural import FLSTMClassifier

    return Pipeline(
        [
            ("flatten", DialogueFlattener(mode="all")),
            ("tokens", SequenceTokenizer(max_len=200, min_freq=2)),
            ("clf", FLSTMClassifier(random_state=random_state)),
        ]
    )


def _h_lstm(random_state):
    from .neural import HLSTMClassifier

    return Pipeline(
        [
            ("tokens", HierarchicalTokenizer(max_turns=4, max_len=50, min_freq=2)),
            ("clf", HLSTMClassifier(random_state=random_state)),
        ]
    )


def _lexicon(random_state):
    from .lexicon import LexiconEmojiRecommender

    # Deterministic: random_state has nothing to seed here.
    return LexiconEmojiRecommender(tokenizer=cached_tokenize)


def _lexicon_bow(random_state):
    from .lexicon import SiblingLexiconFeatures

    return Pipeline(
        [
            ("flatten", DialogueFlattener(mode="all")),
            (
                "features",
                FeatureUnion(
                    [
                        ("tfidf", TfidfVectorizer(analyzer=cached_tokenize, sublinear_tf=True, min_df=2)),
                        ("lexicon", SiblingLexiconFeatures(tokenizer=cached_tokenize, random_state=random_state)),
                    ]
                ),
            ),
            ("clf", LogisticRegression(max_iter=1000, random_state=random_state)),
        ]
    )


#: Method name -> builder ``random_state -> estimator``.
METHODS = {
    "S-BOW": _s_bow,
    "F-BOW": _f_bow,
    "S-LSTM": _s_lstm,
    "F-LSTM": _f_lstm,
    "H-LSTM": _h_lstm,
    "LEXICON": _lexicon,
    "LEXICON+BOW": _lexicon_bow,
}


def available_methods():
    """Names accepted by :func:`make_method`, in the papers' table order.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sklearn_emoji.pipelines import available_methods
    >>> available_methods()[:2]
    ['S-BOW', 'F-BOW']
    """
    return list(METHODS)


def make_method(name, *, random_state=None, **params):
    """Build a published method by name, unfitted.

    Parameters
    ----------
    name : str
        One of :func:`available_methods` (case-insensitive).
    random_state : int, RandomState or None, default=None
        Seed of every random step.
    **params
        Passed to ``set_params`` of the result, e.g. ``clf__C=10``.

    Returns
    -------
    estimator : Pipeline or estimator
        Has ``fit``, ``predict``, ``predict_proba`` and ``classes_`` once fitted.

    Examples
    --------
    >>> from sklearn_emoji.pipelines import make_method
    >>> model = make_method("S-BOW", clf__C=2.0)
    >>> [name for name, _ in model.steps]
    ['flatten', 'tfidf', 'clf']
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    key = {k.upper(): k for k in METHODS}.get(name.strip().upper())
    if key is None:
        raise ValueError(f"unknown method {name!r}; choose one of {available_methods()}")
    est = METHODS[key](random_state)
    if params:
        est.set_params(**params)
    return est
