"""sklearn-emoji: scikit-learn compatible emoji recommendation for posts and
multi-turn dialogues (Chinese and English).

The neural classifiers and the transfer-learning functions (which import
torch), the lexicon model and the dataset loaders are loaded on first use, so
``import sklearn_emoji`` stays fast.
"""

import importlib

from .emojis import count_emojis, find_emojis, strip_emojis
from .metrics import (
    get_scorer_dict,
    make_mrr_scorer,
    make_precision_at_k_scorer,
    mean_reciprocal_rank,
    precision_at_k,
    set_scores,
    top_k_emojis,
)
from .pipelines import available_methods, make_method
from .preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer
from .text import clean_text, tokenize

__version__ = "0.1.0"

_LAZY = {
    "SLSTMClassifier": "neural",
    "FLSTMClassifier": "neural",
    "HLSTMClassifier": "neural",
    "LexiconEmojiRecommender": "lexicon",
    "SiblingLexiconFeatures": "lexicon",
    "extract_emoji_targets": "lexicon",
    "load_weibo_dialogues": "datasets",
    "load_weibo_pretraining": "datasets",
    "load_weibo_replies": "datasets",
    "load_tweeteval_emoji": "datasets",
    # Transfer learning (torch, and gensim for the word vectors, on first use).
    "PretrainedEncoder": "neural",
    "load_encoder": "neural",
    "pretrain_encoder": "pretraining",
    "word_vectors_encoder": "vectors",
    "explain_attention": "inspection",
    "GroupedStackingClassifier": "ensemble",
    "PriorShiftClassifier": "calibration",
    # Ready models shipped in the package (no training).
    "load_pretrained": "pretrained",
    "load_pretrained_encoder": "pretrained",
    "available_pretrained": "pretrained",
    "recommend": "pretrained",
}

__all__ = [
    "__version__",
    "find_emojis",
    "count_emojis",
    "strip_emojis",
    "clean_text",
    "tokenize",
    "DialogueFlattener",
    "SequenceTokenizer",
    "HierarchicalTokenizer",
    "precision_at_k",
    "mean_reciprocal_rank",
    "set_scores",
    "make_precision_at_k_scorer",
    "make_mrr_scorer",
    "get_scorer_dict",
    "top_k_emojis",
    "make_method",
    "available_methods",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
