"""
=====================================================
Fine-tuning a ready model on a few hundred dialogues
=====================================================

A user with a few hundred labelled dialogues of their own: how far does each
start take them? Three models are scored on the same held-out threads:

* the ready ``weibo-10`` model (:func:`sklearn_emoji.pretrained.load_pretrained`), no training;
* F-BOW (TF-IDF + logistic regression) trained on the user's dialogues alone;
* the shipped encoder ``weibo-128`` fine-tuned on them
  (``make_method("H-LSTM", pretrained="weibo-128")``), one call; the
  tokens of the user's data that it never saw get new embedding rows.

The "user's" dialogues come from the test threads of the canonical split,
which the shipped models never saw: half of those threads play the user's
data, the other half are held out.
"""

# %%
# The user's dialogues and the held-out threads
# ---------------------------------------------
import os

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from sklearn_emoji import load_pretrained, load_weibo_dialogues, make_method, recommend
from sklearn_emoji.evaluation import split_by_root_post
from sklearn_emoji.metrics import get_scorer_dict

SCALE = os.environ.get("SKLEARN_EMOJI_EXAMPLE_SCALE", "laptop")
N_USER = {"ci": 300, "laptop": 500, "paper": 1000}[SCALE]

split = split_by_root_post(load_weibo_dialogues(), test_size=0.2, random_state=0)
X, y, groups = split.X_test, split.y_test, split.groups_test
mine, held = next(GroupShuffleSplit(n_splits=1, test_size=0.5, random_state=0).split(X, y, groups))
mine = mine[:N_USER]
X_user, y_user, g_user = [X[i] for i in mine], y[mine], groups[mine]
X_held, y_held = [X[i] for i in held], y[held]
print(f"{len(X_user)} dialogues of the user's, {len(X_held)} held out")

# %%
# No training at all
# ------------------
print(recommend(["今天下大雨", "我没带伞"], k=3, model="weibo-10"))
ready = load_pretrained("weibo-10")

# %%
# Three starts, scored side by side
# ---------------------------------
scorers = get_scorer_dict(ks=(1, 3))
fbow = make_method("F-BOW", random_state=0).fit(X_user, y_user)
tuned = make_method("H-LSTM", pretrained="weibo-128", random_state=0, clf__max_epochs=10)
tuned.fit(X_user, y_user, clf__groups=g_user)
# Characters of the user's data that the encoder never saw (each seen twice)
# got new ids and embedding rows (torchMoji's extend_embedding):
new_tokens = tuned.named_steps["tokens"].extended_tokens_
print(f"{len(new_tokens)} new tokens, e.g. {new_tokens[:5]}")
rows = {}
for name, model in [("weibo-10, ready", ready), ("F-BOW on the user's data", fbow), ("weibo-128 fine-tuned", tuned)]:
    rows[name] = scorers.score(y_held, model.predict_proba(X_held), list(model.classes_))
for name, row in rows.items():
    print(f"{name:<28} P@1 {100 * row['p@1']:5.1f}  P@3 {100 * row['p@3']:5.1f}  MRR {100 * row['mrr']:5.1f}")

# %%
# A picture of the same numbers
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 2.6))
names = list(rows)
ax.barh(names, [100 * rows[n]["p@1"] for n in names], color=["#4c72b0", "#999999", "#dd8452"])
ax.axvline(100 / len(ready.classes_), color="k", lw=0.8, ls="--", label="chance")
ax.set_xlabel("P@1 on held-out threads (%)")
ax.legend(loc="lower right")
ax.invert_yaxis()
fig.tight_layout()
print("done:", np.round([100 * rows[n]["p@1"] for n in names], 1))
