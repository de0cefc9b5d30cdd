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
EN-LINEAR+SVM    EN-LINEAR (unshifted) and word 1-3 + character 1-6-gram TF-IDF
                 -> linear SVM with sigmoid calibration, averaged (soft
                 :class:`~sklearn.ensemble.VotingClassifier`, equal weights),
                 then the prior shift; TweetEval, see :ref:`english`
================ ===============================================================

The registry, :func:`method_info`, says what each method is: neural or
not (and where its LSTM classifier sits), whether ``fit`` takes groups (for
early stopping by root post), its language, a description and a reference.
Code that treats methods differently asks it rather than reading names.

``LEXICON`` is a single estimator rather than a pipeline (it reads dialogues
itself, all turns by default); route its parameters without a prefix, e.g.
``make_method("LEXICON", max_iter=0)``.

Every pipeline names its steps so that parameters can be routed the usual
way, e.g. ``make_method("H-LSTM", clf__hidden_dim=128, tokens__min_freq=5)``
or ``GridSearchCV(make_method("S-BOW"), {"tfidf__sublinear_tf": [True, False]})``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from sklearn.feature_extraction import text as _sklearn_text
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from ._compat import _num_samples
from ._vocabulary import recipe_steps
from .preprocessing import DialogueFlattener
from .text import cached_tokenize


