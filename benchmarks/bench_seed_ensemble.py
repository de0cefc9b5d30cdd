"""Issue-21 lever: a seed ensemble of fine-tuned H-LSTMs, and its vote with F-BOW and LEXICON.

Run from the project root (data home defaults to ../shared/data)::

    .venv/bin/python benchmarks/bench_seed_ensemble.py [--seeds 0,1,2] [--threads 1] [--encoder weibo-128]
        [--continue-epochs 3] [--lr 3e-4] [--dropout 0.5] [--pretrain-seed 1 [--pretrain-epochs 3] [--n-emojis 200]
        [--word-vectors [--max-vocab 20000]] [--language-model 1] [--several-emojis]] [--distill 0.5]

On the canonical split (``split_by_root_post(load_weibo_dialogues(),
test_size=0.2, random_state=0)``, the README's), the shipped encoder (its
pre-training excluded these test threads; ``check_no_overlap`` proves it) is
fine-tuned once per seed with the library's recipe
(``make_method("H-LSTM", pretrained=..., random_state=seed)``, early
stopping on whole training threads). Rows: each seed alone (mean and
spread), the seeds' averaged probabilities, F-BOW, LEXICON, the library's
H-LSTM+LEXICON weights (2 / 1 / 1) with one H-LSTM and with the averaged
seeds. ``--continue-epochs N`` first pre-trains the encoder N more epochs
(the lever "more pre-training epochs", as a warm restart: Adam's state starts
afresh). ``--pretrain-seed S`` pre-trains a fresh encoder with seed S instead
(the build's settings; the lever "a second pre-training seed"), with
``--n-emojis N`` on the N most frequent emojis instead of 64 (the lever "a
larger label space") and ``--word-vectors`` starting from word2vec vectors
of jieba words (the lever "word vectors with emoji pre-training"; ``--max-vocab``
words, 50,000 by default); ``--language-model EPOCHS`` first trains the
word level as a language model on the unlabelled replies, test threads
excluded (the lever "language-model pre-training", ULMFiT; after the word
vectors when both are given); ``--several-emojis`` adds the replies that
hold several emojis as soft targets (the lever "soft multi-label
targets"); ``--distill ALPHA`` then fine-tunes one student per seed on
the seeds' averaged probabilities (the lever "distillation", with the
seed ensemble as the teacher; ALPHA weighs it against the labels); ``--lr`` and
``--dropout`` change the fine-tuning recipe. A row gives the encoder's own
head (its 64 or ``--n-emojis`` emojis) without fine-tuning, its 10 emojis' probabilities
renormalised. ``--save-encoder FILE`` keeps a pre-trained encoder, and
``--encoder FILE`` fine-tunes it again (another lr, dropout or seed set)
without pre-training it anew. One process, one torch thread by default
(``--threads``).
"""

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if "SKLEARN_EMOJI_DATA" not in os.environ and SHARED.exists():
    os.environ["SKLEARN_EMOJI_DATA"] = str(SHARED)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--encoder", default="weibo-128")
    parser.add_argument("--lr", type=float, default=None, help="fine-tuning learning rate (default: the library's)")
    parser.add_argument("--dropout", type=float, default=None, help="fine-tuning dropout (default: the library's)")
    parser.add_argument(
        "--pretrain-seed",
        type=int,
        default=None,
        help="pre-train a fresh encoder with this seed (the build's settings, the test threads excluded)",
    )
    parser.add_argument("--pretrain-epochs", type=int, default=3, help="epochs of --pretrain-seed")
    parser.add_argument(
        "--n-emojis",
        type=int,
        default=64,
        help="label space of --pretrain-seed: the N most frequent emojis (the build's 64 by default)",
    )
    parser.add_argument(
        "--continue-epochs",
        type=int,
        default=0,
        help="first pre-train the encoder this many more epochs (the build's settings, the test threads excluded)",
    )
    parser.add_argument(
        "--word-vectors",
        action="store_true",
        help="--pretrain-seed starts from word2vec vectors (jieba words, unlabelled replies, test threads excluded)",
    )
    parser.add_argument(
        "--max-vocab",
        type=int,
        default=50000,
        help="--word-vectors: words given a vector, the most frequent (the build's 50,000 by default)",
    )
    parser.add_argument(
        "--several-emojis",
        action="store_true",
        help="--pretrain-seed also learns from the replies with several emojis, as soft targets",
    )
    parser.add_argument(
        "--language-model",
        type=int,
        default=0,
        metavar="EPOCHS",
        help="--pretrain-seed first trains the word level as a language model on the unlabelled replies "
        "(test threads excluded) for this many epochs (after --word-vectors, when given)",
    )
    parser.add_argument(
        "--distill",
        type=float,
        default=None,
        metavar="ALPHA",
        help="also fine-tune one student per seed on soft targets: ALPHA x the seeds' averaged probabilities on "
        "the training dialogues (the teacher) + (1 - ALPHA) x the labels, for the teachers' best epoch count",
    )
    parser.add_argument(
        "--save-encoder",
        default=None,
        help="write the encoder that was pre-trained here to this file (--encoder FILE reuses it)",
    )
    args = parser.parse_args()

    import numpy as np
    import torch

    from sklearn_emoji import load_weibo_dialogues, make_method
    from sklearn_emoji.evaluation import split_by_root_post
    from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k
    from sklearn_emoji.neural import check_no_overlap
    from sklearn_emoji.pretrained import resolve_encoder

    torch.set_num_threads(args.threads)
    split = split_by_root_post(load_weibo_dialogues(), test_size=0.2, random_state=0)
    encoder = resolve_encoder(args.encoder)
    if args.pretrain_seed is not None or args.continue_epochs:
        from sklearn_emoji import load_weibo_pretraining
        from sklearn_emoji.pretraining import pretrain_encoder

        if (
            args.n_emojis != 64 or args.word_vectors or args.language_model or args.several_emojis
        ) and args.pretrain_seed is None:
            parser.error("--n-emojis, --word-vectors, --language-model and --several-emojis apply to --pretrain-seed")
        pre = load_weibo_pretraining(
            n_emojis=args.n_emojis, exclude_groups=split.groups_test, several_emojis=args.several_emojis
        )
        print(f"pre-training corpus: {len(pre.data)} dialogues, {len(set(pre.target))} emojis")
        targets = dict(y=pre.target)
        if args.several_emojis:
            targets = dict(y=pre.target_proba, classes=pre.target_names)
            print(f"with {pre.filter_counts['several_emojis_has_text']} several-emoji replies as soft targets")

        def pretrain(epochs, seed, what, **kwargs):
            """``epochs`` of pre-training (the build's settings, the test threads excluded), timed."""
            start = time.perf_counter()
            out = pretrain_encoder(
                pre.data,
                **targets,
                groups=pre.groups,
                embedding_dim=encoder.embedding_dim,
                hidden_dim=encoder.hidden_dim,
                pooling=encoder.pooling,
                max_epochs=epochs,
                random_state=seed,
                verbose=1,
                corpus=f"{what}, test threads excluded",
                **kwargs,
            )
            seconds = time.perf_counter() - start
            print(f"{what}: {seconds:.0f} s, {epochs * len(pre.data) / seconds:.0f} dialogues/s")
            return out

    if args.pretrain_seed is not None:
        what = f"pre-training seed {args.pretrain_seed}, {args.pretrain_epochs} epochs, top-{args.n_emojis} emojis"
        if args.several_emojis:
            what += " with several-emoji replies as soft targets"
        start_from = dict(tokenizer="chars")
        if args.word_vectors:
            from sklearn_emoji.vectors import reply_vectors

            start = time.perf_counter()
            vectors, n_replies = reply_vectors(
                split.groups_test,
                embedding_dim=encoder.embedding_dim,
                max_vocab=args.max_vocab,
                corpus="Weibo replies, test threads excluded",
                random_state=args.pretrain_seed,
            )
            print(f"word2vec on {n_replies} replies: {time.perf_counter() - start:.0f} s")
            check_no_overlap(vectors, split.groups_test)
            start_from = dict(pretrained=vectors)
            what += f", from word vectors ({len(vectors.vocabulary)} jieba words)"
        if args.language_model:
            from sklearn_emoji.pretraining import reply_language_model

            start = time.perf_counter()
            lm, n_replies = reply_language_model(
                split.groups_test,
                pretrained=start_from.get("pretrained"),
                tokenizer="words",
                max_vocab=args.max_vocab,
                embedding_dim=encoder.embedding_dim,
                hidden_dim=encoder.hidden_dim,
                max_epochs=args.language_model,
                random_state=args.pretrain_seed,
                verbose=1,
                corpus="Weibo replies, test threads excluded",
            )
            seconds = time.perf_counter() - start
            print(
                f"language model on {n_replies} replies ({lm.info['n_tokens']} next tokens per epoch): "
                f"{seconds:.0f} s, {args.language_model * n_replies / seconds:.0f} replies/s, "
                f"perplexity {lm.info['perplexity']:.1f}"
            )
            check_no_overlap(lm, split.groups_test)
            start_from = dict(pretrained=lm)
            what += f", language model {args.language_model} epoch(s)"
        encoder = pretrain(args.pretrain_epochs, args.pretrain_seed, what, **start_from)
    if args.continue_epochs:
        what = f"{args.encoder} + {args.continue_epochs} more epochs"
        encoder = pretrain(args.continue_epochs, 0, what, pretrained=encoder)
    check_no_overlap(encoder, split.groups_test)
    if args.save_encoder:
        encoder.save(args.save_encoder)
        print(f"encoder saved to {args.save_encoder}")

    def scores(proba, labels):
        y = split.y_test
        return [100 * precision_at_k(y, proba, k=k, labels=labels) for k in (1, 3)] + [
            100 * mean_reciprocal_rank(y, proba, labels=labels)
        ]

    probas, seconds = {}, {}
    for name in ("F-BOW", "LEXICON"):
        start = time.perf_counter()
        model = make_method(name, random_state=0).fit(split.X_train, split.y_train)
        probas[name], labels = model.predict_proba(split.X_test), list(model.classes_)
        seconds[name] = time.perf_counter() - start
    # The encoder's own head (64 or --n-emojis emojis), no fine-tuning: its 10 emojis' probabilities, renormalised.
    from sklearn_emoji.pretrained import model_from_encoder

    head = model_from_encoder(encoder)
    cols = [list(head.classes_).index(c) for c in labels]
    zero = head.predict_proba(split.X_test)[:, cols]
    probas["zero-shot"] = zero / zero.sum(1, keepdims=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    tuned = {f"clf__{k}": v for k, v in (("lr", args.lr), ("dropout", args.dropout)) if v is not None}
    teachers = []
    for seed in seeds:
        start = time.perf_counter()
        model = make_method("H-LSTM", pretrained=encoder, random_state=seed, **tuned)
        model.fit(split.X_train, split.y_train, clf__groups=split.groups_train)
        assert list(model.classes_) == labels
        teachers.append(model)
        probas[f"H-LSTM seed {seed}"] = model.predict_proba(split.X_test)
        seconds[f"H-LSTM seed {seed}"] = time.perf_counter() - start
        print(f"seed {seed}: {scores(probas[f'H-LSTM seed {seed}'], labels)} in {seconds[f'H-LSTM seed {seed}']:.0f} s")

    singles = np.array([scores(probas[f"H-LSTM seed {s}"], labels) for s in seeds])
    mean_h = np.mean([probas[f"H-LSTM seed {s}"] for s in seeds], axis=0)
    rows = [
        (f"H-LSTM, one seed (mean ± std of {len(seeds)})", singles.mean(0), singles.std(0)),
        (f"H-LSTM, {len(seeds)} seeds averaged", scores(mean_h, labels), None),
        (f"{len(encoder.classes)}-emoji head, no fine-tuning", scores(probas["zero-shot"], labels), None),
        ("F-BOW", scores(probas["F-BOW"], labels), None),
        ("LEXICON", scores(probas["LEXICON"], labels), None),
    ]
    for what, h in ((f"seed {seeds[0]}", probas[f"H-LSTM seed {seeds[0]}"]), (f"{len(seeds)} seeds", mean_h)):
        vote = (2 * h + probas["F-BOW"] + probas["LEXICON"]) / 4
        rows.append((f"H-LSTM ({what}) + F-BOW + LEXICON, 2/1/1", scores(vote, labels), None))
    if args.distill is not None:
        rows += _students(args.distill, teachers, encoder, seeds, split, labels, tuned, scores, probas, seconds)
    print(f"canonical split: {len(split.X_train)} training, {len(split.X_test)} test dialogues; encoder {args.encoder}")
    print(f"fine-tuning: {tuned or 'the library defaults'}")
    print(f"torch threads {args.threads}; fit seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items()))
    print("| model | P@1 (%) | P@3 (%) | MRR (%) |")
    print("| --- | ---: | ---: | ---: |")
    for name, sc, sd in rows:
        cells = [f"{v:.1f}" if sd is None else f"{v:.1f} ± {d:.1f}" for v, d in zip(sc, sd if sd is not None else sc)]
        print(f"| {name} | " + " | ".join(cells) + " |")


def _students(alpha, teachers, encoder, seeds, split, labels, tuned, scores, probas, seconds):
    """Distillation of the seeds' ensemble into one H-LSTM per seed: the rows of the table."""
    import numpy as np

    from sklearn_emoji import make_method

    teacher = np.mean([m.predict_proba(split.X_train) for m in teachers], axis=0)
    onehot = (np.asarray(split.y_train)[:, None] == np.asarray(labels)[None, :]).astype(np.float32)
    targets = alpha * teacher + (1 - alpha) * onehot
    # the epoch that early stopping kept (best valid_acc), averaged over the teachers
    best = [int(np.argmax(m[-1].net_.history[:, "valid_acc"])) + 1 for m in teachers]
    epochs = max(1, int(round(np.mean(best))))
    print(f"distillation: alpha {alpha}, teachers' best epochs {best}, students train {epochs} epochs")
    for seed in seeds:
        start = time.perf_counter()
        student = make_method(
            "H-LSTM",
            pretrained=encoder,
            random_state=seed,
            clf__validation_fraction=None,
            clf__max_epochs=epochs,
            **tuned,
        )
        tok, clf = student[:-1], student[-1]
        clf._fit_soft(tok.fit_transform(split.X_train), targets, labels)
        assert list(clf.classes_) == labels
        probas[f"student seed {seed}"] = clf.predict_proba(tok.transform(split.X_test))
        seconds[f"student seed {seed}"] = time.perf_counter() - start
        print(f"student seed {seed}: {scores(probas[f'student seed {seed}'], labels)}")
    singles = np.array([scores(probas[f"student seed {s}"], labels) for s in seeds])
    vote = (2 * probas[f"student seed {seeds[0]}"] + probas["F-BOW"] + probas["LEXICON"]) / 4
    return [
        (f"student (alpha {alpha}), one seed (mean ± std of {len(seeds)})", singles.mean(0), singles.std(0)),
        (f"student (seed {seeds[0]}) + F-BOW + LEXICON, 2/1/1", scores(vote, labels), None),
    ]


if __name__ == "__main__":
    main()
