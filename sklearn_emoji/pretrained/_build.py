"""Build every shipped artifact from the data in the data home: ``sklearn-emoji build-models``.

Deterministic on CPU with one thread (a fixed seed, ``torch.set_num_threads``):
the same data and code give the same files.

The recipe (issues "ready models" and "CPU accuracy"): word2vec vectors of
jieba words (skip-gram, 5 epochs, one worker, the 20,000 most frequent words)
trained on the unlabelled replies of ``load_weibo_replies()``, then the
H-LSTM of the transfer-learning table (attention, Adam 1e-3, batch 128)
pre-trained from them on ``load_weibo_pretraining()``, both *without the
test threads* of the canonical split (``split_by_root_post(
load_weibo_dialogues(), test_size=0.2, random_state=0)``), kept with its
64-emoji softmax layer (``weibo-128``); then fine-tuned on that split's
training threads (``weibo-10``). ``word_vectors=False`` gives the earlier
recipe (Han characters, random initial embedding). Each manifest holds the
held-out numbers on that split's test threads.
"""

from __future__ import annotations

import hashlib
import os
import platform
import time

import numpy as np

from ._files import sha256_file, write_artifact

__all__ = ["build_models"]


def _groups_hash(groups):
    return hashlib.sha256("\n".join(sorted({str(g) for g in groups})).encode("utf-8")).hexdigest()


def _scores(model, X, y, ks=(1, 3, 5)):
    proba = model.predict_proba(X)
    return _scores_of(proba, y, list(model.classes_), ks), proba


def _scores_of(proba, y, labels, ks=(1, 3, 5)):
    from ..metrics import mean_reciprocal_rank, precision_at_k

    out = {f"P@{k}": round(100 * float(precision_at_k(y, proba, k=k, labels=labels)), 2) for k in ks}
    out["MRR"] = round(100 * float(mean_reciprocal_rank(y, proba, labels=labels)), 2)
    return out


def _top3_changes(encoder, X, proba32, half_keys):
    """How many top-3 rankings change when the weights ``half_keys`` are stored as float16, and the probabilities."""
    import torch

    from . import model_from_encoder

    half = type(encoder)(
        architecture=encoder.architecture,
        vocabulary=encoder.vocabulary,
        embedding_dim=encoder.embedding_dim,
        hidden_dim=encoder.hidden_dim,
        pooling=encoder.pooling,
        state_dict={
            k: v.to(torch.float16).to(torch.float32) if k in half_keys else v for k, v in encoder.state_dict.items()
        },
        classes=encoder.classes,
        info=encoder.info,
    )
    proba16 = model_from_encoder(half).predict_proba(X)
    top32 = np.argsort(-proba32, axis=1, kind="stable")[:, :3]
    top16 = np.argsort(-proba16, axis=1, kind="stable")[:, :3]
    return int((top32 != top16).any(axis=1).sum()), proba16


def _reproducible(info):
    """The encoder's record without wall-clock times, so two builds write the same bytes (times: manifest)."""
    info = {k: v for k, v in info.items() if k != "train_seconds"}
    if "history" in info:
        info["history"] = [{k: v for k, v in row.items() if k != "dur"} for row in info["history"]]
    return info


#: The embedding, the bulk of a word-vocabulary artifact: tried alone in float16 when all of it would change too much.
EMBEDDING = "embedding.weight"

#: The most held-out top-3 rankings float16 may change, as a share of the dialogues checked: one in 1,000
#: moves each P@k by at most 0.1 points, the precision the README reports.
MAX_CHANGED = 0.001


