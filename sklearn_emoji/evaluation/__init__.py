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
:func:`save_model` writes a fitted model as a small header followed by a
pickle, whole or not at all (with the library's one atomic writer):

1. the line ``sklearn-emoji-model 1`` (format tag and format version);
2. one line of JSON: the metadata (library, scikit-learn and Python
   versions, the method's name when known, the classes as strings, a
   description of the training data, the time it was created, and whatever
   the caller adds);
3. the pickle.

:func:`load_model` reads the header first and refuses, with a
``ValueError`` naming the file, anything that does not start with it, so a
stray or foreign pickle is never unpickled by mistake;
:func:`read_model_metadata` returns the metadata without unpickling at all.
The header is a label, not a signature: anyone who can write the file can
write a header too, and unpickling runs code. **Load only model files you
trust.** Pickles saved by version 0.1 (no header) are refused with a message;
``load_model(path, allow_legacy=True)`` loads one you trust, and
:func:`save_model` then writes it in the new format.
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
