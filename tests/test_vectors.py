"""Word vectors as a pre-trained embedding (sklearn_emoji.vectors)."""

import numpy as np
import pytest
import torch

gensim = pytest.importorskip("gensim")

from sklearn_emoji.neural import PretrainedEncoder, check_no_overlap, load_encoder  # noqa: E402
from sklearn_emoji.pretraining import TOKENIZERS  # noqa: E402
from sklearn_emoji.vectors import word_vectors_encoder  # noqa: E402

TOY = ["今天天气真好", "天气好想出去玩", "今天好开心", "好开心啊", "下雨了好难过"] * 10


@pytest.fixture(scope="module")
def replies():
    from sklearn_emoji.datasets import load_weibo_replies

    bunch = load_weibo_replies(n_samples=3000, random_state=0)
    return bunch.data, bunch.groups


@pytest.fixture(scope="module")
def replies_encoder(replies):
    texts, groups = replies
    enc, model = word_vectors_encoder(
        texts, groups=groups, embedding_dim=16, epochs=2, random_state=0, return_model=True, corpus="3000 replies"
    )
    return enc, model


def _weight(enc):
    return enc.state_dict["embedding.weight"].numpy()


def test_built_vocabulary_shapes_ids_and_info(replies, replies_encoder):
    texts, groups = replies
    enc, _ = replies_encoder
    assert isinstance(enc, PretrainedEncoder)
    assert enc.architecture == "hierarchical" and enc.pooling == "last"
    assert enc.embedding_dim == enc.hidden_dim == 16
    assert enc.layers == ["embedding"] and enc.classes == []
    assert sorted(enc.vocabulary.values()) == list(range(2, len(enc.vocabulary) + 2))
    assert _weight(enc).shape == (len(enc.vocabulary) + 2, 16)
    # ids by decreasing frequency, every token seen at least min_count=2 times
    counts = {}
    for t in texts:
        for tok in TOKENIZERS["words"](t):
            counts[tok] = counts.get(tok, 0) + 1
    by_id = sorted(enc.vocabulary, key=enc.vocabulary.get)
    freqs = [counts[t] for t in by_id]
    assert freqs == sorted(freqs, reverse=True) and min(freqs) >= 2
    assert len(by_id) == sum(c >= 2 for c in counts.values())
    info = enc.info
    assert info["tokenizer"] == "words" and info["corpus"] == "3000 replies"
    assert info["n_texts"] == 3000 and info["coverage"] == 1.0
    assert info["params"]["vector_size"] == 16 and info["params"]["sg"] == 1
    assert info["groups"] == sorted(set(groups.tolist()))
    assert check_no_overlap(enc, ["not-a-root-post"]) == len(set(groups.tolist()))
    with pytest.raises(ValueError, match="pre-trained on 1 test thread"):
        check_no_overlap(enc, [groups[0]])


def test_rows_are_gensims_vectors_padding_zero_oov_mean(replies_encoder):
    enc, model = replies_encoder
    W = _weight(enc)
    np.testing.assert_array_equal(W[0], 0)
    by_id = sorted(enc.vocabulary, key=enc.vocabulary.get)
    for tok in by_id[:3] + by_id[-3:]:  # the most and the least frequent
        np.testing.assert_array_equal(W[enc.vocabulary[tok]], model.wv[tok])
    np.testing.assert_allclose(W[1], W[2:].mean(axis=0), rtol=1e-5, atol=1e-6)
    assert np.isfinite(W).all() and np.abs(W[2:]).sum(axis=1).min() > 0


def test_given_vocabulary_rows_follow_its_ids():
    vocab = {"下雨": 4, "天气": 2, "火星文": 3, "好": 5}  # 火星文 never occurs
    enc, model = word_vectors_encoder(
        TOY, vocabulary=vocab, embedding_dim=8, min_count=2, random_state=0, return_model=True
    )
    assert enc.vocabulary == vocab
    W = _weight(enc)
    assert W.shape == (6, 8)
    np.testing.assert_array_equal(W[0], 0)
    for tok in ("下雨", "天气", "好"):
        np.testing.assert_array_equal(W[vocab[tok]], model.wv[tok])
    np.testing.assert_allclose(W[1], W[[2, 4, 5]].mean(axis=0), rtol=1e-5, atol=1e-7)
    assert "火星文" not in model.wv.key_to_index
    assert np.abs(W[3]).sum() > 0  # a random row, not zeros
    assert enc.info["coverage"] == 0.75 and enc.info["n_trained"] == 3
    assert enc.info["vocabulary"] == "given"


def test_reuses_an_encoders_vocabulary_and_tokenizer():
    vocab = {"天": 2, "气": 3, "好": 4}
    emoji_enc = PretrainedEncoder(
        architecture="hierarchical",
        vocabulary=vocab,
        embedding_dim=4,
        hidden_dim=4,
        pooling="last",
        state_dict={"embedding.weight": torch.zeros(5, 4)},
        info={"tokenizer": "chars"},
    )
    enc = word_vectors_encoder(TOY, vocabulary=emoji_enc, embedding_dim=8)
    assert enc.vocabulary == vocab and enc.info["tokenizer"] == "chars"
    assert enc.info["coverage"] == 1.0  # every character occurs
    with pytest.raises(ValueError, match="does not match the encoder"):
        word_vectors_encoder(TOY, vocabulary=emoji_enc, tokenizer="words")


