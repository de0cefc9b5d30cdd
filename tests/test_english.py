"""English: the TweetEval label leak, EN-LINEAR, the prior shift, and
``sklearn-emoji evaluate --dataset tweeteval``, on the real TweetEval files."""

import json
import pickle
from collections import Counter

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from sklearn_emoji.calibration import PriorShiftClassifier
from sklearn_emoji.cli import main
from sklearn_emoji.datasets import load_tweeteval_emoji
from sklearn_emoji.datasets._tweeteval import _strip_remnants
from sklearn_emoji.metrics import macro_f1
from sklearn_emoji.pipelines import make_method

VS16 = "\ufe0f"
# Variation selectors, joiner, keycap, skin tones, regional indicators, tags.
REMNANT_RANGES = [
    (0xFE0E, 0xFE0F),
    (0x200D, 0x200D),
    (0x20E3, 0x20E3),
    (0x1F3FB, 0x1F3FF),
    (0x1F1E6, 0x1F1FF),
    (0xE0020, 0xE007F),
]


def _has_remnant_char(text):
    return any(lo <= ord(c) <= hi for c in text for lo, hi in REMNANT_RANGES)


def _published(data_home, prefix):
    """The lines of ``<prefix>_text.txt`` exactly as they are in the file."""
    raw = (data_home / "tweeteval_emoji" / f"{prefix}_text.txt").read_bytes().decode("utf-8")
    lines = raw.split("\n")
    assert lines[-1] == ""
    return lines[:-1]


@pytest.fixture(scope="module")
def train_both(data_home):
    keep = load_tweeteval_emoji("train", remnants="keep", return_X_y=True)
    remove = load_tweeteval_emoji("train", return_X_y=True)
    return keep, remove


# --------------------------------------------------------------------------
# The leak and the loader
# --------------------------------------------------------------------------
def test_the_published_training_texts_leak_the_label(train_both):
    (X, y), _ = train_both
    with_vs16 = Counter(e for t, e in zip(X, y) if VS16 in t)
    totals = Counter(y)
    # The counts documented in the loader's DESCR and the user guide.
    assert (with_vs16["❤"], totals["❤"]) == (7705, 9204)
    assert (with_vs16["☀"], totals["☀"]) == (1201, 1246)
    assert max(n for e, n in with_vs16.items() if e not in "❤☀") <= 3


def test_remnants_are_removed_by_default(train_both):
    (X_keep, y_keep), (X, y) = train_both
    np.testing.assert_array_equal(y, y_keep)
    assert not any(VS16 in t or "\ufe0e" in t for t in X)
    assert not any("  " in t for t in X)  # no trace of the gap either
    changed = Counter(e for a, b, e in zip(X_keep, X, y) if a.strip() != b)
    assert changed["❤"] == 7714 and changed["☀"] == 1201 and sum(changed.values()) == 8931
    # Texts without remnants are only stripped, and emojis that are not
    # remnants (keycaps such as 5⃣) stay.
    assert all(b == a.strip() for a, b in zip(X_keep, X) if not _has_remnant_char(a))
    assert sum("\u20e3" in t for t in X) == 3


@pytest.mark.parametrize("subset, prefix", [("validation", "val"), ("test", "test")])
def test_keep_returns_the_published_texts_byte_for_byte(data_home, subset, prefix):
    X = load_tweeteval_emoji(subset, remnants="keep").data
    assert X == _published(data_home, prefix)
    assert "remnants='keep'" in load_tweeteval_emoji("validation", remnants="keep").DESCR


def test_keep_train_byte_for_byte(data_home, train_both):
    (X, _), _ = train_both
    assert X == _published(data_home, "train")
    assert X[0].endswith(" ")  # the training file's trailing spaces are kept too


@pytest.mark.parametrize(
    "text, expected",
    [
        ("full heart! \ufe0f #salsa ", "full heart! #salsa"),
        ("people \ufe0f \ufe0f \ufe0f #friends", "people #friends"),
        ("\ufe0f @ My Heart", "@ My Heart"),
        ("I\ufe0fNY", "INY"),
        ("The Sisters \ufe0e #pnw", "The Sisters #pnw"),
        ("thank for much #happy \U0001f1fa \U0001f1f8#thursday", "thank for much #happy #thursday"),
        ("a \u200d b \U0001f3fd c", "a b c"),
        # Whole emojis are not remnants.
        ("love ❤\ufe0f you", "love ❤\ufe0f you"),
        ("Big 5\u20e3. @ LA", "Big 5\u20e3. @ LA"),
        ("go 🇺🇸 team 👍🏽 and 👩\u200d💻", "go 🇺🇸 team 👍🏽 and 👩\u200d💻"),
        ("  nothing to do  ", "nothing to do"),
    ],
)
def test_strip_remnants(text, expected):
    assert _strip_remnants(text) == expected


def test_remnants_option_is_checked():
    with pytest.raises(ValueError, match="'remnants' parameter of load_tweeteval_emoji must be a str among"):
        load_tweeteval_emoji("validation", remnants="strip")


def test_descr_documents_the_leak(data_home):
    descr = load_tweeteval_emoji("validation").DESCR
    for fact in ("U+FE0F", "7,705 of the 9,204", "9,219 of 10,798", "remnants='remove'", 'remnants="keep"'):
        assert fact in descr


