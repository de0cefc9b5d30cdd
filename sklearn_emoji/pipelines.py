"""The published methods by name, as ordinary scikit-learn Pipelines.

================ ===============================================================
name             pipeline
================ ===============================================================
S-BOW            reply -> TF-IDF -> logistic regression (Xie et al., baseline)
F-BOW            all turns -> TF-IDF -> logistic regression (Xie et al., baseline)
S-LSTM           reply -> word ids -> :class:`~sklearn_emoji.neural.SLSTMClassifier`
F-LSTM           all turns -> word ids -> :class:`~sklearn_emoji.neural.FLSTMClassifier`
H-LSTM           turns -> word ids per turn -> :class:`~sklearn_emoji.neural.HLSTMClassifier`
LEXICON          :class:`~sklearn_emoji.lexicon.LexiconEmojiRecommender` (Idrees and Al-Solami)
LEXICON+BOW      all turns -> TF-IDF and :class:`~sklearn_emoji.lexicon.SiblingLexiconFeatures`
                 in a ``FeatureUnion`` -> logistic regression
H-LSTM+LEXICON   H-LSTM, F-BOW and LEXICON together: scikit-learn's soft
                 :class:`~sklearn.ensemble.VotingClassifier`, weights 2 / 1 / 1 (half the
                 neural probabilities, a quarter each of the other two); best with
                 ``pretrained=`` (see :mod:`sklearn_emoji.pretraining`)
EN-LINEAR        all turns -> word 1-2-gram and character 2-5-gram TF-IDF in a
                 ``FeatureUnion`` -> logistic regression, its probabilities
                 shifted towards balanced classes for macro-F1
                 (:class:`~sklearn_emoji.calibration.PriorShiftClassifier`);
                 tuned on TweetEval (English tweets), see :ref:`english`
================ ===============================================================

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

__all__ = ["METHODS", "make_method", "available_methods", "method_info"]


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


def _h_lstm_lexicon(random_state):
    from sklearn.ensemble import VotingClassifier

    # Fixed weights, no internal CV: a stacked model's out-of-fold scores are
    # flattered when the H-LSTM's encoder was pre-trained on those folds'
    # threads (measured: stacking lost 1 P@1 point to the H-LSTM alone, this
    # vote gained 1.5; see the user guide).
    return VotingClassifier(
        [
            ("hlstm", _h_lstm(random_state)),
            ("fbow", _f_bow(random_state)),
            ("lexicon", _lexicon(random_state)),
        ],
        voting="soft",
        weights=[2, 1, 1],
    )


def _en_linear(random_state):
    """Word and character TF-IDF, logistic regression, prior shift (EN-LINEAR).

    Tuned for the official measure of TweetEval emoji prediction (macro-F1
    over 20 emojis) on its validation split, with 3-fold cross-validation on
    the training split as a second, less noisy judge; the test split was
    not used to choose. Searched (chosen in brackets): the prior shift
    ``clf__power`` 0, 0.25, [0.5], 0.75, 1; ``clf__estimator__C`` 1, [3],
    10; the classifier ([multinomial logistic regression], linear SVM,
    one-vs-rest LR, NB-SVM, naive Bayes, LR + SVM); class weighting ([a
    shift after training], sample weights, per-class offsets); word n-grams
    1, [1-2], 1-3, hashtag bodies as words; character n-grams none,
    [char_wb 2-5], char_wb 2-6, char 1-5, case-sensitive; ``min_df`` 1,
    [2]; lexicon features ([none], ``SiblingLexiconFeatures``, the LEXICON
    model's probabilities mixed in). The prior shift, ``C``, the word bigrams
    and the character n-grams mattered; the rest was within the noise. The
    numbers are in the user guide (``docs/user_guide/english.rst``).
    """
    from .calibration import PriorShiftClassifier

    return Pipeline(
        [
            ("flatten", DialogueFlattener(mode="all")),
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "words",
                            TfidfVectorizer(
                                tokenizer=cached_tokenize,
                                token_pattern=None,
                                lowercase=False,
                                ngram_range=(1, 2),
                                sublinear_tf=True,
                                min_df=2,
                            ),
                        ),
                        (
                            "chars",
                            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
                        ),
                    ]
                ),
            ),
            (
                "clf",
                PriorShiftClassifier(
                    LogisticRegression(solver="saga", C=3.0, tol=1e-3, max_iter=1000, random_state=random_state),
                    power=0.5,
                ),
            ),
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
    "H-LSTM+LEXICON": _h_lstm_lexicon,
    "EN-LINEAR": _en_linear,
}


def method_info(name):
    """What the registry knows of a method: its name, whether it is neural,
    and where its LSTM pipeline's steps sit (a ``set_params`` prefix).

    Parameters
    ----------
    name : str
        A name of :func:`available_methods` (case and surrounding spaces
        ignored).

    Returns
    -------
    dict
        ``{"name": str, "neural": bool, "lstm_prefix": str, "takes_groups": bool}``.

    Examples
    --------
    >>> from sklearn_emoji.pipelines import method_info
    >>> method_info(" h-lstm+lexicon ")
    {'name': 'H-LSTM+LEXICON', 'neural': True, 'lstm_prefix': 'hlstm__', 'takes_groups': False}
    """
    key = _canonical(name)
    neural = key in _NEURAL + _STACKED
    return {
        "name": key,
        "neural": neural,
        "lstm_prefix": "hlstm__" if key in _STACKED else "",
        "takes_groups": key in _NEURAL,
    }


def _canonical(name):
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    key = {k.upper(): k for k in METHODS}.get(name.strip().upper())
    if key is None:
        raise ValueError(f"unknown method {name!r}; choose one of {available_methods()}")
    return key


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


_NEURAL = ("S-LSTM", "F-LSTM", "H-LSTM")
_STACKED = ("H-LSTM+LEXICON",)


def _attach_encoder(est, encoder, prefix=""):
    """Make the tokenizer take the encoder's ids and the classifier its weights."""
    from .neural import PretrainedEncoder
    from .pretraining import TOKENIZERS

    if not isinstance(encoder, PretrainedEncoder):
        raise TypeError(
            f"pretrained must be a PretrainedEncoder (pretrain_encoder / load_encoder), got {type(encoder).__name__}"
        )
    tok_name = encoder.info.get("tokenizer", "words")
    est.set_params(
        **{
            f"{prefix}tokens__vocabulary": encoder,
            f"{prefix}tokens__tokenizer": TOKENIZERS[tok_name],
            f"{prefix}clf__pretrained": encoder,
        }
    )
    return est


def make_method(name, *, random_state=None, pretrained=None, settings=None, **params):
    """Build a published method by name, unfitted.

    Parameters
    ----------
    name : str
        One of :func:`available_methods` (case-insensitive).
    random_state : int, RandomState or None, default=None
        Seed of every random step.
    pretrained : PretrainedEncoder or None, default=None
        For the LSTM methods: start from this pre-trained encoder
        (:func:`~sklearn_emoji.pretraining.pretrain_encoder`). The
        tokenizer then takes the encoder's vocabulary and tokenization
        (``tokens__vocabulary``, ``tokens__tokenizer``) and the classifier
        its weights (``clf__pretrained``); choose how with
        ``clf__fine_tuning="full" | "last" | "chain-thaw"``.
    settings : {"paper"} or None, default=None
        For the LSTM methods: ``"paper"`` applies the settings of Xie et
        al. (2016) to the classifier (384 dimensions, AdaDelta, last-state
        pooling, 50 epochs with patience 5:
        :data:`sklearn_emoji.neural.PAPER_SETTINGS`); ``None`` keeps the
        library's defaults, the recipe measured best at CPU scale.
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
    key = _canonical(name)
    est = METHODS[key](random_state)
    if pretrained is not None:
        if key not in _NEURAL + _STACKED:
            raise ValueError(f"pretrained= applies to the LSTM methods {list(_NEURAL + _STACKED)}, not {key!r}")
        _attach_encoder(est, pretrained, prefix="hlstm__" if key in _STACKED else "")
    if settings is not None:
        if settings != "paper":
            raise ValueError(f"settings must be None or 'paper', got {settings!r}")
        if key not in _NEURAL + _STACKED:
            raise ValueError(f"settings='paper' applies to the LSTM methods {list(_NEURAL + _STACKED)}, not {key!r}")
        from .neural import PAPER_SETTINGS

        prefix = "hlstm__clf__" if key in _STACKED else "clf__"
        est.set_params(**{prefix + k: v for k, v in PAPER_SETTINGS.items()})
    if params:
        est.set_params(**params)
    return est
