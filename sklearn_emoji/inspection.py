"""Which words and turns an attention model looked at, for given dialogues."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._utils import final_estimator
from ._validation import check_dialogues

__all__ = ["explain_attention"]


def explain_attention(model, X, *, k=3):
    """Attention weights of a fitted LSTM pipeline, read back as words and turns.

    Parameters
    ----------
    model : Pipeline
        A fitted ``make_method("H-LSTM" | "F-LSTM" | "S-LSTM")`` pipeline (or
        any pipeline whose last step is an LSTM classifier fitted with
        ``pooling="attention"`` and whose step before it is the tokenizer).
    X : list of dialogues
        Dialogues to explain (a str is a one-turn dialogue).
    k : int, default=3
        Number of emojis to list per dialogue.

    Returns
    -------
    explanations : list of dict
        One per dialogue: ``"emojis"``, the top ``k`` ``(emoji, probability)``
        pairs; ``"turns"``, one dict per turn the model read (oldest first)
        with ``"tokens"`` (as the tokenizer saw them, ``"<unk>"`` for OOV),
        ``"weights"`` (one per token, summing to 1 within the turn) and
        ``"turn_weight"`` (the turn-level attention; 1.0 for the single
        sequence of an S-/F-LSTM).

    Examples
    --------
    >>> from sklearn_emoji.pipelines import make_method
    >>> from sklearn_emoji.inspection import explain_attention
    >>> X = [["今天天气好", "哈哈哈"], ["好难过"], ["太好笑了"], ["难过"]] * 3
    >>> y = ["[哈哈]", "[泪]", "[哈哈]", "[泪]"] * 3
    >>> model = make_method("H-LSTM", random_state=0, tokens__min_freq=1,
    ...                     clf__max_epochs=1, clf__validation_fraction=None).fit(X, y)
    >>> ex = explain_attention(model, [["今天天气好", "哈哈哈"]])[0]
    >>> [len(t["tokens"]) for t in ex["turns"]], len(ex["emojis"])
    ([2, 1], 2)
    """
    steps = getattr(model, "steps", None)
    if not steps or len(steps) < 2:
        raise TypeError("explain_attention needs a fitted Pipeline ending with tokenizer -> LSTM classifier")
    clf = final_estimator(model)
    tok = steps[-2][1]
    if not callable(getattr(clf, "attention_weights", None)):
        check_is_fitted(clf)  # an unfitted model is told so; a fitted one without attention is told that
        raise TypeError(
            f"the pipeline ends with a {type(clf).__name__}, which has no attention weights; explain_attention "
            "needs an S-, F- or H-LSTM classifier with pooling='attention' (make_method('H-LSTM'))"
        )
    check_is_fitted(clf, "net_")
    if getattr(clf, "pooling", None) != "attention":
        raise ValueError(
            f"the pipeline's classifier uses pooling={getattr(clf, 'pooling', None)!r}; "
            "explain_attention needs pooling='attention'"
        )
    dialogues = check_dialogues(X)
    inner = model[:-1].transform(dialogues)
    proba = clf.predict_proba(inner)
    weights = clf.attention_weights(inner)
    out = []
    for i in range(len(dialogues)):
        order = np.argsort(-proba[i], kind="stable")[:k]
        emojis = [(str(clf.classes_[j]), float(proba[i, j])) for j in order]
        turns = []
        if inner.ndim == 3:
            word_w, turn_w = weights
            for t, row in enumerate(inner[i]):
                n = int((row != 0).sum())
                if n == 0:
                    continue
                turns.append(
                    {
                        "tokens": tok.decode_row(row),
                        "weights": [float(w) for w in word_w[i, t, :n]],
                        "turn_weight": float(turn_w[i, len(turns)]),
                    }
                )
        else:
            row = inner[i]
            n = max(int((row != 0).sum()), 1)
            turns.append(
                {
                    "tokens": tok.decode_row(row) or ["<unk>"],
                    "weights": [float(w) for w in weights[i, :n]],
                    "turn_weight": 1.0,
                }
            )
        out.append({"emojis": emojis, "turns": turns})
    return out
