import json

import pytest

from sklearn_emoji.cli import load_model, main, save_model


def test_evaluate_train_recommend_round_trip(tmp_path, capsys):
    out = tmp_path / "res.json"
    models = tmp_path / "models"
    code = main(
        [
            "evaluate",
            "--methods",
            "S-BOW,F-BOW",
            "--n-samples",
            "800",
            "--output",
            str(out),
            "--save-models",
            str(models),
            "--quiet",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "Table 2" in text and "Table 3" in text and "S-BOW" in text
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["table2"]) == {"S-BOW", "F-BOW"}
    for row in result["table2"].values():
        assert 0 < row["p@1"] <= row["p@3"] <= 1 and 0 < row["mrr"] <= 1
    assert len(result["table3"]["S-BOW"]) == 10
    assert result["settings"]["n_train"] + result["settings"]["n_test"] == 800

    from sklearn_emoji.evaluation import read_model_metadata

    meta = read_model_metadata(models / "F-BOW.pkl")
    assert meta["method"] == "F-BOW" and str(result["settings"]["n_train"]) in meta["training_data"]
    assert main(["recommend", "--model", str(models / "F-BOW.pkl"), "-k", "2", "今天好开心", "我也是"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("[") and "\t" in line for line in lines)


def test_train_saves_a_model(tmp_path, capsys):
    path = tmp_path / "m.pkl"
    assert main(["train", "--method", "s-bow", "--n-samples", "300", "--output", str(path)]) == 0
    assert hasattr(load_model(path), "predict_proba")
    from sklearn_emoji.evaluation import read_model_metadata

    meta = read_model_metadata(path)
    assert meta["method"] == "S-BOW" and "300" in meta["training_data"] and len(meta["classes"]) == 10


def test_recommend_errors_are_clear(tmp_path, capsys):
    assert main(["recommend", "--model", str(tmp_path / "missing.pkl"), "hi"]) == 2
    assert "no saved model" in capsys.readouterr().err
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"not a pickle")
    assert main(["recommend", "--model", str(bad), "hi"]) == 2
    assert "not an sklearn-emoji model file" in capsys.readouterr().err
    # a model file cut short: the header is fine, the checksum is not
    from sklearn_emoji.pipelines import make_method

    whole = tmp_path / "whole.pkl"
    save_model(make_method("S-BOW"), whole)
    cut = tmp_path / "cut.pkl"
    cut.write_bytes(whole.read_bytes()[:-200])
    assert main(["recommend", "--model", str(cut), "hi"]) == 2
    assert "cut.pkl is damaged" in capsys.readouterr().err


def test_save_model_is_atomic(tmp_path):
    class Unpicklable:
        def predict_proba(self, X):
            return None

        def __reduce__(self):
            raise TypeError("cannot pickle this")

    target = tmp_path / "model.pkl"
    with pytest.raises(TypeError):
        save_model(Unpicklable(), target)
    assert list(tmp_path.iterdir()) == []


def test_unknown_method_is_reported(capsys):
    assert main(["evaluate", "--methods", "NOPE", "--n-samples", "200", "--output", ""]) == 2
    assert "unknown method" in capsys.readouterr().err


def test_table3_columns_stay_apart_for_long_names():
    from sklearn_emoji.evaluation import format_table3

    text = format_table3({"LEXICON": {"[哈哈]": 0.5}, "LEXICON+BOW": {"[哈哈]": 0.25}})
    header, row = text.splitlines()
    assert header.split() == ["Emoji", "LEXICON", "LEXICON+BOW"]
    assert row.split() == ["[哈哈]", "50.0", "25.0"]


def test_groups_reach_only_models_that_take_them():
    import inspect

    import numpy as np

    from sklearn_emoji.evaluation._experiments import _fit_params
    from sklearn_emoji.pipelines import available_methods, make_method, method_info

    g = np.arange(4)
    assert _fit_params("H-LSTM", g) == {"clf__groups": g}
    assert _fit_params("S-BOW", g) == {}
    assert _fit_params("LEXICON", g) == {}
    assert _fit_params("H-LSTM", None) == {}
    # the registry agrees with the estimators: a groups_param names a fit argument that exists
    for name in available_methods():
        model, param = make_method(name), method_info(name).groups_param
        if param is not None:
            step = model.get_params()[param.rsplit("__", 1)[0]] if "__" in param else model
            assert param.rsplit("__", 1)[-1] == "groups" and "groups" in inspect.signature(step.fit).parameters


def test_pretrain_then_evaluate_from_the_encoder(tmp_path, capsys):
    from sklearn_emoji.neural import load_encoder

    enc_path = tmp_path / "enc.pt"
    assert (
        main(["pretrain", "--output", str(enc_path), "--n-samples", "800", "--dim", "8", "--epochs", "1", "--quiet"])
        == 0
    )
    assert "test threads of the evaluate split excluded" in capsys.readouterr().out
    enc = load_encoder(enc_path)
    assert enc.info["tokenizer"] == "chars" and enc.embedding_dim == 8 and enc.pooling == "attention"

    out = tmp_path / "res.json"
    code = main(
        [
            "evaluate",
            "--methods",
            " H-LSTM , H-LSTM+LEXICON",
            "--n-samples",
            "800",
            "--pretrained",
            str(enc_path),
            "--fine-tuning",
            "last",
            "--max-epochs",
            "1",
            "--output",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert "none of the test threads" in capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["table2"]) == {"H-LSTM", "H-LSTM+LEXICON"}
    assert result["settings"]["fine_tuning"] == "last" and result["settings"]["pretrained"] == str(enc_path)

    # another split (a different subset) has test threads the encoder saw: refused by name
    assert (
        main(
            [
                "evaluate",
                "--methods",
                "H-LSTM",
                "--n-samples",
                "600",
                "--pretrained",
                str(enc_path),
                "--output",
                str(tmp_path / "x.json"),
                "--quiet",
            ]
        )
        == 2
    )
    assert "pre-trained on" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_saved_files_follow_the_umask(tmp_path):
    # issue 13: models and JSON went through mkstemp and kept its private 0600 mode
    import os

    from sklearn_emoji.pipelines import make_method

    mask = os.umask(0o022)
    try:
        path = tmp_path / "m.pkl"
        save_model(make_method("S-BOW"), path)
        assert oct(path.stat().st_mode & 0o777) == oct(0o644)
        assert [p.name for p in tmp_path.iterdir()] == ["m.pkl"]  # no temporary left
    finally:
        os.umask(mask)


def test_a_real_bug_raises_and_a_user_error_exits_2(monkeypatch, tmp_path, capsys):
    import sklearn_emoji.evaluation as evaluation

    def buggy(*args, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(evaluation, "train_on_weibo", buggy)
    with pytest.raises(TypeError, match="unsupported operand"):
        main(["train", "--output", str(tmp_path / "m.pkl")])

    def refused(*args, **kwargs):
        raise ValueError("n_samples must be positive")

    monkeypatch.setattr(evaluation, "train_on_weibo", refused)
    assert main(["train", "--output", str(tmp_path / "m.pkl")]) == 2
    assert capsys.readouterr().err == "sklearn-emoji: error: n_samples must be positive\n"


def test_help_says_a_pickle_needs_trust(capsys):
    import sklearn_emoji.cli as cli

    assert "loads only with ``--trust-pickle``" in " ".join(cli.__doc__.split())
    for command in ("recommend", "serve"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "--model" in text and "--trust-pickle" in text and "holds no code" in text
    # --model is optional now (a ready model by default) and says so.
    with pytest.raises(SystemExit):
        main(["recommend", "--help"])
    assert "weibo-64" in " ".join(capsys.readouterr().out.split())


def test_serve_refuses_a_foreign_file(tmp_path, capsys):
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"\x80\x04K\x01.")  # a bare pickle of 1
    assert main(["serve", "--model", str(bad), "--port", "0"]) != 0
    assert "headerless pickle" in capsys.readouterr().err
