"""Language-model pre-training of the H-LSTM's word level (ULMFiT), on real Weibo replies."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_emoji.datasets import load_weibo_pretraining, load_weibo_replies
from sklearn_emoji.neural import PretrainedEncoder, check_no_overlap
from sklearn_emoji.neural._language_model import ReplyLanguageModel, default_cutoffs
from sklearn_emoji.neural._transfer import TestThreadsSeen
from sklearn_emoji.pipelines import make_method
from sklearn_emoji.pretraining import pretrain_encoder, pretrain_language_model

torch.set_num_threads(1)

SMALL = dict(embedding_dim=8, hidden_dim=8, min_freq=2, max_vocab=500, random_state=0)


@pytest.fixture(scope="module")
def replies():
    return load_weibo_replies(n_samples=1500)


@pytest.fixture(scope="module")
def lm(replies):
    return pretrain_language_model(replies.data, groups=replies.groups, max_epochs=2, **SMALL)


# ----------------------------------------------------------------------
# the module
# ----------------------------------------------------------------------
def test_the_loss_is_the_next_token_log_likelihood_and_ignores_padding():
    torch.manual_seed(0)
    m = ReplyLanguageModel(vocab_size=12, embedding_dim=4, hidden_dim=5, cutoffs=[]).eval()
    assert isinstance(m.head, torch.nn.Linear)
    X = torch.tensor([[2, 3, 4, 0], [5, 6, 0, 0]])
    with torch.no_grad():
        by_hand = []
        for row in ([2, 3, 4], [5, 6]):
            out, _ = m.word_lstm(m.embedding(torch.tensor([row[:-1]])))
            logp = torch.log_softmax(m.head(out[0]), -1)
            by_hand += [-float(logp[i, t]) for i, t in enumerate(row[1:])]
        assert float(m(X)) == pytest.approx(np.mean(by_hand), rel=1e-5)
        # more padding, and a one-token row (nothing to predict), change nothing
        wider = torch.nn.functional.pad(X, (0, 6))
        assert float(m(wider)) == pytest.approx(float(m(X)), rel=1e-6)
        assert float(m(torch.cat([X, torch.tensor([[7, 0, 0, 0]])]))) == pytest.approx(float(m(X)), rel=1e-6)
        assert float(m(torch.tensor([[7, 0], [0, 0]]))) == 0.0


def test_a_large_vocabulary_gets_an_adaptive_softmax():
    assert default_cutoffs(20002) == [2000, 10000] and default_cutoffs(5000) == [2000] and default_cutoffs(900) == []
    m = ReplyLanguageModel(vocab_size=20002, embedding_dim=4, hidden_dim=16)
    assert isinstance(m.head, torch.nn.AdaptiveLogSoftmaxWithLoss) and m.head.cutoffs == [2000, 10000, 20002]
    loss = m(torch.randint(2, 20002, (3, 6)))
    loss.backward()
    assert loss.item() > 0 and m.word_lstm.weight_ih_l0.grad.abs().sum() > 0


# ----------------------------------------------------------------------
# pre-training on real replies
# ----------------------------------------------------------------------
def test_the_language_model_learns_and_records_what_it_saw(replies, lm):
    assert lm.architecture == "hierarchical" and lm.layers == ["embedding", "word_lstm"]
    assert lm.classes == [] and not any(k.startswith("head") for k in lm.state_dict)
    info = lm.info
    assert info["objective"] == "language model" and info["tokenizer"] == "words" and info["n_texts"] == 1500
    assert info["epochs"] == 2 and info["n_tokens"] > 5000 and len(lm.vocabulary) <= 500
    first, second = (row["train_loss"] for row in info["history"])
    assert second < first < np.log(lm.vocab_size) + 0.5  # better than uniform, and better with a second pass
    assert info["perplexity"] == pytest.approx(np.exp(second))
    assert info["groups"] == sorted(set(replies.groups))
    assert check_no_overlap(lm, ["not a thread"]) == len(set(replies.groups))
    with pytest.raises(TestThreadsSeen):
        check_no_overlap(lm, replies.groups[:2])


def test_the_same_seed_gives_the_same_weights(replies, lm):
    again = pretrain_language_model(replies.data, groups=replies.groups, max_epochs=2, **SMALL)
    other = pretrain_language_model(replies.data, groups=replies.groups, max_epochs=2, **{**SMALL, "random_state": 1})
    w = "word_lstm.weight_hh_l0"
    assert all(torch.equal(again.state_dict[k], v) for k, v in lm.state_dict.items())
    assert not torch.equal(other.state_dict[w], lm.state_dict[w])


def test_it_seeds_emoji_pretraining_and_fine_tuning(replies, lm):
    pre = load_weibo_pretraining(n_samples=400)
    # a tiny SGD step: the weights stay as loaded, so they must be the language model's
    enc = pretrain_encoder(
        pre.data,
        pre.target,
        groups=pre.groups,
        pretrained=lm,
        embedding_dim=8,
        hidden_dim=8,
        optimizer=torch.optim.SGD,
        lr=1e-9,
        max_epochs=1,
    )
    for k in ("embedding.weight", "word_lstm.weight_ih_l0", "word_lstm.bias_hh_l0"):
        assert torch.allclose(enc.state_dict[k], lm.state_dict[k], atol=1e-6)
    assert not torch.allclose(enc.state_dict["turn_lstm.weight_ih_l0"], torch.zeros(32, 8))
    assert enc.vocabulary == lm.vocabulary and enc.info["tokenizer"] == "words"
    # the encoder records the replies' threads too, so a leak through the language model is caught
    assert set(enc.info["groups"]) == set(replies.groups) | set(pre.groups)
    model = make_method("H-LSTM", pretrained=lm, random_state=0, clf__max_epochs=1, clf__validation_fraction=None)
    model.fit(pre.data[:200], pre.target[:200])
    proba = model.predict_proba(pre.data[:5])
    assert proba.shape == (5, len(model.classes_)) and np.allclose(proba.sum(1), 1)


def test_it_starts_from_word_vectors_and_keeps_their_vocabulary(replies):
    vocab = {tok: i + 2 for i, tok in enumerate(["的", "了", "是", "我", "不", "你", "转发", "微博"])}
    emb = torch.randn(len(vocab) + 2, 8)
    emb[0] = 0
    vectors = PretrainedEncoder(
        architecture="hierarchical",
        vocabulary=vocab,
        embedding_dim=8,
        hidden_dim=8,
        pooling="last",
        state_dict={"embedding.weight": emb},
        info={"tokenizer": "words", "groups": ["elsewhere"]},
    )
    lm = pretrain_language_model(
        replies.data[:300], groups=replies.groups[:300], pretrained=vectors, optimizer=torch.optim.SGD, lr=1e-9, **SMALL
    )
    assert lm.vocabulary == vocab and torch.allclose(lm.state_dict["embedding.weight"], emb, atol=1e-6)
    assert lm.info["groups"] == sorted({"elsewhere", *replies.groups[:300]})
    # vectors that do not say which threads they saw: the language model cannot prove anything either
    vectors.info.pop("groups")
    blind = pretrain_language_model(replies.data[:300], groups=replies.groups[:300], pretrained=vectors, **SMALL)
    assert "groups" not in blind.info
    with pytest.raises(ValueError, match="does not record the root posts"):
        check_no_overlap(blind, ["x"])
    with pytest.raises(ValueError, match="embedding_dim=16 but `pretrained` has embedding_dim=8"):
        pretrain_language_model(replies.data[:50], pretrained=vectors, **{**SMALL, "embedding_dim": 16})


# ----------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------
def test_a_corpus_holding_an_excluded_thread_is_refused_before_training(replies):
    test_threads = replies.groups[10:12]
    with pytest.raises(TestThreadsSeen, match=r"holds 1 excluded thread|holds 2 excluded thread"):
        pretrain_language_model(replies.data, groups=replies.groups, exclude_groups=test_threads, **SMALL)
    with pytest.raises(ValueError, match="exclude_groups needs groups"):
        pretrain_language_model(replies.data, exclude_groups=test_threads, **SMALL)
    clean = load_weibo_replies(n_samples=300, exclude_groups=test_threads)
    enc = pretrain_language_model(clean.data, groups=clean.groups, exclude_groups=test_threads, **SMALL)
    check_no_overlap(enc, test_threads)


@pytest.mark.parametrize(
    "texts, kwargs, error, match",
    [
        (None, {}, TypeError, "texts must be a list of str, got NoneType"),
        ("哈哈哈", {}, TypeError, "texts must be a list of str, got str"),
        ([], {}, ValueError, "texts is empty"),
        (["好的", None], {}, TypeError, r"texts\[1\] is NoneType, not str"),
        (["好", "哈"], {"min_freq": 1}, ValueError, "none of the 2 texts has two tokens"),
        (["今天天气很好"] * 3, {"groups": ["a", "b"]}, ValueError, "one group per text: 3 texts"),
        (["今天天气很好"] * 3, {"tokenizer": "bpe"}, InvalidParameterError, "tokenizer"),
        (["今天天气很好"] * 3, {"max_epochs": 0}, InvalidParameterError, "max_epochs"),
        (["今天天气很好"] * 3, {"max_len": 1}, InvalidParameterError, "max_len"),
        (["今天天气很好"] * 3, {"lr": 0.0}, InvalidParameterError, "lr"),
    ],
)
def test_bad_input_gets_a_clear_error(texts, kwargs, error, match):
    with pytest.raises(error, match=match):
        pretrain_language_model(texts, **{**SMALL, "min_freq": 1, **kwargs})


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error of a machine without CUDA")
def test_cuda_without_a_gpu_is_refused():
    with pytest.raises(ValueError, match="CUDA is not available"):
        pretrain_language_model(["今天天气很好"] * 3, device="cuda", **{**SMALL, "min_freq": 1})


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_it_trains_on_a_gpu(replies):
    enc = pretrain_language_model(replies.data[:300], groups=replies.groups[:300], device="cuda", **SMALL)
    assert enc.info["device"] == "cuda" and enc.state_dict["embedding.weight"].device.type == "cpu"
