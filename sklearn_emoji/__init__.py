"""sklearn-emoji: scikit-learn compatible emoji recommendation for posts and
multi-turn dialogues (Chinese and English).

Every public name is loaded on first use, so ``import sklearn_emoji`` stays
fast and a ready model's :func:`recommend` needs neither scikit-learn nor
torch.
"""

import importlib

__version__ = "0.1.0"

# Every public name is imported on first use (PEP 562), so that
# ``import sklearn_emoji`` costs nothing and a ready model's ``recommend``
# imports neither scikit-learn nor torch (see sklearn_emoji.pretrained).
_LAZY = {
    "count_emojis": "emojis",
    "find_emojis": "emojis",
    "strip_emojis": "emojis",
    "get_scorer_dict": "metrics",
    "make_mrr_scorer": "metrics",
    "make_precision_at_k_scorer": "metrics",
    "mean_reciprocal_rank": "metrics",
    "precision_at_k": "metrics",
    "set_scores": "metrics",
    "top_k_emojis": "metrics",
    "available_methods": "pipelines",
    "make_method": "pipelines",
    "DialogueFlattener": "preprocessing",
    "HierarchicalTokenizer": "preprocessing",
    "SequenceTokenizer": "preprocessing",
    "clean_text": "text",
    "tokenize": "text",
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
    "pretrain_language_model": "pretraining",
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

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
