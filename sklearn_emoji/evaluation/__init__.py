"""The experiment harness, its result tables, and model files.

Experiments
-----------
:func:`evaluate_methods` fits named methods
(:func:`~sklearn_emoji.pipelines.make_method`) on a training part and
scores them on a test part: Table 2 of Xie et al. (P@1, P@3, MRR, and
macro-F1) and Table 3 (P@1 or F1 per emoji). :func:`evaluate_on_weibo` runs
it on the Weibo dialogues split by root post (:func:`split_by_root_post`),
:func:`evaluate_on_tweeteval` on TweetEval's official split;
:func:`format_table2`, :func:`format_table3`, :func:`write_results` and
:func:`save_models` print and keep the results. The ``sklearn-emoji``
command is a thin layer over these functions.

Model files
-----------
:func:`save_model`, :func:`load_model` and :func:`read_model_metadata` live
in :mod:`sklearn_emoji.persistence` (files that hold no code, with a
SHA-256); they are re-exported here under their old names.
"""

from ._experiments import (
    LSTM_PARAMS,
    TWEETEVAL_METHODS,
    evaluate_methods,
    evaluate_on_tweeteval,
    evaluate_on_weibo,
    format_table2,
    format_table3,
    method_params,
    save_models,
    split_by_root_post,
    train_on_weibo,
    write_results,
)
from ._model_files import MODEL_FORMAT_VERSION, load_model, read_model_metadata, save_model

__all__ = [
    "MODEL_FORMAT_VERSION",
    "save_model",
    "load_model",
    "read_model_metadata",
    "TWEETEVAL_METHODS",
    "LSTM_PARAMS",
    "split_by_root_post",
    "method_params",
    "evaluate_methods",
    "evaluate_on_weibo",
    "evaluate_on_tweeteval",
    "train_on_weibo",
    "format_table2",
    "format_table3",
    "write_results",
    "save_models",
]
