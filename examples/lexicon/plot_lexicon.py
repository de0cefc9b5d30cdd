"""
=====================================================
The sibling lexicon: keywords, siblings and repeats
=====================================================

:class:`~sklearn_emoji.lexicon.LexiconEmojiRecommender` implements the
weighted multi-layer model of Idrees and Al-Solami (2024). It needs no outside
lexicon: from the training texts alone it learns, for every emoji,

* **keywords**: words that occur in the emoji's texts more than chance says
  (selected by TF-IDF, one of them the *seed*);
* **siblings**: words that live in the same surroundings as the keywords
  (the same one- or two-word prefixes and postfixes), added over a few
  *enrichment iterations*;
* **phrases**: bi-grams and tri-grams related to the keywords (the
  "granularity" layer);
* **multiplication keys**: words after which the emoji tends to be repeated
  (``[怒][怒][怒]``), from which it predicts a repeat count.

This example looks at what it learns on Weibo dialogues, measures the effect
of the enrichment iterations, and predicts how many times an emoji repeats on
real Weibo replies. How the paper's vague parts were read is in the user
guide (:ref:`lexicon_reading`).

.. note::

   ``SKLEARN_EMOJI_EXAMPLE_SCALE``: ``ci`` (8,000 dialogues; the
   documentation build), ``laptop`` (the default as a script) or ``paper``
   (both: all 19,000 dialogues, a minute or two on a laptop CPU).
"""

# %%
# Sizes and data
# --------------
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit

from sklearn_emoji.datasets import load_weibo_dialogues

SCALE = os.environ.get("SKLEARN_EMOJI_EXAMPLE_SCALE", "laptop")
SIZES = {
    "ci": dict(n_samples=8000),
    "laptop": dict(n_samples=None),
    "paper": dict(n_samples=None),
}
if SCALE not in SIZES:
    raise ValueError(f"SKLEARN_EMOJI_EXAMPLE_SCALE must be one of {sorted(SIZES)}, got {SCALE!r}")
size = SIZES[SCALE]

data = load_weibo_dialogues(n_samples=size["n_samples"], random_state=0)
splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
train, test = next(splitter.split(data.data, data.target, groups=data.groups))
X_train, y_train = [data.data[i] for i in train], data.target[train]
X_test, y_test = [data.data[i] for i in test], data.target[test]
print(f"scale={SCALE!r}: {len(X_train)} training and {len(X_test)} test dialogues")

# %%
# Fit the lexicon
# ---------------
# Every turn of a dialogue is used (``turns="all"``): Weibo replies are often
# empty once their emoji is removed. The model is a scikit-learn classifier,
# with ``predict_proba`` over ``classes_``.
from sklearn_emoji.lexicon import LexiconEmojiRecommender

lexicon = LexiconEmojiRecommender(max_iter=3).fit(X_train, y_train)
print(f"classes: {' '.join(lexicon.classes_)}; enrichment iterations run: {lexicon.n_iter_}")

# %%
# What was learned for a few emojis
# ---------------------------------
# :meth:`~sklearn_emoji.lexicon.LexiconEmojiRecommender.lexicon_table` lists
# every entry (emoji, kind, term, weight, the iteration that found a sibling,
# the training texts behind it); ``pd.DataFrame`` makes it a table. The
# strongest keywords and siblings of three emojis:
table = pd.DataFrame(lexicon.lexicon_table())
print(table.groupby(["emoji", "kind"]).size().unstack(fill_value=0))

EMOJIS = ["[哈哈]", "[怒]", "[蜡烛]"]


def top_terms(kind, n=8):
    part = table[(table["kind"] == kind) & table["emoji"].isin(EMOJIS)]
    part = part.sort_values("weight", ascending=False).groupby("emoji").head(n)
    return part.groupby("emoji")["term"].apply(lambda t: "  ".join(t)).reindex(EMOJIS)


pd.DataFrame(
    {
        "seed": top_terms("seed", 1),
        "keywords (strongest)": top_terms("keyword"),
        "siblings (strongest)": top_terms("sibling"),
        "bi-grams": top_terms("bigram", 5),
    }
)

# %%
# ``[蜡烛]`` (a candle) mourns: its keywords come from disaster and obituary
# news. ``[怒]`` (angry) and ``[哈哈]`` (laughing) draw more on the replies'
# own words. The automatic seed is the strongest TF-IDF keyword, and in
# short Weibo turns that can be a punctuation mark or a function word;
# ``seed_keywords`` forces chosen seeds into the lexicon, with the emoji's
# largest keyword weight (a seed that the tokenizer splits seeds each of its
# words):
seeded = LexiconEmojiRecommender(seed_keywords={"[蜡烛]": "安息", "[怒]": "愤怒", "[哈哈]": "好笑"}).fit(
    X_train, y_train
)
pd.DataFrame(seeded.lexicon_table(emoji=["[蜡烛]", "[怒]", "[哈哈]"], kinds="seed"))

# %%
# The effect of the enrichment iterations
# ---------------------------------------
# Each iteration adds, per emoji, the best-scoring new siblings (at most
# ``n_siblings``), and the next iteration searches around the enlarged
# lexicon; ``max_iter=0`` turns siblings off. We refit with 0 to 4 iterations
# and score the held-out dialogues: the ranking metrics of Xie et al. and the
# set metrics of Idrees and Al-Solami, whose recommended *set* keeps the
# emojis scoring at least half the best one's.
from sklearn_emoji.metrics import mean_reciprocal_rank, precision_at_k, set_scores

