"""Transfer learning: pre-trained encoders, fine-tuning strategies, attention,
the neural + lexical ensemble, and their bad input."""

import os

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupShuffleSplit

from sklearn_emoji.datasets import load_weibo_dialogues, load_weibo_pretraining
from sklearn_emoji.ensemble import GroupedStackingClassifier
from sklearn_emoji.inspection import explain_attention
from sklearn_emoji.metrics import get_scorer_dict
from sklearn_emoji.neural import (
    ChainThaw,
    EncoderFileError,
    HLSTMClassifier,
    PretrainedEncoder,
    SLSTMClassifier,
    check_no_overlap,
    load_encoder,
)
from sklearn_emoji.pipelines import make_method
from sklearn_emoji.preprocessing import HierarchicalTokenizer, SequenceTokenizer
from sklearn_emoji.pretraining import pretrain_encoder

torch.set_num_threads(1)

SMALL = dict(embedding_dim=16, hidden_dim=16, max_epochs=1, min_freq=1, random_state=0)


@pytest.fixture(scope="module")
def weibo():
    """A small grouped split of the real Weibo task and a pre-training corpus
    without its test threads."""
    bunch = load_weibo_dialogues(n_samples=600)
    tr, te = next(GroupShuffleSplit(test_size=0.25, random_state=0).split(bunch.data, groups=bunch.groups))
    pre = load_weibo_pretraining(exclude_groups=bunch.groups[te], n_samples=1500)
    return bunch, tr, te, pre


@pytest.fixture(scope="module")
def encoder(weibo):
    _, _, _, pre = weibo
    return pretrain_encoder(pre.data, pre.target, groups=pre.groups, **SMALL)


def _parts(weibo):
    bunch, tr, te, _ = weibo
    return (
        [bunch.data[i] for i in tr],
        bunch.target[tr],
        bunch.groups[tr],
        [bunch.data[i] for i in te],
        bunch.target[te],
        bunch.groups[te],
    )


# ----------------------------------------------------------------------
# the encoder and the data it saw
# ----------------------------------------------------------------------
def test_pretrained_encoder_records_what_it_saw(weibo, encoder):
    bunch, tr, te, pre = weibo
    assert encoder.architecture == "hierarchical" and encoder.pooling == "attention"
    assert encoder.info["tokenizer"] == "chars" and encoder.info["n_dialogues"] == len(pre.data)
    assert set(encoder.classes) == set(pre.target) and len(encoder.classes) > 10
    assert encoder.state_dict["embedding.weight"].shape == (encoder.vocab_size, 16)
    assert encoder.info["groups"] == sorted(set(pre.groups))
    # the leak-free recipe holds, and a leak is caught
    assert check_no_overlap(encoder, bunch.groups[te]) == len(set(pre.groups))
    with pytest.raises(ValueError, match="pre-trained on .* test thread"):
        check_no_overlap(encoder, pre.groups[:5])


