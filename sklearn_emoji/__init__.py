"""sklearn-emoji: scikit-learn compatible emoji recommendation for posts and
multi-turn dialogues (Chinese and English).

The neural classifiers and the transfer-learning functions (which import
torch), the lexicon model and the dataset loaders are loaded on first use, so
``import sklearn_emoji`` stays fast.
"""

import importlib
import importlib.util

__version__ = "0.1.0"

# Every public name is imported on first use, so that ``import sklearn_emoji``
# (and the ``sklearn-emoji`` command's ``--help``) imports neither scikit-learn,
# jieba nor torch.
_LAZY = {
    "find_emojis": "emojis",
    "count_emojis": "emojis",
    "strip_emojis": "emojis",
    "clean_text": "text",
    "tokenize": "text",
    "DialogueFlattener": "preprocessing",
    "SequenceTokenizer": "preprocessing",
    "HierarchicalTokenizer": "preprocessing",
    "precision_at_k": "metrics",
    "mean_reciprocal_rank": "metrics",
    "set_scores": "metrics",
    "make_precision_at_k_scorer": "metrics",
    "make_mrr_scorer": "metrics",
    "get_scorer_dict": "metrics",
    "top_k_emojis": "metrics",
    "make_method": "pipelines",
    "available_methods": "pipelines",
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
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if not name.startswith("__") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        # a submodule, as `import sklearn_emoji` used to make `sklearn_emoji.metrics` reachable
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
