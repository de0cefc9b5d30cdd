"""Soft targets: replies holding several emojis in the pre-training corpus, and training on them."""

import numpy as np
import pytest
import torch

from sklearn_emoji.datasets import load_weibo_dialogues, load_weibo_pretraining
from sklearn_emoji.evaluation import split_by_root_post
from sklearn_emoji.neural import HLSTMClassifier, check_no_overlap
from sklearn_emoji.preprocessing import HierarchicalTokenizer
from sklearn_emoji.pretraining import pretrain_encoder

torch.set_num_threads(1)

SMALL = dict(embedding_dim=8, hidden_dim=8, max_epochs=1, min_freq=1, random_state=0)


@pytest.fixture(scope="module")
def corpora():
    one = load_weibo_pretraining(n_emojis=20)
    both = load_weibo_pretraining(n_emojis=20, several_emojis=True)
    return one, both


def test_several_emoji_replies_come_after_the_one_emoji_ones_as_distributions(corpora):
    one, both = corpora
    n = len(one.data)
    assert both.data[:n] == one.data and list(both.target[:n]) == list(one.target)
    assert list(both.target_names) == list(one.target_names)  # the labels are still the one-emoji top 20
    extra = both.filter_counts["several_emojis_has_text"]
    assert len(both.data) == n + extra and extra > 1000
    P = both.target_proba
    assert P.shape == (n + extra, 20) and P.dtype == np.float32 and np.allclose(P.sum(1), 1)
    assert set(np.unique(P[:n])) == {0.0, 1.0}  # one-hot for one emoji
    names = list(both.target_names)
    assert (P[np.arange(n), [names.index(t) for t in one.target]] == 1).all()
    soft = P[n:]
    assert (soft.max(1) < 1).mean() > 0.5  # most hold two labels or more
    # a row spreads evenly over its labels, and its target is one of them
    for row, t in zip(soft[:300], both.target[n : n + 300]):
        nz = row[row > 0]
        assert np.allclose(nz, 1 / len(nz)) and row[names.index(t)] > 0
    assert all(len(d) <= 4 for d in both.data[n:]) and len(both.groups) == len(both.data)


def test_several_emojis_respect_the_held_out_threads_and_subsets(corpora):
    split = split_by_root_post(load_weibo_dialogues(n_samples=2000), test_size=0.2, random_state=0)
    pre = load_weibo_pretraining(n_emojis=20, several_emojis=True, exclude_groups=split.groups_test)
    assert not set(pre.groups) & set(split.groups_test)
    assert pre.filter_counts["several_emojis_exclude_groups"] < pre.filter_counts["several_emojis_replies"]
    sub = load_weibo_pretraining(n_emojis=20, several_emojis=True, n_samples=500, random_state=1)
    assert len(sub.data) == 500 and sub.target_proba.shape == (500, 20) and sub.filter_counts["n_samples"] == 500
    X, y = load_weibo_pretraining(n_emojis=20, several_emojis=True, n_samples=50, return_X_y=True)
    assert len(X) == len(y) == 50
    with pytest.raises(TypeError, match="several_emojis must be True or False"):
        load_weibo_pretraining(several_emojis="yes")


def test_one_hot_soft_targets_train_exactly_as_labels(corpora):
    one, _ = corpora
    X, y, g = one.data[:400], one.target[:400], one.groups[:400]
    classes = sorted(set(y))
    P = (np.asarray(y)[:, None] == np.asarray(classes)[None, :]).astype(np.float32)
    hard = pretrain_encoder(X, y, groups=g, **SMALL)
    soft = pretrain_encoder(X, P[:, ::-1], classes=classes[::-1], groups=g, **SMALL)  # columns in any order
    assert soft.classes == hard.classes
    for k, v in hard.state_dict.items():
        assert torch.allclose(soft.state_dict[k], v, atol=1e-6), k
    assert soft.info["groups"] == sorted(set(g))
    check_no_overlap(soft, ["not a thread"])


def test_soft_targets_pretrain_an_encoder_that_differs_from_the_hard_one(corpora):
    _, both = corpora
    n = len(both.data)
    idx = np.r_[0:300, n - 300 : n]  # one-emoji and several-emoji dialogues
    X, P, y = [both.data[i] for i in idx], both.target_proba[idx], both.target[idx]
    soft = pretrain_encoder(X, P, classes=both.target_names, **SMALL)
    hard = pretrain_encoder(X, y, **SMALL)
    assert not torch.allclose(soft.state_dict["output.weight"], hard.state_dict["output.weight"])
    assert np.isfinite(soft.info["history"][0]["train_loss"])


def test_bad_soft_targets_are_refused(corpora):
    one, _ = corpora
    X, y = one.data[:40], one.target[:40]
    tok = HierarchicalTokenizer(min_freq=1).fit(X)
    ids = tok.transform(X)
    P = np.full((40, 4), 0.25, dtype=np.float32)
    classes = ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="needs classes"):
        pretrain_encoder(X, P, **SMALL)
    with pytest.raises(ValueError, match="classes is for soft targets"):
        pretrain_encoder(X, y, classes=classes, **SMALL)
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_classes\) = \(40, 3\)"):
        pretrain_encoder(X, P, classes=classes[:3], **SMALL)
    bad = P.copy()
    bad[0] = [1, 1, 0, 0]
    with pytest.raises(ValueError, match="probability distribution"):
        pretrain_encoder(X, bad, classes=classes, **SMALL)
    with pytest.raises(ValueError, match="soft targets take validation_fraction=None"):
        HLSTMClassifier(validation_fraction=0.1, embedding_dim=8, hidden_dim=8)._fit_soft(ids, P, classes)