def _storage(encoder, X_test, y_test, proba32):
    """The smallest storage that changes at most :data:`MAX_CHANGED` of the held-out top 3s.

    All float16, else the embedding alone in float16 (its rows are looked up,
    not multiplied through the recurrences), else all float32. Returns the
    dtype of each tensor and the manifest's record: the changes counted, and
    the held-out scores of the weights as stored.
    """
    keys = list(encoder.state_dict)
    labels = list(encoder.classes)
    record = {"n_checked": len(X_test), "max_top3_changes": int(MAX_CHANGED * len(X_test))}
    # (dtype named in the manifest, tensors rounded to float16, field counting the changes)
    candidates = [("float16", set(keys), "float16_top3_changes")]
    if EMBEDDING in encoder.state_dict and len(keys) > 1:
        candidates.append(("float16 embedding, float32 rest", {EMBEDDING}, "embedding_float16_top3_changes"))
    for dtype, half, field in candidates:
        record[field], proba = _top3_changes(encoder, X_test, proba32, half)
        if record[field] <= record["max_top3_changes"]:
            dtypes = {k: "float16" if k in half else "float32" for k in keys}
            return dtypes, {"dtype": dtype, **record, "scores": _scores_of(proba, y_test, labels)}
    return dict.fromkeys(keys, "float32"), {"dtype": "float32", **record, "scores": _scores_of(proba32, y_test, labels)}


def _write(encoder, folder, name, manifest, X_test, y_test, proba32, log):
    """Write ``encoder`` in the smallest storage that keeps its held-out rankings (:func:`_storage`)."""
    from . import encoder_to_artifact

    dtypes, storage = _storage(encoder, X_test, y_test, proba32)
    tensors, data = encoder_to_artifact(encoder, dtype=dtypes)
    data["info"] = _reproducible(data["info"])
    manifest = {**manifest, "storage": storage}
    written = write_artifact(folder, name, tensors, data, manifest)
    size = sum(f["bytes"] for f in written["files"].values())
    log(f"wrote {name} to {folder}: {size / 1e6:.2f} MB ({storage})")
    return written


