"""The library's ensembles: the vote hands groups to the LSTM's early stopping."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.ensemble import LabelCheckedVotingClassifier
from sklearn_emoji.neural import _classifiers
from sklearn_emoji.pipelines import make_method, method_info

TINY = {"hlstm__clf__max_epochs": 2, "hlstm__clf__embedding_dim": 8, "hlstm__clf__hidden_dim": 8}


@pytest.fixture(scope="module")
def dialogues(data_home):
    return load_weibo_dialogues(n_samples=300, data_home=data_home)


def test_vote_hands_groups_to_the_h_lstm_early_stopping(dialogues, monkeypatch):
    seen = []
    grouped_split = _classifiers._grouped_split

    def spy(groups, *args):
        seen.append(np.asarray(groups))
        return grouped_split(groups, *args)

    monkeypatch.setattr(_classifiers, "_grouped_split", spy)
    vote = make_method("H-LSTM+LEXICON", random_state=0, **TINY)
    members = vote.get_params()["estimators"]
    assert method_info("H-LSTM+LEXICON").groups_param == "groups"
    vote.fit(dialogues.data, dialogues.target, groups=dialogues.groups)
    (groups,) = seen  # the H-LSTM alone received them
    np.testing.assert_array_equal(groups, dialogues.groups)
    train, valid = grouped_split(groups, len(groups), 0.2, 0)
    assert not set(groups[train]) & set(groups[valid])
    proba = vote.predict_proba(dialogues.data[:5])
    assert proba.shape == (5, len(vote.classes_)) and np.allclose(proba.sum(axis=1), 1)
    # the parameters are the ones given, and metadata routing is off again
    assert vote.get_params()["estimators"] == members
    assert all(a is b for (_, a), (_, b) in zip(vote.estimators, members))
    assert sklearn.get_config()["enable_metadata_routing"] is False
    # without groups the H-LSTM splits at random, as before
    seen.clear()
    make_method("H-LSTM+LEXICON", random_state=0, **TINY).fit(dialogues.data, dialogues.target)
    assert seen == []


def test_vote_refuses_groups_nobody_takes_and_bad_groups(dialogues):
    X = [[0.0], [1.0], [2.0], [3.0]]
    vote = LabelCheckedVotingClassifier([("lr", LogisticRegression())], voting="soft")
    with pytest.raises(ValueError, match="no estimator of this vote takes groups"):
        vote.fit(X, ["a", "b", "a", "b"], groups=[1, 1, 2, 2])
    with pytest.raises(ValueError, match="groups"):
        make_method("H-LSTM+LEXICON", **TINY).fit(dialogues.data[:4], dialogues.target[:4], groups=[1, None, 2, 2])
    assert sklearn.get_config()["enable_metadata_routing"] is False
