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