def build_models(
    output=None,
    *,
    data_home=None,
    dim=128,
    epochs=3,
    fine_tune_epochs=20,
    seeds=(0, 1, 2),
    n_samples=None,
    threads=1,
    device="cpu",
    word_vectors=True,
    max_vocab=20000,
    language_model=0,
    english=True,
    verbose=True,
):
    """Pre-train and fine-tune the shipped networks, score them, write artifacts and manifests.

    Parameters
    ----------
    output : str or None, default=None
        Folder to write to; ``None``: the package's own ``pretrained/data``.
    data_home : str or None, default=None
        Where ``weibo_ced/`` is (default: ``$SKLEARN_EMOJI_DATA``).
    dim : int, default=128
        Embedding and hidden size; the names carry it (``weibo-128``).
    epochs : int, default=3
        Pre-training epochs.
    fine_tune_epochs : int, default=20
        Epoch cap of fine-tuning (early stopping on whole threads).
    seeds : sequence of int, default=(0, 1, 2)
        Fine-tuning seeds scored; the first is shipped.
    n_samples : int or None, default=None
        A subset of both corpora (for a quick rebuild test), else all.
    threads : int, default=1
        ``torch.set_num_threads`` during the build (one thread is
        deterministic and, on a busy 2-core machine, faster).
    device : str, default="cpu"
    word_vectors : bool, default=True
        Start the pre-training from word2vec vectors of jieba words, trained
        on the unlabelled replies without the test threads (needs gensim: the
        ``vectors`` extra). False: Han characters, a random initial embedding
        (the recipe before issue "CPU accuracy").
    max_vocab : int, default=20000
        Words given a vector (the most frequent), with ``word_vectors``.
        20,000 fine-tune as well as 50,000 (39.6 ± 0.3 against 39.3 ± 0.4
        P@1, pre-training seed 0, one thread; the user guide's "CPU
        levers") in 40 % of the size.
    language_model : int, default=0
        Epochs of language-model pre-training of the word level on the
        unlabelled replies without the test threads
        (:func:`~sklearn_emoji.pretraining.pretrain_language_model`, after
        the word vectors), before the emoji pre-training; 0: none.
    english : bool, default=True
        Also build ``tweeteval-20`` (EN-LINEAR on TweetEval, as arrays;
        :func:`sklearn_emoji.pretrained._english.build_english`).
    verbose : bool, default=True

    Returns
    -------
    manifests : dict
        Artifact name -> manifest written.
    """
    import torch

    from .. import __version__
    from ..datasets import get_data_home, load_weibo_dialogues, load_weibo_pretraining
    from ..evaluation import split_by_root_post
    from ..neural import check_no_overlap
    from ..pipelines import make_method
    from ..pretraining import _encoder_from_classifier, pretrain_encoder
    from . import DATA_DIR, model_from_encoder

    log = print if verbose else (lambda *a, **k: None)
    folder = output or DATA_DIR
    old_threads = torch.get_num_threads()
    torch.set_num_threads(int(threads))
    try:
        archive = os.path.join(get_data_home(data_home), "weibo_ced", "CED_Dataset.tar.gz")
        data_sha = sha256_file(archive) if os.path.isfile(archive) else None
        bunch = load_weibo_dialogues(data_home=data_home, n_samples=n_samples, random_state=0)
        split = split_by_root_post(bunch, test_size=0.2, random_state=0)
        test_groups = split.groups_test
        excluded = {
            "split": "split_by_root_post(load_weibo_dialogues(), test_size=0.2, random_state=0)",
            "n_root_posts": int(len(set(map(str, test_groups)))),
            "sha256": _groups_hash(test_groups),
        }
        pre = load_weibo_pretraining(exclude_groups=test_groups, data_home=data_home, n_samples=n_samples)
        full = load_weibo_pretraining(data_home=data_home, n_samples=n_samples)
        held = np.isin(np.asarray(full.groups).astype(str), np.asarray(test_groups).astype(str))
        keep = np.isin(np.asarray(full.target), np.asarray(pre.target_names))
        X64 = [full.data[i] for i in np.flatnonzero(held & keep)]
        y64 = np.asarray(full.target)[held & keep]
        log(
            f"pre-training corpus: {len(pre.data)} dialogues, {len(pre.target_names)} emojis, "
            f"{excluded['n_root_posts']} test root posts excluded; 64-emoji held-out: {len(X64)}"
        )
        tokenizer = "words" if word_vectors else "chars"
        recipe = {
            "method": "H-LSTM",
            "tokenizer": tokenizer,
            "pooling": "attention",
            "embedding_dim": dim,
            "hidden_dim": dim,
            "optimizer": "Adam",
            "lr": 1e-3,
            "batch_size": 128,
            "epochs": epochs,
            "random_state": 0,
            "threads": int(threads),
            "device": device,
            "n_samples": n_samples,
        }
        common = {
            "library_version": __version__,
            "torch_version": torch.__version__,
            "python": platform.python_version(),
            "data": {"file": "weibo_ced/CED_Dataset.tar.gz", "sha256": data_sha},
            "excluded_root_posts": excluded,
        }
        start = time.perf_counter()
        word2vec_seconds = 0.0
        start_from = {"tokenizer": tokenizer}
        if word_vectors:
            from ..vectors import reply_vectors

            vectors, n_replies = reply_vectors(
                test_groups,
                embedding_dim=dim,
                max_vocab=max_vocab,
                corpus="Weibo replies, test threads of the canonical split excluded",
                data_home=data_home,
                n_samples=n_samples,
            )
            check_no_overlap(vectors, test_groups)
            recipe["word_vectors"] = {
                **vectors.info["params"],
                "n_texts": vectors.info["n_texts"],
                "n_vectors": vectors.info["n_vectors"],
                "coverage": round(float(vectors.info["coverage"]), 4),
            }
            word2vec_seconds = time.perf_counter() - start
            log(f"word2vec on {n_replies} replies: {len(vectors.vocabulary)} words [{word2vec_seconds:.0f} s]")
            start_from = {"pretrained": vectors}
        lm_seconds = 0.0
        if language_model:
            from ..pretraining import reply_language_model

            lm_start = time.perf_counter()
            lm, n_replies = reply_language_model(
                test_groups,
                data_home=data_home,
                n_samples=n_samples,
                tokenizer=tokenizer,
                max_vocab=max_vocab,
                embedding_dim=dim,
                hidden_dim=dim,
                max_epochs=language_model,
                device=device,
                random_state=0,
                verbose=2 if verbose else 0,
                corpus="Weibo replies, test threads of the canonical split excluded",
                **start_from,
            )
            check_no_overlap(lm, test_groups)
            lm_seconds = time.perf_counter() - lm_start
            recipe["language_model"] = {
                "epochs": int(language_model),
                "n_texts": lm.info["n_texts"],
                "n_tokens": lm.info["n_tokens"],
                "perplexity": round(float(lm.info["perplexity"]), 1),
            }
            perplexity = lm.info["perplexity"]
            log(f"language model on {n_replies} replies: perplexity {perplexity:.1f} [{lm_seconds:.0f} s]")
            start_from = {"pretrained": lm}
        emoji_start = time.perf_counter()
        encoder = pretrain_encoder(
            pre.data,
            pre.target,
            groups=pre.groups,
            embedding_dim=dim,
            hidden_dim=dim,
            pooling="attention",
            max_epochs=epochs,
            device=device,
            random_state=0,
            verbose=2 if verbose else 0,
            corpus=f"weibo CED, {len(pre.target_names)} emojis, test threads of the canonical split excluded",
            **start_from,
        )
        seconds = time.perf_counter() - start
        emoji_seconds = time.perf_counter() - emoji_start
        check_no_overlap(encoder, test_groups)
        model64 = model_from_encoder(encoder)
        scores64, proba64 = _scores(model64, X64, y64)
        log(f"weibo-{dim} (64 emojis, no fine-tuning) on held-out threads: {scores64}  [{seconds:.0f} s]")
        manifests = {}
        manifests[f"weibo-{dim}"] = _write(
            encoder,
            folder,
            f"weibo-{dim}",
            {
                **common,
                "recipe": recipe,
                "pretraining": {
                    "n_dialogues": len(pre.data),
                    "seconds": round(seconds, 1),
                    "word2vec_seconds": round(word2vec_seconds, 1),
                    "language_model_seconds": round(lm_seconds, 1),
                    "emoji_seconds": round(emoji_seconds, 1),
                    "dialogues_per_second": round(epochs * len(pre.data) / emoji_seconds, 1),
                },
                "held_out": {"task": "64 emojis, dialogues of the canonical test threads", "n": len(X64), **scores64},
            },
            X64,
            y64,
            proba64,
            log,
        )
        # -- the paper's 10-emoji task: fine-tune on the training threads
        runs, shipped = [], None
        for seed in seeds:
            model = make_method(
                "H-LSTM", pretrained=encoder, random_state=seed, clf__max_epochs=fine_tune_epochs, clf__device=device
            )
            t0 = time.perf_counter()
            model.fit(split.X_train, split.y_train, clf__groups=split.groups_train)
            sc, proba = _scores(model, split.X_test, split.y_test)
            runs.append(
                {"seed": seed, **sc, "epochs": int(model[-1].n_epochs_), "seconds": round(time.perf_counter() - t0, 1)}
            )
            log(f"weibo-10 fine-tuning seed {seed}: {runs[-1]}")
            if shipped is None:
                shipped = (model, proba)
        model, proba = shipped
        clf = model[-1]
        groups = sorted({*map(str, encoder.info.get("groups", [])), *map(str, split.groups_train)})
        fine = _encoder_from_classifier(
            clf,
            model[0].vocabulary_,
            tokenizer=tokenizer,
            corpus=encoder.info.get("corpus", ""),
            n_dialogues=len(split.X_train),
            groups=groups,
            fine_tuned_from=f"weibo-{dim}",
        )
        check_no_overlap(fine, test_groups)
        keys = [k for k in runs[0] if k.startswith("P@") or k == "MRR"]
        summary = {
            k: {
                "mean": round(float(np.mean([r[k] for r in runs])), 2),
                "std": round(float(np.std([r[k] for r in runs])), 2),
            }
            for k in keys
        }
        manifests["weibo-10"] = _write(
            fine,
            folder,
            "weibo-10" if dim == 128 else f"weibo-10-{dim}",
            {
                **common,
                "recipe": {
                    **recipe,
                    "fine_tuning": {
                        "from": f"weibo-{dim}",
                        "strategy": "full",
                        "max_epochs": fine_tune_epochs,
                        "patience": 3,
                        "validation": "10% of the training threads",
                        "shipped_seed": seeds[0],
                    },
                },
                "held_out": {
                    "task": "the paper's 10 emojis, canonical test threads",
                    "n": len(split.X_test),
                    "shipped": runs[0],
                    "seeds": runs,
                    "summary": summary,
                },
            },
            split.X_test,
            split.y_test,
            proba,
            log,
        )
        return manifests
    finally:
        torch.set_num_threads(old_threads)
