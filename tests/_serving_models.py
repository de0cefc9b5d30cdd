"""Small real models for the serving tests: a few hundred Weibo dialogues, tiny networks."""

from sklearn_emoji.datasets import load_weibo_dialogues
from sklearn_emoji.pipelines import make_method

#: Parameters that make each method train in a few seconds on a few hundred dialogues.
SMALL = {
    "LEXICON": {},
    "F-BOW": {},
    "H-LSTM": {
        "clf__embedding_dim": 16,
        "clf__hidden_dim": 16,
        "clf__max_epochs": 2,
        "clf__validation_fraction": None,
    },
}


def weibo_sample(n_samples=400):
    """``(X, y)``: the first dialogues train, the rest are held out by the caller."""
    bunch = load_weibo_dialogues(n_samples=n_samples, random_state=0)
    return bunch.data, bunch.target


def fit_small(name, X, y):
    """Method ``name`` fitted on ``X, y`` with :data:`SMALL` settings."""
    return make_method(name, random_state=0, **SMALL[name]).fit(X, y)


def build_tiny_ready(folder):
    """Tiny ready models (8 dimensions, one epoch) in ``folder``, as ``sklearn-emoji build-models`` writes them.

    Returns the path prefixes ``{"64": ..., "10": ...}``: the pre-trained
    model with its own head and the one fine-tuned on the 10 emojis (about
    ten seconds on two cores).
    """
    from sklearn_emoji.pretrained._build import build_models

    build_models(folder, n_samples=600, epochs=1, dim=8, fine_tune_epochs=1, seeds=(0,), verbose=False)
    return {"64": str(folder / "weibo-8"), "10": str(folder / "weibo-10-8")}
