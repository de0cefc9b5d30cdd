"""Corpora larger than memory: token arrays on disk, classifiers on memmaps.

Real Weibo dialogues (a few hundred, cycled through a generator where a
larger corpus is needed), tiny models, one thread.
"""

import itertools
import os
import tracemalloc

import numpy as np
import pytest
import torch

from sklearn_emoji.neural import HLSTMClassifier, SLSTMClassifier, TokenArrays, load_token_arrays, write_token_arrays
from sklearn_emoji.preprocessing import DialogueFlattener, HierarchicalTokenizer, SequenceTokenizer

torch.set_num_threads(1)

TINY = dict(embedding_dim=8, hidden_dim=8, batch_size=64, max_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def weibo():
    from sklearn_emoji.datasets import load_weibo_dialogues

    data = load_weibo_dialogues(n_samples=300, random_state=0)
    X, y, groups = data.data, np.asarray(data.target), np.asarray(data.groups)
    tok = HierarchicalTokenizer(max_turns=4, max_len=30, min_freq=2).fit(X)
    return X, y, groups, tok


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_write_from_a_generator_equals_transform(weibo, tmp_path):
    X, y, _, tok = weibo
    arrays = write_token_arrays((d for d in X), tok, tmp_path / "corpus", y=iter(y), chunk_size=64)
    assert isinstance(arrays, TokenArrays) and isinstance(arrays.ids, np.memmap)
    assert not arrays.ids.flags.writeable
    np.testing.assert_array_equal(arrays.ids, tok.transform(X))
    assert arrays.y.tolist() == y.tolist() and arrays.n_samples == len(X) == len(arrays)
    assert arrays.vocab_size == tok.vocab_size_ and arrays.vocabulary == tok.vocabulary_
    again = load_token_arrays(tmp_path / "corpus")
    np.testing.assert_array_equal(again.ids, arrays.ids)
    assert again.vocabulary_fingerprint == arrays.vocabulary_fingerprint
    assert _leftovers(tmp_path) == ["corpus"]
    mode = os.stat(tmp_path / "corpus" / "ids.npy").st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask

    # a (flattener, tokenizer) pipeline for the sequence models
    from sklearn.pipeline import make_pipeline

    seq = make_pipeline(DialogueFlattener(turns="reply"), SequenceTokenizer(max_len=20)).fit(X)
    flat = write_token_arrays(X, seq, tmp_path / "reply")
    np.testing.assert_array_equal(flat.ids, seq.transform(X))
    assert flat.y is None and flat.meta["flatten"] == "reply"


@pytest.mark.parametrize(
    "given, recorded", [(None, "words"), ("words", "words"), ("chars", "chars"), (str.split, None)]
)
def test_the_tokenizer_is_recorded_by_name(weibo, tmp_path, given, recorded):
    # pre-training from token arrays tokenizes new text with the recorded tokenizer,
    # so a tokenizer given by name must be recorded under that name
    X = weibo[0]
    tok = HierarchicalTokenizer(max_turns=4, max_len=30, min_freq=2, tokenizer=given).fit(X[:50])
    assert write_token_arrays(X[:50], tok, tmp_path / "corpus").meta["tokenize"] == recorded


def test_nothing_half_written_on_error(weibo, tmp_path):
    X, y, _, tok = weibo

    def broken():
        yield from X[:100]
        raise RuntimeError("the corpus reader failed")

    with pytest.raises(RuntimeError, match="reader failed"):
        write_token_arrays(broken(), tok, tmp_path / "corpus", chunk_size=30)
    with pytest.raises(ValueError, match="y is shorter than X"):
        write_token_arrays(X, tok, tmp_path / "corpus", y=y[:-1], chunk_size=30)
    with pytest.raises(ValueError, match="y is longer than X"):
        write_token_arrays(X[:10], tok, tmp_path / "corpus", y=y[:11])
    assert _leftovers(tmp_path) == []
    write_token_arrays(X[:10], tok, tmp_path / "corpus")
    with pytest.raises(FileExistsError):
        write_token_arrays(X[:10], tok, tmp_path / "corpus")
    with pytest.raises(TypeError, match="fitted SequenceTokenizer or HierarchicalTokenizer"):
        write_token_arrays(X, DialogueFlattener(), tmp_path / "other")
    with pytest.raises(FileNotFoundError, match="not a folder written by write_token_arrays"):
        load_token_arrays(tmp_path)


def test_fit_on_a_memmap_equals_fit_in_memory(weibo, tmp_path):
    X, y, groups, tok = weibo
    arrays = write_token_arrays(X, tok, tmp_path / "corpus", y=y)
    ids = tok.transform(X)
    for kw in ({"validation_fraction": 0.2, "patience": 1}, {"validation_fraction": 0.2, "groups": groups}):
        fit_kw = {"groups": kw.pop("groups")} if "groups" in kw else {}
        on_disk = HLSTMClassifier(**TINY, **kw).fit(arrays.ids, arrays.y, **fit_kw)
        in_memory = HLSTMClassifier(**TINY, **kw).fit(ids, y, **fit_kw)
        # more rows than batch_size: skorch's batched path over the memmap
        np.testing.assert_array_equal(on_disk.predict_proba(arrays.ids), in_memory.predict_proba(ids))
        assert [r["valid_acc"] for r in on_disk.net_.history] == [r["valid_acc"] for r in in_memory.net_.history]


def test_a_memmap_is_never_copied(weibo, tmp_path):
    X, y, _, tok = weibo
    n = 4000
    corpus = itertools.islice(itertools.cycle(X), n)  # a generator, 13x the real sample
    labels = itertools.islice(itertools.cycle(y), n)
    arrays = write_token_arrays(corpus, tok, tmp_path / "corpus", y=labels, chunk_size=500)
    # no random_state: torch.manual_seed formats a stack trace (linecache) for CUDA's lazy seeding
    settings = dict(embedding_dim=8, hidden_dim=8, batch_size=32, max_epochs=1)
    HLSTMClassifier(**settings).fit(arrays.ids[:100], arrays.y[:100])  # first-call imports are not data

    def peak_of(func):
        tracemalloc.start()
        try:
            out = func()
            return out, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    from sklearn_emoji._validation import check_labels

    _, labels_peak = peak_of(lambda: check_labels(arrays.y))  # the labels are held in memory (str objects)
    clf, fit_peak = peak_of(lambda: HLSTMClassifier(**settings).fit(arrays.ids, arrays.y))
    proba, predict_peak = peak_of(lambda: clf.predict_proba(arrays.ids))
    assert proba.shape == (n, len(clf.classes_))
    # numpy never holds X (1.9 MB of int32; an int64 copy would be 3.8 MB): the
    # peaks are the labels, a batch and, for predict, the result (float32 parts
    # joined, then float64: twice proba.nbytes)
    assert fit_peak - labels_peak < arrays.ids.nbytes / 4, (fit_peak, labels_peak, arrays.ids.nbytes)
    assert predict_peak - 2 * proba.nbytes < arrays.ids.nbytes / 4, (predict_peak, arrays.ids.nbytes)


def test_pretrain_encoder_reads_token_arrays(weibo, tmp_path):
    from sklearn_emoji.pretraining import pretrain_encoder

    X, y, groups, _ = weibo
    tok = HierarchicalTokenizer(max_turns=4, max_len=30, min_freq=2, tokenizer=None).fit(X)
    write_token_arrays(X, tok, tmp_path / "corpus", y=y)
    settings = dict(embedding_dim=8, hidden_dim=8, max_epochs=1, random_state=0)
    encoder = pretrain_encoder(str(tmp_path / "corpus"), groups=groups, corpus="disk", **settings)
    assert encoder.vocabulary == tok.vocabulary_ and encoder.info["n_dialogues"] == len(X)
    assert encoder.info["tokenizer"] == "words" and encoder.classes == sorted(set(y))
    assert encoder.info["groups"] == sorted(set(groups))
    in_memory = HLSTMClassifier(vocab_size=tok.vocab_size_, validation_fraction=None, **settings)
    torch.testing.assert_close(
        encoder.state_dict["embedding.weight"],
        in_memory.fit(tok.transform(X), y).net_.module_.state_dict()["embedding.weight"],
    )
    with pytest.raises(ValueError, match="method='S-LSTM' does not match the token arrays"):
        pretrain_encoder(load_token_arrays(tmp_path / "corpus"), method="S-LSTM", **settings)
    write_token_arrays(X, tok, tmp_path / "unlabelled")
    with pytest.raises(ValueError, match="hold no labels"):
        pretrain_encoder(tmp_path / "unlabelled", **settings)


def test_sequence_classifier_on_a_memmap(weibo, tmp_path):
    X, y, _, _ = weibo
    seq = SequenceTokenizer(max_len=20).fit(DialogueFlattener(turns="reply").fit_transform(X))
    texts = DialogueFlattener(turns="reply").fit_transform(X)
    arrays = write_token_arrays(texts, seq, tmp_path / "reply", y=y)
    clf = SLSTMClassifier(validation_fraction=None, **TINY).fit(arrays.ids, arrays.y)
    ref = SLSTMClassifier(validation_fraction=None, **TINY).fit(seq.transform(texts), y)
    np.testing.assert_array_equal(clf.predict(arrays.ids), ref.predict(seq.transform(texts)))


def test_write_token_arrays_validates_its_parameters(weibo, tmp_path):
    from sklearn.utils._param_validation import InvalidParameterError

    X, _, _, tok = weibo
    with pytest.raises(InvalidParameterError, match="chunk_size"):
        write_token_arrays(X, tok, tmp_path / "corpus", chunk_size=0)
    with pytest.raises(InvalidParameterError, match="path"):
        write_token_arrays(X, tok, 3)