rows = []
for max_iter in range(5):
    model = LexiconEmojiRecommender(max_iter=max_iter).fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    sets = [[emoji for emoji, _, _ in rec] for rec in model.recommend(X_test)]
    siblings = pd.DataFrame(model.lexicon_table(kinds="sibling"), columns=["iteration"])
    rows.append(
        {
            "max_iter": max_iter,
            "iterations run": model.n_iter_,
            "siblings": len(siblings),
            **{f"new in iteration {k}": int((siblings["iteration"] == k).sum()) for k in range(1, 5)},
            "P@1": precision_at_k(y_test, proba, k=1, labels=model.classes_, unseen="miss"),
            "MRR": mean_reciprocal_rank(y_test, proba, labels=model.classes_, unseen="miss"),
            "set F1": set_scores(y_test, sets)["f1"],
        }
    )
iterations = pd.DataFrame(rows).set_index("max_iter")
iterations.round(3)

# %%
import matplotlib.pyplot as plt

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
bottom = np.zeros(len(iterations))
for k, color in zip(range(1, 5), ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]):
    counts = iterations[f"new in iteration {k}"].to_numpy()
    ax1.bar(iterations.index, counts, bottom=bottom, color=color, label=f"found in iteration {k}")
    bottom += counts
ax1.set_xlabel("max_iter")
ax1.set_ylabel("siblings in the lexicon")
ax1.legend(fontsize="small")
for metric, marker in [("P@1", "o"), ("MRR", "s"), ("set F1", "^")]:
    ax2.plot(iterations.index, 100 * iterations[metric], marker=marker, label=metric)
ax2.set_xlabel("max_iter")
ax2.set_ylabel("% on held-out dialogues")
ax2.legend(fontsize="small")
for ax in (ax1, ax2):
    ax.set_xticks(iterations.index)
    ax.grid(alpha=0.3)
fig.suptitle("Enrichment iterations: lexicon size and scores")
fig.tight_layout()
plt.show()

# %%
# Repeats on real replies
# -----------------------
# Weibo replies often repeat their emoji (``[怒][怒][怒]``). The loader
# keeps how many times each reply held it in ``target_counts``:
print(pd.Series(data.target_counts, name="replies").value_counts().sort_index().head(8).to_dict())

# %%
# Given as targets with repeats, one list per dialogue (``["[怒]", "[怒]",
# "[怒]"]``), the counts teach the multiplication layer. ``recommend`` then
# returns, for each dialogue, a small set of ``(emoji, count,
# probability)``; the set keeps the emojis scoring at least
# ``set_threshold`` (half) of the best one.
repeated_train = [[emoji] * int(n) for emoji, n in zip(y_train, data.target_counts[train])]
counts_test = data.target_counts[test]
rec = LexiconEmojiRecommender().fit(X_train, repeated_train)
recommended = rec.recommend(X_test)

shown = np.flatnonzero(counts_test > 1)[:8]
pd.DataFrame(
    {
        "dialogue (emojis removed)": [" / ".join(t or "(empty)" for t in X_test[i]) for i in shown],
        "true": [y_test[i] * int(counts_test[i]) for i in shown],
        "recommended: emoji x count (probability)": [
            "  ".join(f"{e} x{c} ({p:.2f})" for e, c, p in recommended[i]) for i in shown
        ],
    }
)

# %%
# The strongest multiplication keys: the average count of the emoji in the
# training replies holding the word (shrunk towards the word's average over
# all emojis), and how many replies support it. Keys need support in several
# replies that repeat the emoji, so small samples find few.
columns = ["emoji", "kind", "term", "weight", "iteration", "support"]
keys = pd.DataFrame(rec.lexicon_table(kinds="multiplication"), columns=columns)
print(f"{len(keys)} multiplication keys")
keys.sort_values("weight", ascending=False).groupby("emoji").head(3).head(15)

# %%
# Predicted against true count of the true emoji of every test dialogue
# (:meth:`~sklearn_emoji.lexicon.LexiconEmojiRecommender.predict_counts`,
# counts of 5 and more pooled). Most replies hold their emoji once, so the
# title also gives the score of always predicting one.
counts = rec.predict_counts(X_test)
column = {e: j for j, e in enumerate(rec.classes_)}
true_count = np.minimum(counts_test, 5)
predicted_count = np.minimum([counts[i, column[e]] for i, e in enumerate(y_test)], 5)
grid = pd.crosstab(
    pd.Series(true_count, name="true count"), pd.Series(predicted_count, name="predicted count")
).reindex(index=range(1, 6), columns=range(1, 6), fill_value=0)

fig, ax = plt.subplots(figsize=(4.8, 4.2))
ax.imshow(grid.to_numpy(), cmap="Blues")
for (r, c), v in np.ndenumerate(grid.to_numpy()):
    ax.text(c, r, str(v), ha="center", va="center", color="white" if v > grid.to_numpy().max() / 2 else "black")
labels = ["1", "2", "3", "4", "5+"]
ax.set_xticks(range(5), labels)
ax.set_yticks(range(5), labels)
ax.set_xlabel("predicted count")
ax.set_ylabel("true count")
exact = np.mean(true_count == predicted_count)
ax.set_title(f"Repeat counts: {exact:.0%} exact\n(always 1: {np.mean(true_count == 1):.0%})")
fig.tight_layout()
plt.show()
