"""
==============================================
Table 3: P@1 of each emoji, S-LSTM and H-LSTM
==============================================

Some emojis are easier to predict than others: Xie et al. (2016) found
*heart* and *angry* easy, *tears of joy* and *thinking* hard, and H-LSTM
ahead of S-LSTM on almost every emoji, the more so for the ambiguous ones
(their Table 3). This example computes the same table, the P@1 of the test
dialogues of each emoji, for the reply-only S-LSTM and the hierarchical
H-LSTM, and draws it.

The ten emojis are those of the CED Weibo data, not the paper's Weibo2015
set, so the rows differ from the paper's.

.. note::

   ``SKLEARN_EMOJI_EXAMPLE_SCALE`` sets the sizes: ``laptop`` (default as a
   script), ``ci`` (tiny; the documentation build, where per-emoji numbers
   rest on a handful of dialogues and mean little) or ``paper`` (all data,
   the paper's dimensions, a GPU).
"""

# %%
# Sizes and data
# --------------
import os

import pandas as pd
from sklearn.model_selection import GroupShuffleSplit

from sklearn_emoji.datasets import load_weibo_dialogues

SCALE = os.environ.get("SKLEARN_EMOJI_EXAMPLE_SCALE", "laptop")
SIZES = {
    "ci": dict(n_samples=3000, dim=32, max_epochs=8, batch_size=32, device="cpu"),
    "laptop": dict(n_samples=5000, dim=64, max_epochs=8, batch_size=64, device="cpu"),
    "paper": dict(n_samples=None, dim=384, max_epochs=50, batch_size=128, device="auto"),
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
# Fit S-LSTM and H-LSTM
# ---------------------
# :func:`~sklearn_emoji.evaluation.evaluate_methods` returns Table 3 as its second
# result: method -> emoji -> P@1 over the test dialogues of that emoji.
from sklearn_emoji.evaluation import evaluate_methods

lstm_params = {
    "clf__embedding_dim": size["dim"],
    "clf__hidden_dim": size["dim"],
    "clf__max_epochs": size["max_epochs"],
    "clf__batch_size": size["batch_size"],
    "clf__device": size["device"],
}
table2, table3, models = evaluate_methods(
    ["S-LSTM", "H-LSTM"],
    X_train,
    y_train,
    X_test,
    y_test,
    random_state=0,
    groups=data.groups[train],  # early stopping holds out whole threads too
    params={"S-LSTM": lstm_params, "H-LSTM": lstm_params},
    progress=False,
)

# %%
# The table
# ---------
# Weibo emojis are bracket codes; the first column says what each one
# shows. ``n test`` is the number of test dialogues behind each row.
MEANING = {  # what the Weibo codes show
    "[哈哈]": "laugh",
    "[泪]": "tears",
    "[吃惊]": "shocked",
    "[怒]": "angry",
    "[偷笑]": "snicker",
    "[蜡烛]": "candle",
    "[汗]": "sweat",
    "[嘻嘻]": "giggle",
    "[爱你]": "love you",
    "[衰]": "unlucky",
}

table = (100 * pd.DataFrame(table3)).round(1)
table.insert(0, "meaning", [MEANING.get(e, "") for e in table.index])
table.insert(1, "n test", pd.Series(y_test).value_counts().reindex(table.index).fillna(0).astype(int))
table["H - S"] = (table["H-LSTM"] - table["S-LSTM"]).round(1)
table = table.sort_values("H-LSTM")
table

# %%
# The paper's Table 3 (Weibo2015, different emojis) for comparison:
pd.DataFrame(
    {
        "S-LSTM": [16.5, 21.6, 17.5, 23.2, 23.5, 33.1, 35.6, 46.6, 49.3, 60.3],
        "H-LSTM": [21.6, 22.7, 24.1, 27.1, 28.5, 32.7, 38.9, 47.4, 51.0, 62.2],
    },
    index=pd.Index(
        ["tears of joy", "thinking", "laugh", "nervous", "shy", "delicious", "cry", "astonished", "angry", "heart"],
        name="emoji (Xie et al., 2016)",
    ),
)

# %%
# The chart
# ---------
# The labels are the Weibo codes themselves, drawn with a CJK font
# (``apt-get install fonts-noto-cjk``), followed by their meaning.
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", *plt.rcParams["font.sans-serif"]]

y = np.arange(len(table))
fig, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))
ax.barh(y - 0.2, table["S-LSTM"], height=0.4, color="#fdae6b", label="S-LSTM (reply only)")
ax.barh(y + 0.2, table["H-LSTM"], height=0.4, color="#d94801", label="H-LSTM (whole dialogue)")
ax.set_yticks(y, [f"{e} {m}" for e, m in zip(table.index, table["meaning"])])
ax.set_xlabel("P@1 (%)")
ax.axvline(100 / len(data.target_names), color="grey", ls=":", label="chance")
ax.grid(axis="x", alpha=0.3)
ax.legend(loc="lower right", fontsize="small")
ax.set_title("P@1 per emoji on Weibo test dialogues")
fig.tight_layout()
plt.show()
