"""The fitted lexicon as rows of a table (:meth:`lexicon_table`)."""

from __future__ import annotations

from .._compat import InvalidParameterError

KINDS = ("seed", "keyword", "sibling", "bigram", "trigram", "multiplication")


def _as_set(value, what, allowed):
    wanted = {value} if isinstance(value, str) else set(value)
    unknown = wanted - set(allowed)
    if unknown:
        raise InvalidParameterError(f"unknown {what} {sorted(map(str, unknown))}; expected some of {list(allowed)}")
    return wanted


def lexicon_rows(state, *, emoji=None, kinds=None):
    """Rows ``{emoji, kind, term, weight, iteration, support}`` of a fitted state (see ``lexicon_table``)."""
    kinds = set(KINDS) if kinds is None else _as_set(kinds, "kind", KINDS)
    classes = state.scorer.classes.tolist()
    wanted = set(classes) if emoji is None else _as_set(emoji, "emoji", classes)
    lex, labels, vocab = state.lexicon, state.stats.labels, state.vocab
    rows = []

    def add(e, kind, terms, weights, supports, iterations=None):
        for i, (term, w) in enumerate(zip(terms, weights)):
            rows.append(
                dict(
                    emoji=e,
                    kind=kind,
                    term=term,
                    weight=float(w),
                    iteration=0 if iterations is None else int(iterations[i]),
                    support=None if supports is None else int(supports[i]),
                )
            )

    for ci, e in enumerate(state.classes):
        if e not in wanted:
            continue
        seeds = set(lex.seeds.get(ci, []))
        col = lex.keywords[:, ci].tocoo()
        support = labels.class_unigram_df[ci].toarray().ravel()
        for kind in ("seed", "keyword"):
            sel = [(j, w) for j, w in zip(col.row, col.data) if (j in seeds) == (kind == "seed")]
            if kind in kinds and sel:
                add(e, kind, [vocab.tokens[j] for j, _ in sel], [w for _, w in sel], [support[j] for j, _ in sel])
        if "sibling" in kinds:
            col = lex.siblings[:, ci].tocoo()
            it = lex.sibling_iteration[:, ci].toarray().ravel()
            add(e, "sibling", [vocab.tokens[j] for j in col.row], col.data, None, it[col.row])
        for kind, W, Dc, n in (
            ("bigram", lex.bigrams, labels.class_bigram_df, 2),
            ("trigram", lex.trigrams, labels.class_trigram_df, 3),
        ):
            if kind in kinds:
                col = W[:, ci].tocoo()
                support = Dc[ci].toarray().ravel()
                add(e, kind, [vocab.phrase(n, p) for p in col.row], col.data, support[col.row])
        if "multiplication" in kinds:
            col = lex.repeat_keys[:, ci].tocoo()
            support = lex.repeat_support[:, ci].toarray().ravel()
            add(e, "multiplication", [vocab.tokens[j] for j in col.row], col.data, support[col.row])
    kind_rank = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (str(r["emoji"]), kind_rank[r["kind"]], -r["weight"], r["term"]))
    return rows
