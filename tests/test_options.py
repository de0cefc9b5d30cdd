"""One option set per concept, one kind of error for a bad option at every entry point.

A bad ``pooling``, ``tokenizer``, ``turns``, ``fine_tuning`` (or a data loader's option) raises scikit-learn's
``InvalidParameterError`` (a ``ValueError``) naming the parameter, whether it reaches an
estimator's ``fit``, a public function, a torch module or the in-memory constructor of a
pre-trained encoder; only a file raises ``EncoderFileError``.
"""

import numpy as np
import pytest
import torch

from sklearn_emoji import _options
from sklearn_emoji._compat import InvalidParameterError
from sklearn_emoji._vocabulary import LSTM_RECIPES
from sklearn_emoji.datasets import load_tweeteval_emoji, load_weibo_dialogues
from sklearn_emoji.evaluation import evaluate_methods
from sklearn_emoji.lexicon import LexiconEmojiRecommender
from sklearn_emoji.neural import (
    EncoderFileError,
    HierarchicalLSTM,
    HLSTMClassifier,
    PretrainedEncoder,
    SequenceLSTM,
    SLSTMClassifier,
)
from sklearn_emoji.pipelines import make_method
from sklearn_emoji.preprocessing import DialogueFlattener, SequenceTokenizer
from sklearn_emoji.pretraining import pretrain_encoder
from sklearn_emoji.text import TOKENIZERS
from sklearn_emoji.vectors import word_vectors_encoder

X = [["今天天气好", "哈哈哈"], ["好难过"], ["太好笑了"], ["难过"]] * 3
Y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"] * 3
IDS = np.array([[2, 3, 0], [3, 2, 2]] * 4)
Y_IDS = np.array(["a", "b"] * 4)


def _encoder(**kw):
    params = dict(
        architecture="sequence",
        vocabulary={"好": 2},
        embedding_dim=2,
        hidden_dim=2,
        pooling="last",
        state_dict={"embedding.weight": torch.zeros(3, 2)},
    )
    return PretrainedEncoder(**{**params, **kw})


BAD_OPTIONS = {
    "pooling": [
        lambda: HLSTMClassifier(pooling="max").fit(np.zeros((4, 2, 3), dtype=np.int64), Y[:4]),
        lambda: SLSTMClassifier(pooling="max").fit(IDS, Y_IDS),
        lambda: make_method("H-LSTM", clf__pooling="max", tokens__min_freq=1).fit(X, Y),
        lambda: SequenceLSTM(10, 2, pooling="max"),
        lambda: HierarchicalLSTM(10, 2, pooling="max"),
        lambda: _encoder(pooling="max"),
        lambda: pretrain_encoder(X, Y, pooling="max"),
    ],
    "tokenizer": [
        lambda: SequenceTokenizer(tokenizer="bpe").fit(["好"]),
        lambda: LexiconEmojiRecommender(tokenizer="bpe").fit(X, Y),
        lambda: pretrain_encoder(X, Y, tokenizer="bpe"),
        lambda: word_vectors_encoder(["好"], tokenizer="bpe"),
    ],
    "turns": [
        lambda: DialogueFlattener(turns="first").fit(X),
        lambda: LexiconEmojiRecommender(turns="first").fit(X, Y),
    ],
    "fine_tuning": [lambda: SLSTMClassifier(fine_tuning="thaw").fit(IDS, Y_IDS)],
    "architecture": [lambda: _encoder(architecture="tree")],
    "method": [lambda: pretrain_encoder(X, Y, method="B-LSTM")],
    "long_turns": [lambda: load_weibo_dialogues(long_turns="cut")],
    "subset": [lambda: load_tweeteval_emoji(subset="valid")],
    "remnants": [lambda: load_tweeteval_emoji("validation", remnants="strip")],
    "per_emoji": [lambda: evaluate_methods(["S-BOW"], X, Y, X, Y, per_emoji="p@3")],
}


@pytest.mark.parametrize(
    "param, i", [(p, i) for p, calls in BAD_OPTIONS.items() for i in range(len(calls))], ids=lambda v: str(v)
)
def test_a_bad_option_gets_one_kind_of_error_naming_it(param, i):
    with pytest.raises(InvalidParameterError, match=f"The '{param}' parameter of \\w+ must be") as info:
        BAD_OPTIONS[param][i]()
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, EncoderFileError)


def test_a_bad_option_in_an_encoder_file_is_a_file_error(tmp_path):
    path = tmp_path / "enc.pt"
    _encoder().save(path)
    from sklearn_emoji.persistence import read_encoder_file

    enc = read_encoder_file(path)
    enc.pooling = "max"  # as a file with a foreign pooling would read
    with pytest.raises(EncoderFileError, match="pooling must be 'last' or 'attention'"):
        enc._check(source=repr(str(path)))


def test_each_option_set_is_the_one_its_users_read():
    assert tuple(TOKENIZERS) == _options.TOKENIZER_NAMES
    assert tuple(LSTM_RECIPES) == _options.LSTM_METHODS
    assert HLSTMClassifier._parameter_constraints["pooling"][0].options == set(_options.POOLINGS)
    assert HLSTMClassifier._parameter_constraints["fine_tuning"][0].options == set(_options.FINE_TUNINGS)
    assert PretrainedEncoder._parameter_constraints["architecture"][0].options == set(_options.ARCHITECTURES)
    assert DialogueFlattener._parameter_constraints["turns"][0].options == set(_options.TURN_MODES)
    assert SequenceTokenizer._parameter_constraints["truncating"][0].options == set(_options.TRUNCATINGS)


def test_the_cli_offers_the_same_options(capsys):
    from sklearn_emoji.cli import main

    with pytest.raises(SystemExit) as info:
        main(["pretrain", "--output", "x.pt", "--pooling", "max"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--pooling" in err and "'last'" in err and "'attention'" in err