class TfidfVectorizer(_sklearn_text.TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer``, whose "no term" error names the sample count and ``min_df``.

    With ``min_df=2`` a term is kept only when two training texts hold it,
    so a method fitted on one or two dialogues (or a handful with no word in
    common) keeps none; scikit-learn then says "After pruning, no terms
    remain". Same parameters, same results otherwise.
    """

    def _no_terms(self, exc, raw_documents):
        known = ("no terms remain", "empty vocabulary", "max_df corresponds to < documents than min_df")
        if not any(text in str(exc) for text in known):
            return exc
        return ValueError(
            f"TF-IDF found no term in the {_num_samples(raw_documents)} training text(s) that it may keep "
            f"(min_df={self.min_df}: a term must occur in at least that many texts); fit on more samples "
            "(n_samples=, or --n-samples on the command line) or lower the TF-IDF's min_df"
        )

    def fit(self, raw_documents, y=None):
        try:
            return super().fit(raw_documents, y)
        except ValueError as exc:
            raise self._no_terms(exc, raw_documents) from exc

    def fit_transform(self, raw_documents, y=None):
        try:
            return super().fit_transform(raw_documents, y)
        except ValueError as exc:
            raise self._no_terms(exc, raw_documents) from exc


__all__ = ["METHODS", "MethodInfo", "make_method", "available_methods", "method_info"]


def _bow(turns, random_state):
    return Pipeline(
        [
            ("flatten", DialogueFlattener(turns=turns)),
            ("tfidf", TfidfVectorizer(analyzer=cached_tokenize, sublinear_tf=True, min_df=2)),
            ("clf", LogisticRegression(max_iter=1000, random_state=random_state)),
        ]
    )


def _s_bow(random_state):
    return _bow("reply", random_state)


def _f_bow(random_state):
    return _bow("all", random_state)


def _lstm_pipeline(method, Classifier, random_state):
    # The tokenization is the method's recipe (sklearn_emoji._vocabulary), shared with pre-training.
    flatten, tokens = recipe_steps(method)
    steps = [("flatten", flatten)] if flatten is not None else []
    return Pipeline(steps + [("tokens", tokens), ("clf", Classifier(random_state=random_state))])


def _s_lstm(random_state):
    from .neural import SLSTMClassifier

    return _lstm_pipeline("S-LSTM", SLSTMClassifier, random_state)


def _f_lstm(random_state):
    from .neural import FLSTMClassifier

    return _lstm_pipeline("F-LSTM", FLSTMClassifier, random_state)


def _h_lstm(random_state):
    from .neural import HLSTMClassifier

    return _lstm_pipeline("H-LSTM", HLSTMClassifier, random_state)


def _lexicon(random_state):
    from .lexicon import LexiconEmojiRecommender

    # Deterministic: random_state has nothing to seed here.
    return LexiconEmojiRecommender()


def _lexicon_bow(random_state):
    from .lexicon import SiblingLexiconFeatures

    return Pipeline(
        [
            ("flatten", DialogueFlattener(turns="all")),
            (
                "features",
                FeatureUnion(
                    [
                        ("tfidf", TfidfVectorizer(analyzer=cached_tokenize, sublinear_tf=True, min_df=2)),
                        ("lexicon", SiblingLexiconFeatures(random_state=random_state)),
                    ]
                ),
            ),
            ("clf", LogisticRegression(max_iter=1000, random_state=random_state)),
        ]
    )


def _h_lstm_lexicon(random_state):
    from .ensemble import LabelCheckedVotingClassifier

    # Fixed weights, no internal CV: a stacked model's out-of-fold scores are
    # flattered when the H-LSTM's encoder was pre-trained on those folds'
    # threads (measured: stacking lost 1 P@1 point to the H-LSTM alone, this
    # vote gained 1.5; see the user guide).
    return LabelCheckedVotingClassifier(
        [
            ("hlstm", _h_lstm(random_state)),
            ("fbow", _f_bow(random_state)),
            ("lexicon", _lexicon(random_state)),
        ],
        voting="soft",
        weights=[2, 1, 1],
    )


def _en_linear(random_state, power=0.5):
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
    model's probabilities mixed in); the weight of the character block in
    the union 0.25 .. 2 ([1]), the union L2-normalised, char 1-6 capped at
    500,000; stacking of the word, character, LEXICON and naive Bayes views
    (a logistic regression on their log-probabilities: 2 points worse).
    The prior shift, ``C``, the word bigrams and the character n-grams
    mattered; the rest was within the noise. The numbers are in the user
    guide (``docs/user_guide/english.rst``). ``power=0`` builds the plain
    model (the ``linear`` half of EN-LINEAR+SVM).
    """
    from .calibration import PriorShiftClassifier

    return Pipeline(
        [
            ("flatten", DialogueFlattener(turns="all")),
            (
                "features",
                FeatureUnion(
                    [
                        ("words", _en_words((1, 2))),
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
                    power=power,
                ),
            ),
        ]
    )


def _en_words(ngram_range):
    return TfidfVectorizer(
        tokenizer=cached_tokenize,
        token_pattern=None,
        lowercase=False,
        ngram_range=ngram_range,
        sublinear_tf=True,
        min_df=2,
    )


def _en_svm(random_state):
    """Word 1-3 and character 1-6 TF-IDF, linear SVM, sigmoid calibration (the ``svm`` half of EN-LINEAR+SVM).

    The features of Coltekin and Rama (2018), the best system of SemEval-2018
    Task 2 (English); ``LinearSVC(C=0.1)`` with probabilities from
    :class:`~sklearn.calibration.CalibratedClassifierCV` (sigmoid, 3 folds).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    return Pipeline(
        [
            ("flatten", DialogueFlattener(turns="all")),
            (
                "features",
                FeatureUnion(
                    [
                        ("words", _en_words((1, 3))),
                        (
                            "chars",
                            TfidfVectorizer(analyzer="char", ngram_range=(1, 6), sublinear_tf=True, min_df=2),
                        ),
                    ]
                ),
            ),
            (
                "clf",
                CalibratedClassifierCV(LinearSVC(C=0.1, random_state=random_state), cv=3, method="sigmoid"),
            ),
        ]
    )


def _en_linear_svm(random_state):
    """EN-LINEAR's logistic regression and a calibrated SVM, averaged, then the prior shift.

    A soft vote with equal weights of ``linear`` (EN-LINEAR unshifted) and
    ``svm`` (:func:`_en_svm`), inside a
    :class:`~sklearn_emoji.calibration.PriorShiftClassifier` with
    ``power=0.5``. Chosen on TweetEval's validation split and on 5-fold
    out-of-fold probabilities of the training split (see the user guide):
    +0.6 macro-F1 on validation and +0.5 out of fold over EN-LINEAR, for a
    fit three times longer.
    """
    from .calibration import PriorShiftClassifier
    from .ensemble import LabelCheckedVotingClassifier

    vote = LabelCheckedVotingClassifier(
        [("linear", _en_linear(random_state, power=0.0)), ("svm", _en_svm(random_state))], voting="soft"
    )
    return PriorShiftClassifier(vote, power=0.5)


_XIE = "Xie et al. (2016), Neural emoji recommendation in dialogue systems"
_IDREES = "Idrees and Al-Solami (2024), weighted multi-layer emoji recommendation"


@dataclass(frozen=True)
class MethodInfo:
    """What the registry knows of a method (see :func:`method_info`).

    Attributes
    ----------
    name : str
        The canonical name, as :func:`available_methods` lists it.
    neural : bool
        Whether it holds an LSTM (takes ``pretrained=``, ``settings="paper"``
        and the command line's LSTM flags; torch is needed).
    lstm_prefix : str or None
        ``set_params`` prefix of the LSTM pipeline inside the method (``""``
        when the method is that pipeline, ``"hlstm__"`` inside the
        H-LSTM+LEXICON vote); ``None`` for a method with no LSTM.
    groups_param : str or None
        The ``fit`` keyword that takes the group (root post) of each
        sample, so that early stopping holds out whole threads
        (``"clf__groups"`` for the LSTM pipelines); ``None`` when ``fit``
        takes no groups.
    language : {"any", "en"}
        ``"any"``: Chinese and English alike (the default tokenizer reads
        both); ``"en"``: built and tuned for English tweets.
    description : str
        One line on what the method is.
    reference : str
        Where it comes from: a paper, or this library.
    build : callable
        ``build(random_state) -> estimator``, unfitted (what
        :func:`make_method` calls).

    Examples
    --------
    >>> from sklearn_emoji.pipelines import method_info
    >>> info = method_info("F-BOW")
    >>> info.neural, info.takes_groups, info.language
    (False, False, 'any')
    """

    name: str
    neural: bool
    lstm_prefix: str | None
    groups_param: str | None
    language: str
    description: str
    reference: str
    build: Callable = field(repr=False, compare=False)

    @property
    def takes_groups(self):
        """Whether ``fit`` takes groups (``groups_param`` is set)."""
        return self.groups_param is not None


def _lstm(name, build, what):
    return MethodInfo(name, True, "", "clf__groups", "any", what, _XIE, build)


_REGISTRY = {
    info.name: info
    for info in [
        MethodInfo("S-BOW", False, None, None, "any", "reply -> TF-IDF -> logistic regression", _XIE, _s_bow),
        MethodInfo("F-BOW", False, None, None, "any", "all turns -> TF-IDF -> logistic regression", _XIE, _f_bow),
        _lstm("S-LSTM", _s_lstm, "reply -> word ids -> LSTM"),
        _lstm("F-LSTM", _f_lstm, "all turns -> word ids -> LSTM"),
        _lstm("H-LSTM", _h_lstm, "turns -> word-level LSTM per turn -> turn-level LSTM"),
        MethodInfo("LEXICON", False, None, None, "any", "weighted multi-layer sibling lexicon", _IDREES, _lexicon),
        MethodInfo(
            "LEXICON+BOW",
            False,
            None,
            None,
            "any",
            "all turns -> TF-IDF and sibling-lexicon features -> logistic regression",
            "this library (Xie et al.'s F-BOW with Idrees and Al-Solami's lexicon as features)",
            _lexicon_bow,
        ),
        MethodInfo(
            "H-LSTM+LEXICON",
            True,
            "hlstm__",
            "groups",  # LabelCheckedVotingClassifier.fit hands them to the H-LSTM
            "any",
            "soft vote of H-LSTM, F-BOW and LEXICON (weights 2 / 1 / 1)",
            "this library",
            _h_lstm_lexicon,
        ),
        MethodInfo(
            "EN-LINEAR",
            False,
            None,
            None,
            "en",
            "word and character TF-IDF -> logistic regression -> prior shift",
            "this library (tuned on TweetEval emoji prediction)",
            _en_linear,
        ),
        MethodInfo(
            "EN-LINEAR+SVM",
            False,
            None,
            None,
            "en",
            "soft vote of EN-LINEAR and a calibrated word + char 1-6 linear SVM -> prior shift",
            "this library (tuned on TweetEval emoji prediction; the SVM's features after Coltekin and Rama, 2018)",
            _en_linear_svm,
        ),
    ]
}

#: Method name -> builder ``random_state -> estimator`` (the registry's ``build``).
METHODS = {name: info.build for name, info in _REGISTRY.items()}


def method_info(name):
    """What the registry knows of a method: whether it is neural, takes
    groups, its language, description and reference.

    Parameters
    ----------
    name : str
        A name of :func:`available_methods` (case and surrounding spaces
        ignored).

    Returns
    -------
    MethodInfo
        A frozen dataclass; see :class:`MethodInfo` for its fields.

    Examples
    --------
    >>> from sklearn_emoji.pipelines import method_info
    >>> info = method_info(" h-lstm+lexicon ")
    >>> info.name, info.neural, info.lstm_prefix, info.takes_groups
    ('H-LSTM+LEXICON', True, 'hlstm__', True)
    >>> method_info("H-LSTM").groups_param
    'clf__groups'
    >>> [m for m in available_methods() if method_info(m).neural]
    ['S-LSTM', 'F-LSTM', 'H-LSTM', 'H-LSTM+LEXICON']
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    info = {k.upper(): v for k, v in _REGISTRY.items()}.get(name.strip().upper())
    if info is None:
        raise ValueError(f"unknown method {name!r}; choose one of {available_methods()}")
    return info


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
    return list(_REGISTRY)


#: With ``pretrained=``, up to this many tokens of the training data that the
#: encoder lacks (each seen ``min_freq`` times) get new ids and embedding rows
#: (torchMoji's ``extend_with`` default).
EXTEND_VOCABULARY = 10000


def _attach_encoder(est, encoder, prefix=""):
    """Make the tokenizer take the encoder's ids and the classifier its weights."""
    from .neural import PretrainedEncoder
    from .pretrained import resolve_encoder
    from .pretraining import TOKENIZERS

    if isinstance(encoder, (str, os.PathLike)):
        encoder = resolve_encoder(encoder)
    if not isinstance(encoder, PretrainedEncoder):
        raise TypeError(
            f"pretrained must be a PretrainedEncoder (pretrain_encoder / load_encoder), got {type(encoder).__name__}"
        )
    tok_name = encoder.info.get("tokenizer", "words")
    est.set_params(
        **{
            f"{prefix}tokens__vocabulary": encoder,
            f"{prefix}tokens__tokenizer": TOKENIZERS[tok_name],
            # the tokens of the user's data that the encoder lacks get new ids and embedding rows
            f"{prefix}tokens__extend_vocabulary": EXTEND_VOCABULARY,
            f"{prefix}clf__pretrained": encoder,
            f"{prefix}clf__extend_embedding": True,
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
    pretrained : PretrainedEncoder, str or None, default=None
        For the LSTM methods: start from this pre-trained encoder
        (:func:`~sklearn_emoji.pretraining.pretrain_encoder`), a shipped
        encoder's name (``"weibo-128"``, see
        :func:`~sklearn_emoji.pretrained.available_pretrained`) or an
        encoder file's path. The
        tokenizer then takes the encoder's vocabulary and tokenization
        (``tokens__vocabulary``, ``tokens__tokenizer``) and the classifier
        its weights (``clf__pretrained``); choose how with
        ``clf__fine_tuning="full" | "last" | "chain-thaw"``. Tokens of
        the training data that the encoder never saw (up to
        ``EXTEND_VOCABULARY`` = 10,000, each seen ``tokens__min_freq`` times)
        get new ids and new embedding rows (``tokens__extend_vocabulary``,
        ``clf__extend_embedding``; torchMoji's ``extend_embedding``); set
        ``tokens__extend_vocabulary=0`` to read them as OOV.
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
    info = method_info(name)
    est = info.build(random_state)
    neural = [m for m in _REGISTRY if _REGISTRY[m].neural]
    if pretrained is not None:
        if not info.neural:
            raise ValueError(f"pretrained= applies to the LSTM methods {neural}, not {info.name!r}")
        _attach_encoder(est, pretrained, prefix=info.lstm_prefix)
    if settings is not None:
        if settings != "paper":
            raise ValueError(f"settings must be None or 'paper', got {settings!r}")
        if not info.neural:
            raise ValueError(f"settings='paper' applies to the LSTM methods {neural}, not {info.name!r}")
        from .neural import PAPER_SETTINGS

        est.set_params(**{f"{info.lstm_prefix}clf__{k}": v for k, v in PAPER_SETTINGS.items()})
    if params:
        est.set_params(**params)
    return est