# --------------------------------------------------------------------------
# EN-LINEAR and the prior shift
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_split(data_home):
    X, y = load_tweeteval_emoji("train", return_X_y=True)
    X_val, y_val = load_tweeteval_emoji("validation", return_X_y=True)
    return X[:4000], y[:4000], X_val[:2000], y_val[:2000]


def test_en_linear_fits_and_beats_the_bag_of_words_on_macro_f1(small_split):
    X, y, X_val, y_val = small_split
    model = make_method("en-linear", random_state=0).fit(X, y)
    assert [name for name, _ in model.steps] == ["flatten", "features", "clf"]
    proba = model.predict_proba(X_val)
    assert proba.shape == (len(X_val), 20)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X_val), model.classes_[proba.argmax(axis=1)])
    ours = macro_f1(y_val, proba, labels=model.classes_)
    bow = make_method("S-BOW", random_state=0).fit(X, y)
    theirs = macro_f1(y_val, bow.predict_proba(X_val), labels=bow.classes_)
    # Measured: 0.19 against 0.11 on these 4,000 / 2,000 tweets.
    assert ours > theirs + 0.04 and ours > 0.14
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.predict_proba(X_val[:50]), proba[:50])


def test_prior_shift_trades_frequent_for_rare_emojis(small_split):
    X, y, X_val, y_val = small_split
    model = make_method("EN-LINEAR", random_state=0, clf__power=0.0).fit(X, y)
    plain = model.predict_proba(X_val)
    base = model.named_steps["clf"].estimator_
    feats = model[:-1].transform(X_val)
    np.testing.assert_allclose(plain, base.predict_proba(feats))  # power 0: the model itself
    shifted = clone(model.named_steps["clf"]).set_params(power=1.0)
    shifted.fit(model[:-1].transform(X), y)
    top_plain = model.classes_[plain.argmax(axis=1)]
    top_shifted = shifted.predict(feats)
    # The most frequent emoji is predicted less, the rare half more.
    assert (top_shifted == "❤").sum() < (top_plain == "❤").sum()
    counts = Counter(y)
    rare = sorted(counts, key=counts.get)[:10]
    assert np.isin(top_shifted, rare).sum() > 1.5 * np.isin(top_plain, rare).sum()


def test_prior_shift_classifier_by_hand():
    X = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [1.0]])
    y = np.array(["😂", "😂", "😂", "😂", "❤", "❤"])
    est = PriorShiftClassifier(LogisticRegression(), power=1.0).fit(X, y)
    np.testing.assert_allclose(est.class_prior_, [2 / 6, 4 / 6])  # classes_ order: ❤, 😂
    base = LogisticRegression().fit(X, y).predict_proba(X)
    expected = base / est.class_prior_
    np.testing.assert_allclose(est.predict_proba(X), expected / expected.sum(axis=1, keepdims=True))
    # Sample weights reach the estimator and the prior.
    w = np.array([1, 1, 1, 1, 2, 2.0])
    est_w = PriorShiftClassifier(LogisticRegression(), power=1.0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(est_w.class_prior_, [0.5, 0.5])
    with pytest.raises(ValueError, match="power"):
        PriorShiftClassifier(power=-1).fit(X, y)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        PriorShiftClassifier().predict(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array API: not installed
def test_prior_shift_classifier_passes_scikit_learns_checks():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(PriorShiftClassifier(LogisticRegression()), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert failed == []


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def test_evaluate_tweeteval_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "tweeteval.json"
    code = main(
        [
            "evaluate",
            "--dataset",
            "tweeteval",
            "--methods",
            "S-BOW,EN-LINEAR",
            "--n-samples",
            "1500",
            "--output",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "official split" in text and "F1 per emoji" in text and "EN-LINEAR" in text
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["settings"]["dataset"] == "tweeteval" and result["settings"]["remnants"] == "remove"
    assert result["settings"]["n_train"] == result["settings"]["n_test"] == 1500
    for name in ("S-BOW", "EN-LINEAR"):
        row, f1 = result["table2"][name], result["table3"][name]
        assert 0 < row["p@1"] <= row["p@3"] <= 1 and 0 < row["macro_f1"] < 1
        assert len(f1) == 20
        # Every emoji occurs in the 1,500 test tweets, so the mean is the macro-F1.
        assert np.mean(list(f1.values())) == pytest.approx(row["macro_f1"])
    assert result["table2"]["EN-LINEAR"]["macro_f1"] > result["table2"]["S-BOW"]["macro_f1"]


def test_evaluate_tweeteval_keeps_the_texts_when_asked(tmp_path, capsys):
    out = tmp_path / "keep.json"
    assert (
        main(
            [
                "evaluate",
                "--dataset",
                "tweeteval",
                "--remnants",
                "keep",
                "--methods",
                "S-BOW",
                "--n-samples",
                "600",
                "--output",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert "remnants kept" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["settings"]["remnants"] == "keep"
    assert main(["evaluate", "--dataset", "tweeteval", "--methods", "NOPE", "--n-samples", "200", "--output", ""]) == 2
    assert "unknown method" in capsys.readouterr().err
