"""
===========================================================
TF-IDF and lexicon features together in a FeatureUnion
===========================================================

:class:`~sklearn_emoji.lexicon.SiblingLexiconFeatures` is the lexicon of
Idrees and Al-Solami (2024) as a transformer: for every dialogue, the score
of each emoji in each layer (keywords, siblings, phrases). It composes with
anything else scikit-learn has. Here its ten-times-three columns join the
tens of thousands of TF-IDF columns of the F-BOW baseline in a
:class:`~sklearn.pipeline.FeatureUnion`, a logistic regression reads both,
and :func:`~sklearn.model_selection.cross_val_score` compares the parts and
the whole with five-fold cross-validation, the protocol of the lexicon
paper.

The same composition is available by name as
``make_method("LEXICON+BOW")`` (which flattens each dialogue before both
branches); here it is built by hand to show the parts.

``SiblingLexiconFeatures.fit_transform`` scores each training dialogue with a
lexicon built without it (cross fitting, as
:class:`~sklearn.preprocessing.TargetEncoder` does), so the classifier does
not learn to trust in-sample lexicon scores that are too good.

.. note::

   ``SKLEARN_EMOJI_EXAMPLE_SCALE``: ``laptop`` (default as a script),
   ``ci`` (small; the documentation build) or ``paper`` (all dialogues).
"""

# %%
# Sizes and data
# --------------
import os

from sklearn_emoji.datasets import load_weibo_dialogues

SCALE = os.environ.get("SKLEARN_EMOJI_EXAMPLE_SCALE", "laptop")
SIZES = {"ci": dict(n_samples=2000), "laptop": dict(n_samples=8000), "paper": dict(n_samples=None)}
if SCALE not in SIZES:
    raise ValueError(f"SKLEARN_EMOJI_EXAMPLE_SCALE must be one of {sorted(SIZES)}, got {SCALE!r}")
data = load_weibo_dialogues(n_samples=SIZES[SCALE]["n_samples"], random_state=0)
print(f"scale={SCALE!r}: {len(data.data)} dialogues")

# %%
# Three models
# ------------
# The TF-IDF branch flattens each dialogue into one string first
# (:class:`~sklearn_emoji.preprocessing.DialogueFlattener`) and tokenizes it
# with :func:`~sklearn_emoji.text.tokenize` (jieba for Chinese); the lexicon
# branch takes the dialogues as they are.
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

from sklearn_emoji.lexicon import SiblingLexiconFeatures
from sklearn_emoji.preprocessing import DialogueFlattener
from sklearn_emoji.text import tokenize


def tfidf():
    return Pipeline(
        [
            ("flatten", DialogueFlattener(turns="all")),
            ("tfidf", TfidfVectorizer(analyzer=tokenize, sublinear_tf=True, min_df=2)),
        ]
    )


def lexicon():
    # One column per emoji and layer (keywords, siblings, phrases); the
    # default layers="sum" gives one column per emoji.
    return SiblingLexiconFeatures(layers="separate", random_state=0)


def classifier():
    return LogisticRegression(max_iter=1000)


models = {
    "TF-IDF": make_pipeline(tfidf(), classifier()),
    "lexicon": make_pipeline(lexicon(), classifier()),
    "TF-IDF + lexicon": make_pipeline(FeatureUnion([("bow", tfidf()), ("lexicon", lexicon())]), classifier()),
}
models["TF-IDF + lexicon"]

# %%
# Five-fold cross-validation
# --------------------------
# Five folds, as ``cv=5`` would give, but grouped by root post
# (:class:`~sklearn.model_selection.GroupKFold` with ``groups=``) so that no
# Weibo post has dialogues on both sides. The score is P@1, through the
# scorer of :func:`~sklearn_emoji.metrics.make_precision_at_k_scorer` (for
# several metrics at once, pass ``scoring=get_scorer_dict()`` to
# :func:`~sklearn.model_selection.cross_validate`).
import pandas as pd
from sklearn.model_selection import GroupKFold, cross_val_score

from sklearn_emoji.metrics import make_precision_at_k_scorer

cv = GroupKFold(n_splits=5)
scores = {
    name: cross_val_score(
        model, data.data, data.target, groups=data.groups, cv=cv, scoring=make_precision_at_k_scorer(1)
    )
    for name, model in models.items()
}
summary = pd.DataFrame(
    {
        name: {
            "P@1 mean (%)": 100 * s.mean(),
            "std (%)": 100 * s.std(),
            **{f"fold {k + 1}": 100 * v for k, v in enumerate(s)},
        }
        for name, s in scores.items()
    }
).T.round(1)
summary

# %%
# The chart
# ---------
# Bars are the mean over the five folds, whiskers one standard deviation,
# dots the folds.
import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots(figsize=(6, 3.6))
names = list(models)
means = [100 * scores[n].mean() for n in names]
stds = [100 * scores[n].std() for n in names]
ax.bar(names, means, yerr=stds, color=["#6baed6", "#74c476", "#9e9ac8"], capsize=4)
for x, n in enumerate(names):
    ax.scatter(x + np.linspace(-0.15, 0.15, len(scores[n])), 100 * scores[n], color="black", s=8, zorder=3)
ax.axhline(100 / len(data.target_names), color="grey", ls=":", label="chance")
ax.set_ylabel("P@1 (%), 5 folds grouped by root post")
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize="small")
ax.set_title("TF-IDF, lexicon features and both in a FeatureUnion")
fig.tight_layout()
plt.show()

# %%
# The lexicon's columns
# ---------------------
# Fitted on all the dialogues, the union's lexicon branch names its columns
# ``keyword_<emoji>``, ``sibling_<emoji>`` and ``phrase_<emoji>``; the
# logistic regression's weights on them show how much each layer is
# trusted.
union_model = models["TF-IDF + lexicon"].fit(data.data, data.target)
union = union_model[0]
lexicon_names = union.transformer_list[1][1].get_feature_names_out()
coef = union_model[-1].coef_[:, -len(lexicon_names) :]
weights = pd.DataFrame(coef, index=union_model[-1].classes_, columns=lexicon_names)
layer = weights.columns.str.split("_").str[0]
weights.abs().T.groupby(layer).mean().T.round(2)