def test_save_load_round_trip_and_bad_files(tmp_path, encoder):
    path = tmp_path / "enc.pt"
    encoder.save(path)
    back = load_encoder(path)
    assert back.vocabulary == encoder.vocabulary and back.classes == encoder.classes
    assert back.info["groups"] == encoder.info["groups"]
    for k, v in encoder.state_dict.items():
        assert torch.equal(back.state_dict[k], v)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o666 & ~_umask())
    assert not [f for f in os.listdir(tmp_path) if f != "enc.pt"]  # no temporary left

    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[: os.path.getsize(path) // 2])
    with pytest.raises(EncoderFileError, match="truncated.pt is damaged"):
        load_encoder(truncated)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(EncoderFileError, match="not a sklearn-emoji encoder"):
        load_encoder(foreign)
    with pytest.raises(EncoderFileError, match="no pre-trained encoder file"):
        load_encoder(tmp_path / "missing.pt")
    # an inconsistent file (embedding of the wrong size, format 1: torch.save) is refused whole
    payload = {
        "format": "sklearn-emoji/pretrained-encoder",
        "format_version": 1,
        **{k: getattr(encoder, k) for k in ("architecture", "vocabulary", "embedding_dim", "hidden_dim")},
        **{k: getattr(encoder, k) for k in ("pooling", "classes", "info")},
        "state_dict": {**encoder.state_dict, "embedding.weight": torch.zeros(3, 16)},
    }
    bad = tmp_path / "bad.pt"
    torch.save(payload, bad)
    with (
        pytest.raises(EncoderFileError, match="embedding.weight has shape"),
        pytest.warns(UserWarning, match="no checksum"),
    ):
        load_encoder(bad)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_tokenizer_takes_the_encoders_ids(encoder):
    tok = HierarchicalTokenizer(vocabulary=encoder).fit([["完全没见过的词"]])
    assert tok.vocabulary_ == encoder.vocabulary and tok.vocab_size_ == encoder.vocab_size
    assert tok.token_counts_ == {}
    with pytest.raises(ValueError, match="ids must be 2, 3"):
        SequenceTokenizer(vocabulary={"a": 5}).fit(["a"])
    with pytest.raises(TypeError, match="vocabulary must be None, a dict"):
        SequenceTokenizer(vocabulary=["a"]).fit(["a"])


# ----------------------------------------------------------------------
# fine-tuning
# ----------------------------------------------------------------------
def test_fine_tuning_starts_from_the_encoder(weibo, encoder):
    Xtr, ytr, gtr, *_ = _parts(weibo)
    model = make_method(
        "H-LSTM", pretrained=encoder, random_state=0, clf__max_epochs=1, clf__validation_fraction=None, clf__lr=1e-12
    )
    model.fit(Xtr, ytr)
    module = model[-1].net_.module_
    # with a vanishing learning rate the weights are the encoder's (the rows after its own are new tokens')
    n = encoder.vocab_size
    torch.testing.assert_close(module.embedding.weight.detach()[:n], encoder.state_dict["embedding.weight"])
    torch.testing.assert_close(module.word_lstm.weight_hh_l0.detach(), encoder.state_dict["word_lstm.weight_hh_l0"])
    # the softmax rows of shared emojis come from pre-training
    row = list(model[-1].classes_).index("[哈哈]")
    src = encoder.classes.index("[哈哈]")
    torch.testing.assert_close(module.output.weight[row].detach(), encoder.state_dict["output.weight"][src])
    # the encoder's ids, then the new tokens of the fine-tuning data
    assert {t: i for t, i in model[0].vocabulary_.items() if i < n} == encoder.vocabulary
    assert len(model[0].vocabulary_) == len(encoder.vocabulary) + len(model[0].extended_tokens_) > n - 2


def test_last_freezes_the_encoder_and_chain_thaw_runs_its_steps(weibo, encoder):
    Xtr, ytr, gtr, Xte, yte, _ = _parts(weibo)
    last = make_method(
        "H-LSTM",
        pretrained=encoder,
        random_state=0,
        clf__max_epochs=2,
        clf__validation_fraction=None,
        clf__fine_tuning="last",
    ).fit(Xtr, ytr)
    module = last[-1].net_.module_
    n = encoder.vocab_size
    torch.testing.assert_close(module.embedding.weight.detach()[:n], encoder.state_dict["embedding.weight"])
    torch.testing.assert_close(module.turn_lstm.weight_ih_l0.detach(), encoder.state_dict["turn_lstm.weight_ih_l0"])

    chain = make_method(
        "H-LSTM", pretrained=encoder, random_state=0, clf__max_epochs=30, clf__patience=1, clf__fine_tuning="chain-thaw"
    )
    chain.fit(Xtr, ytr, clf__groups=gtr)
    cb = dict(chain[-1].net_.callbacks_)["chain_thaw"]
    assert isinstance(cb, ChainThaw)
    # head, embedding, word LSTM, word attention, turn LSTM, turn attention, all
    assert len(cb.steps) == 7 and len(cb.step_epochs_) == 7 and all(n >= 1 for n in cb.step_epochs_)
    assert all(p.requires_grad for p in chain[-1].net_.module_.parameters())
    proba = chain.predict_proba(Xte)
    assert np.isfinite(proba).all() and np.allclose(proba.sum(1), 1)


def test_clone_and_search_reuse_the_encoder_without_retraining(weibo, encoder):
    Xtr, ytr, gtr, *_ = _parts(weibo)
    model = make_method("H-LSTM", pretrained=encoder, random_state=0, clf__max_epochs=1, clf__validation_fraction=None)
    copy = clone(model)
    assert copy.get_params()["clf__pretrained"].vocabulary == encoder.vocabulary
    search = GridSearchCV(model, {"clf__fine_tuning": ["full", "last"]}, cv=2, scoring=get_scorer_dict(), refit="p@1")
    search.fit(Xtr, ytr)
    assert set(search.cv_results_["param_clf__fine_tuning"]) == {"full", "last"}
    assert np.isfinite(search.cv_results_["mean_test_mrr"]).all()


def test_a_hierarchical_encoder_starts_a_sequence_model(weibo, encoder):
    Xtr, ytr, *_ = _parts(weibo)
    model = make_method(
        "S-LSTM", pretrained=encoder, random_state=0, clf__max_epochs=1, clf__validation_fraction=None, clf__lr=1e-12
    ).fit(Xtr, ytr)
    module = model[-1].net_.module_
    torch.testing.assert_close(module.lstm.weight_ih_l0.detach(), encoder.state_dict["word_lstm.weight_ih_l0"])


def test_mismatches_get_clear_errors(weibo, encoder):
    Xtr, ytr, *_ = _parts(weibo)
    ids = HierarchicalTokenizer(vocabulary=encoder).fit_transform(Xtr)
    with pytest.raises(ValueError, match="embedding_dim=32.*encoder's embedding_dim=16"):
        HLSTMClassifier(pretrained=encoder, embedding_dim=32).fit(ids, ytr)
    with pytest.raises(ValueError, match="vocab_size=10.*vocabulary of"):
        HLSTMClassifier(pretrained=encoder, vocab_size=10).fit(ids, ytr)
    # ids from a tokenizer with its own, larger vocabulary do not match the encoder
    other = np.full((len(ytr), 2, 3), encoder.vocab_size + 3)
    with pytest.raises(ValueError, match=f"token id {encoder.vocab_size + 3}.*{encoder.vocab_size} ids"):
        HLSTMClassifier(pretrained=encoder, max_epochs=1).fit(other, ytr)
    with pytest.raises(ValueError, match="chain-thaw.*needs a pre-trained encoder"):
        HLSTMClassifier(fine_tuning="chain-thaw").fit(ids, ytr)
    with pytest.raises(ValueError, match="validation set"):
        HLSTMClassifier(pretrained=encoder, fine_tuning="chain-thaw", validation_fraction=None).fit(ids, ytr)
    with pytest.raises(TypeError, match="pretrained.*PretrainedEncoder"):
        HLSTMClassifier(pretrained={"embedding.weight": 1}).fit(ids, ytr)
    with pytest.raises(ValueError, match="pretrained= applies to the LSTM methods"):
        make_method("F-BOW", pretrained=encoder)


def test_encoder_validates_its_own_shapes():
    with pytest.raises(EncoderFileError, match="ids must be 2, 3"):
        PretrainedEncoder(
            architecture="sequence",
            vocabulary={"a": 3},
            embedding_dim=2,
            hidden_dim=2,
            pooling="last",
            state_dict={"embedding.weight": torch.zeros(3, 2)},
        )
    with pytest.raises(EncoderFileError, match="weight_ih_l0 has shape"):
        PretrainedEncoder(
            architecture="sequence",
            vocabulary={"a": 2},
            embedding_dim=2,
            hidden_dim=2,
            pooling="last",
            state_dict={"embedding.weight": torch.zeros(3, 2), "lstm.weight_ih_l0": torch.zeros(4, 2)},
        )
    with pytest.raises(EncoderFileError, match="not a finite tensor"):
        PretrainedEncoder(
            architecture="sequence",
            vocabulary={"a": 2},
            embedding_dim=2,
            hidden_dim=2,
            pooling="last",
            state_dict={"embedding.weight": torch.full((3, 2), float("nan"))},
        )


# ----------------------------------------------------------------------
# attention
# ----------------------------------------------------------------------
def test_attention_weights_read_back_as_words_and_turns(weibo, encoder):
    Xtr, ytr, _, Xte, *_ = _parts(weibo)
    model = make_method(
        "H-LSTM", pretrained=encoder, random_state=0, clf__max_epochs=1, clf__validation_fraction=None
    ).fit(Xtr, ytr)
    word_w, turn_w = model[-1].attention_weights(model[0].transform(Xte[:5]))
    assert word_w.shape[:2] == turn_w.shape
    np.testing.assert_allclose(turn_w.sum(1), 1, atol=1e-5)
    explained = explain_attention(model, Xte[:3], k=2)
    for dialogue, ex in zip(Xte[:3], explained):
        assert len(ex["emojis"]) == 2 and ex["emojis"][0][1] >= ex["emojis"][1][1]
        assert len(ex["turns"]) == sum(1 for _ in dialogue)  # every turn (empty ones as one OOV)
        for turn in ex["turns"]:
            assert len(turn["tokens"]) == len(turn["weights"])
            assert abs(sum(turn["weights"]) - 1) < 1e-5
        assert abs(sum(t["turn_weight"] for t in ex["turns"]) - 1) < 1e-5

    seq = SLSTMClassifier(pooling="last", embedding_dim=4, hidden_dim=4, max_epochs=1, validation_fraction=None).fit(
        np.array([[2, 3], [3, 0]]), ["a", "b"]
    )
    with pytest.raises(ValueError, match="pooling='attention'"):
        seq.attention_weights(np.array([[2, 3]]))


# ----------------------------------------------------------------------
# neural + lexical
# ----------------------------------------------------------------------
def test_neural_and_lexical_together(weibo, encoder):
    Xtr, ytr, gtr, Xte, yte, _ = _parts(weibo)
    vote = make_method(
        "H-LSTM+LEXICON",
        pretrained=encoder,
        random_state=0,
        hlstm__clf__max_epochs=1,
        hlstm__clf__validation_fraction=None,
    ).fit(Xtr, ytr)
    proba = vote.predict_proba(Xte)
    assert proba.shape == (len(Xte), len(vote.classes_)) and np.allclose(proba.sum(1), 1)
    parts = [est.predict_proba(Xte) for est in vote.estimators_]
    np.testing.assert_allclose(proba, (2 * parts[0] + parts[1] + parts[2]) / 4)

    stack = GroupedStackingClassifier([("fbow", make_method("F-BOW")), ("lexicon", make_method("LEXICON"))], cv=3).fit(
        Xtr, ytr, groups=gtr
    )
    assert stack.predict_proba(Xte).shape == (len(Xte), len(stack.classes_))
    with pytest.raises(ValueError, match="need at least 3 groups"):
        GroupedStackingClassifier([("fbow", make_method("F-BOW"))], cv=3).fit(
            Xtr[:4], ytr[:4], groups=["a", "a", "b", "b"]
        )


# ----------------------------------------------------------------------
# vocabulary extension on fine-tuning (torchMoji's extend_embedding)
# ----------------------------------------------------------------------
def test_tokenizer_extends_a_fixed_vocabulary_with_the_most_frequent_new_tokens():
    fixed = {"a": 2, "b": 3}
    X = ["a c c d d d e", "b e e f"]
    tok = SequenceTokenizer(vocabulary=fixed, min_freq=2, extend_vocabulary=2).fit(X)
    # d (3) and e (3) are the most frequent new tokens, c (2) is cut by the cap, f (1) by min_freq
    assert tok.vocabulary_ == {"a": 2, "b": 3, "d": 4, "e": 5}
    assert tok.extended_tokens_ == ["d", "e"] and tok.vocab_size_ == 6
    assert tok.transform(["c d e f"]).tolist()[0][:4] == [1, 4, 5, 1]
    assert SequenceTokenizer(vocabulary=fixed).fit(X).vocabulary_ == fixed  # default: nothing added
    learned = SequenceTokenizer(extend_vocabulary=5).fit(X)  # no fixed vocabulary: nothing to extend
    assert learned.extended_tokens_ == [] and len(learned.vocabulary_) == 6
    hier = HierarchicalTokenizer(vocabulary=fixed, min_freq=1, extend_vocabulary=10).fit([["a z"], ["z", "y"]])
    assert hier.extended_tokens_ == ["z", "y"] and hier.vocabulary_["z"] == 4
    with pytest.raises(ValueError, match="extend_vocabulary"):
        SequenceTokenizer(vocabulary=fixed, extend_vocabulary=-1).fit(X)


def test_new_tokens_get_new_embedding_rows_and_keep_the_pretrained_ones(weibo, encoder):
    X_tr, y_tr, g_tr, _, _, _ = _parts(weibo)
    X_new = [[*d[:-1], d[-1] + " zzqnew"] for d in X_tr]  # a token the encoder never saw, in every reply
    model = make_method("H-LSTM", pretrained=encoder, random_state=0)
    model.set_params(clf__max_epochs=1, clf__fine_tuning="last", tokens__min_freq=1)
    model.fit(X_new, y_tr)
    tok, clf = model.named_steps["tokens"], model.named_steps["clf"]
    assert "zzqnew" in tok.extended_tokens_ and tok.vocabulary_["zzqnew"] >= encoder.vocab_size
    emb = clf.net_.module_.embedding.weight.detach()
    assert emb.shape[0] == tok.vocab_size_ == clf.vocab_size_ > encoder.vocab_size
    # fine_tuning="last" freezes the encoder: its rows are the pre-trained ones, the new rows are drawn near them
    torch.testing.assert_close(emb[: encoder.vocab_size], encoder.state_dict["embedding.weight"])
    new = emb[encoder.vocab_size :]
    assert torch.isfinite(new).all() and new.abs().sum() > 0
    pre_std = encoder.state_dict["embedding.weight"][2:].std(0)
    assert float((new.std(0) / pre_std).mean()) < 3  # on the scale of the pre-trained rows
    # the same seed draws the same new rows
    again = clone(model).fit(X_new, y_tr).named_steps["clf"].net_.module_.embedding.weight.detach()
    torch.testing.assert_close(again, emb)
    # without extend_embedding, ids past the encoder's are refused, and the message says what to set
    off = clone(model).set_params(clf__extend_embedding=False)
    with pytest.raises(ValueError, match="extend_embedding=True"):
        off.fit(X_new, y_tr)
    # extend_vocabulary=0 reads the new token as OOV and keeps the encoder's size
    oov = clone(model).set_params(tokens__extend_vocabulary=0).fit(X_new, y_tr)
    assert oov.named_steps["clf"].vocab_size_ == encoder.vocab_size
