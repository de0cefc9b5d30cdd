"""
====================================================
Figure 4: P@1 and MRR against the embedding size
====================================================

Xie et al. (2016) searched the word-embedding size :math:`n_x` and the
hidden-state size :math:`n_h` over {64, 128, 256, 384, 512}, kept equal
("we assure that the dimensions of all hidden states and word embeddings are
equal in each parameter setting"), and plotted P@1 and MRR of the three LSTM
models against it (their Figure 4): scores rise, then level off or fall,
with the best at 384 for every model.

Here the same search is a plain :class:`~sklearn.model_selection.GridSearchCV`:
a parameter grid made of one dict per size ties ``clf__embedding_dim`` and
``clf__hidden_dim`` together, ``scoring=get_scorer_dict()`` records P@1, P@3
and MRR for every size, and ``refit="p@1"`` refits the best size. Validation
dialogues are split off by root post
(:class:`~sklearn.model_selection.GroupShuffleSplit`, ``groups=``).

.. note::

   ``SKLEARN_EMOJI_EXAMPLE_SCALE``: ``laptop`` (default as a script; sizes
   16 to 128 on a few thousand dialogues), ``ci`` (tiny; the documentation
   build) or ``paper`` (the paper's sizes on all dialogues; a GPU).
"""

# %%
# Sizes and data
# --------------
import os

from sklearn_emoji.datasets import load_weibo_dialogues

SCALE = os.environ.get("SKLEARN_EMOJI_EXAMPLE_SCALE", "laptop")
SIZES = {
    "ci": dict(n_samples=1500, dims=[8, 16, 32], max_epochs=4, batch_size=32, device="cpu"),
    "laptop": dict(n_samples=3000, dims=[16, 32, 64, 128], max_epochs=6, batch_size=64, device="cpu"),
    "paper": dict(n_samples=None, dims=[64, 128, 256, 384, 512], max_epochs=50, batch_size=128, device="auto"),
}
if SCALE not in SIZES:
    raise ValueError(f"SKLEARN_EMOJI_EXAMPLE_SCALE must be one of {sorted(SIZES)}, got {SCALE!r}")
size = SIZES[SCALE]

data = load_weibo_dialogues(n_samples=size["n_samples"], random_state=0)
print(f"scale={SCALE!r}: {len(data.data)} dialogues, sizes {size['dims']}")

# %%
# The search
# ----------
# A list of dicts, one per size, each with a single value for both
# parameters: the grid is the diagonal :math:`n_x = n_h`, not the 5 x 5
# square.
from sklearn.model_selection import GridSearchCV, GroupShuffleSplit

from sklearn_emoji.metrics import get_scorer_dict
from sklearn_emoji.pipelines import make_method

param_grid = [{"clf__embedding_dim": [d], "clf__hidden_dim": [d]} for d in size["dims"]]
print(param_grid)

cv = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
searches = {}
for method in ["S-LSTM", "F-LSTM", "H-LSTM"]:
    model = make_method(
        method,
        random_state=0,
        clf__max_epochs=size["max_epochs"],
        clf__batch_size=size["batch_size"],
        clf__device=size["device"],
    )
    search = GridSearchCV(model, param_grid, scoring=get_scorer_dict(), refit="p@1", cv=cv)
    searches[method] = search.fit(data.data, data.target, groups=data.groups)
    print(f"{method}: best {search.best_params_}, P@1 {search.best_score_:.3f}")

# %%
# The results
# -----------
# ``cv_results_`` holds one row per size and a ``mean_test_<name>`` column per
# scorer.
import pandas as pd

rows = []
for method, search in searches.items():
    res = pd.DataFrame(search.cv_results_)
    for _, r in res.iterrows():
        rows.append(
            {
                "method": method,
                "dimension": r["param_clf__embedding_dim"],
                "P@1 (%)": 100 * r["mean_test_p@1"],
                "P@3 (%)": 100 * r["mean_test_p@3"],
                "MRR (%)": 100 * r["mean_test_mrr"],
                "fit (s)": r["mean_fit_time"],
            }
        )
results = pd.DataFrame(rows)
results.pivot(index="dimension", columns="method", values=["P@1 (%)", "MRR (%)"]).round(1)

# %%
# The figure
# ----------
# As in the paper: the horizontal axis is the dimension, one line per model,
# one panel per metric.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
styles = {"S-LSTM": ("#fdae6b", "o"), "F-LSTM": ("#fd8d3c", "s"), "H-LSTM": ("#d94801", "^")}
for ax, metric in zip(axes, ["P@1 (%)", "MRR (%)"]):
    for method, (color, marker) in styles.items():
        part = results[results["method"] == method]
        ax.plot(part["dimension"], part[metric], marker=marker, color=color, label=method)
    ax.set_xscale("log", base=2)
    ax.set_xticks(size["dims"], [str(d) for d in size["dims"]])
    ax.minorticks_off()
    ax.set_xlabel("embedding and hidden size ($n_x = n_h$)")
    ax.set_title(metric)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# The refitted model
# ------------------
# With ``refit="p@1"`` each search ends by fitting the best size on all the
# dialogues it was given; ``best_estimator_`` is an ordinary fitted pipeline.
best = searches["H-LSTM"].best_estimator_
best.named_steps["clf"]