def test_deterministic_with_one_worker_and_a_seed():
    a = word_vectors_encoder(TOY, embedding_dim=8, random_state=3, vocabulary={"好": 2, "没见过": 3})
    b = word_vectors_encoder(TOY, embedding_dim=8, random_state=3, vocabulary={"好": 2, "没见过": 3})
    c = word_vectors_encoder(TOY, embedding_dim=8, random_state=4, vocabulary={"好": 2, "没见过": 3})
    np.testing.assert_array_equal(_weight(a), _weight(b))
    assert not np.array_equal(_weight(a), _weight(c))


def test_deterministic_across_processes(replies_encoder):
    """gensim seeds each word's first vector with hashfxn(seed + word), by default
    Python's hash, which changes with PYTHONHASHSEED; ours is a fixed CRC-32."""
    import zlib

    _, model = replies_encoder
    assert model.hashfxn("1好") == zlib.crc32("1好".encode()) == 2690307342
    assert model.workers == 1


def test_save_and_load_round_trip(tmp_path, replies_encoder):
    enc, _ = replies_encoder
    back = load_encoder(enc.save(tmp_path / "w2v.pt"))
    assert back.vocabulary == enc.vocabulary and back.info == enc.info
    torch.testing.assert_close(back.state_dict["embedding.weight"], enc.state_dict["embedding.weight"])


def test_plugs_into_hlstm_and_fits_on_weibo_dialogues(replies_encoder):
    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.pipelines import make_method

    enc, _ = replies_encoder
    data = load_weibo_dialogues(n_samples=240, random_state=0)
    X, y = data.data, np.asarray(data.target)
    model = make_method(
        "H-LSTM", pretrained=enc, random_state=0, clf__max_epochs=1, clf__validation_fraction=None, clf__batch_size=32
    )
    model.fit(X[:200], y[:200])
    # the vectors' vocabulary first, then the tokens of the data that it lacks (new embedding rows)
    n = enc.vocab_size
    assert {t: i for t, i in model[0].vocabulary_.items() if i < n} == enc.vocabulary
    assert model[-1].net_.module_.embedding.weight.shape == (model[0].vocab_size_, 16)
    proba = model.predict_proba(X[200:])
    assert proba.shape == (40, len(model.classes_)) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    # the embedding started from the vectors (one epoch moves it only a little)
    learned = model[-1].net_.module_.embedding.weight.detach().cpu()[:n]
    start = enc.state_dict["embedding.weight"]
    assert torch.allclose(learned[0], start[0])
    assert (learned - start).abs().mean() < 0.5 * start.abs().mean()


@pytest.mark.parametrize(
    "texts, err, match",
    [
        ([], ValueError, "texts is empty"),
        ("今天天气真好", TypeError, "single str"),
        (None, TypeError, "got None"),
        (["好", 3], TypeError, "dialogue 1 of texts is int"),
        ([["好", None]], TypeError, "turn 1 of dialogue 0"),
        (["", " "], ValueError, "no token occurs min_count=2 times"),
    ],
)
def test_bad_texts_raise_clear_errors(texts, err, match):
    with pytest.raises(err, match=match):
        word_vectors_encoder(texts, embedding_dim=4)


@pytest.mark.parametrize(
    "vocabulary, err, match",
    [
        ({"好": 1, "天气": 2}, ValueError, r"ids must be 2, 3, \.\.\., len\(vocabulary\) \+ 1"),
        ({"好": 2, "天气": 4}, ValueError, "ids must be 2, 3"),
        ({"好": 2, "天气": 2}, ValueError, "ids must be 2, 3"),
        ({"好": "2"}, TypeError, "ids must be ints"),
        ({3: 2}, TypeError, "keys must be str"),
        ({}, ValueError, "vocabulary is empty"),
        (["好", "天气"], TypeError, "vocabulary must be None, a dict"),
    ],
)
def test_bad_vocabulary_raises_clear_errors(vocabulary, err, match):
    with pytest.raises(err, match=match):
        word_vectors_encoder(TOY, vocabulary=vocabulary, embedding_dim=4)


def test_bad_params_and_groups():
    with pytest.raises(ValueError, match="groups must hold one group per text"):
        word_vectors_encoder(TOY, groups=["a", "b"], embedding_dim=4)
    with pytest.raises(ValueError, match="embedding_dim"):
        word_vectors_encoder(TOY, embedding_dim=0)
    with pytest.raises(ValueError, match="tokenizer"):
        word_vectors_encoder(TOY, tokenizer="bpe")


def test_missing_gensim_names_the_extra(monkeypatch):
    import importlib

    real_import_module = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.startswith("gensim"):
            raise ImportError("No module named 'gensim'")
        return real_import_module(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ImportError, match=r'pip install "sklearn-emoji\[vectors\]"'):
        word_vectors_encoder(TOY)
