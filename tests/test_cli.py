import json
import signal

import pytest
from skorch.callbacks import Callback

from sklearn_emoji.cli import build_parser as cli_parser
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
        main(
            ["pretrain", "--output", str(enc_path), "--n-samples", "800", "--dim", "8", "--max-epochs", "1", "--quiet"]
        )
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
    err = capsys.readouterr().err
    assert "pre-trained on" in err and "exclude_groups" not in err  # a command-line user is told the flags
    assert all(flag in err for flag in ("--n-samples", "--long-turns", "--test-size", "--random-state"))
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


# --------------------------------------------------------------------------
# issue 24: interrupts, outputs checked first, unused flags, start-up
# --------------------------------------------------------------------------
class CtrlC(Callback):
    """Sends this process SIGINT (as Ctrl-C does) at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        signal.raise_signal(signal.SIGINT)


def _ctrl_c_after_first_epoch(monkeypatch):
    """Every LSTM fit gets a callback that sends SIGINT (Ctrl-C) after its first epoch."""
    from sklearn_emoji.neural import _net

    make = _net._SkorchNetMixin._make_callbacks
    monkeypatch.setattr(
        _net._SkorchNetMixin, "_make_callbacks", lambda self, *a: [*make(self, *a), ("ctrl_c", CtrlC())]
    )


def test_ctrl_c_exits_130_and_leaves_the_old_file(monkeypatch, tmp_path, capsys):
    # skorch swallowed Ctrl-C: train and pretrain exited 0 and replaced the file with a 1-epoch model.
    _ctrl_c_after_first_epoch(monkeypatch)
    old = tmp_path / "model.pkl"
    old.write_bytes(b"the old model")
    argv = ["train", "--method", "S-LSTM", "--n-samples", "300", "--max-epochs", "5", "--output", str(old)]
    assert main([*argv, "--embedding-dim", "8", "--hidden-dim", "8"]) == 130
    assert "interrupted" in capsys.readouterr().err
    enc = tmp_path / "enc.pt"
    enc.write_bytes(b"the old encoder")
    argv = ["pretrain", "--n-samples", "300", "--dim", "8", "--max-epochs", "3", "--quiet", "--output", str(enc)]
    assert main(argv) == 130
    assert old.read_bytes() == b"the old model" and enc.read_bytes() == b"the old encoder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enc.pt", "model.pkl"]


def test_empty_methods_keep_the_previous_results(tmp_path, capsys):
    out = tmp_path / "evaluate.json"
    out.write_text('{"table2": {"S-BOW": {}}}', encoding="utf-8")
    for methods in ("", " , "):
        assert main(["evaluate", "--methods", methods, "--output", str(out)]) == 2
        assert "--methods is empty" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == '{"table2": {"S-BOW": {}}}'


@pytest.fixture
def no_work(monkeypatch):
    """Loading data or training fails the test: a refusal must come before any work."""
    import sklearn_emoji.datasets as datasets
    import sklearn_emoji.evaluation as evaluation

    def work(*args, **kwargs):
        raise AssertionError("the work started before the arguments were checked")

    for module, name in [
        (evaluation, "train_on_weibo"),
        (evaluation, "evaluate_on_weibo"),
        (evaluation, "evaluate_on_tweeteval"),
        (datasets, "load_weibo_dialogues"),
        (datasets, "load_weibo_pretraining"),
    ]:
        monkeypatch.setattr(module, name, work)


def test_output_paths_are_checked_before_the_work(no_work, tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases = [
        (["train", "--output", str(a_file / "m.pkl")], "is a file, not a folder"),
        (["train", "--output", str(tmp_path)], "is a folder; give a file path"),
        (["evaluate", "--output", str(a_file / "sub" / "r.json")], "is a file, not a folder"),
        (["evaluate", "--output", str(tmp_path)], "is a folder"),
        (["evaluate", "--output", "", "--save-models", str(a_file)], "--save-models"),
        (["evaluate", "--output", "", "--save-models", str(a_file / "models")], "is a file, not a folder"),
        (["pretrain", "--output", str(a_file / "enc.pt")], "is a file, not a folder"),
        (["pretrain", "--output", str(tmp_path)], "is a folder"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("sklearn-emoji: error: ") and message in err and err.count("\n") == 1, (argv, err)
        assert "tmp" not in err.split(str(tmp_path))[-1], err  # no internal temporary file named
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_flags_a_command_would_ignore_are_refused(no_work, tmp_path, capsys):
    out = ["--output", str(tmp_path / "o")]
    cases = [
        (["train", "--method", "S-BOW", "--max-epochs", "3", *out], "--max-epochs is not used by S-BOW"),
        (["train", "--fine-tuning", "last", "--method", "H-LSTM", *out], "--fine-tuning is not used without"),
        (["train", "--method", "F-BOW", "--paper-settings", *out], "--paper-settings"),
        (["evaluate", "--dataset", "tweeteval", "--test-size", "0.3", *out], "--test-size is not used"),
        (["evaluate", "--dataset", "tweeteval", "--long-turns", "truncate", *out], "--long-turns"),
        (["evaluate", "--remnants", "keep", *out], "--remnants is not used with --dataset weibo"),
        (["evaluate", "--methods", "S-BOW,LEXICON", "--device", "cuda", *out], "--device is not used by"),
        (["pretrain", "--include-test-threads", "--test-size", "0.1", *out], "--test-size is not used"),
        (["pretrain", "--dim", "8", "--hidden-dim", "8", *out], "not both"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        assert message in capsys.readouterr().err, argv


def test_pretrain_help_lists_only_options_it_reads(capsys):
    with pytest.raises(SystemExit):
        main(["pretrain", "--help"])
    text = capsys.readouterr().out
    for flag in ("--embedding-dim", "--hidden-dim", "--max-epochs", "--batch-size", "--device", "--dim"):
        assert flag in text
    assert "--epochs" not in text.replace("--max-epochs", "")  # an old spelling, still read, not shown
    parser = cli_parser()
    assert parser.parse_args(["pretrain", "--output", "e.pt", "--epochs", "2"]).max_epochs == 2
    assert parser.parse_args(["build-models", "--max-epochs", "2"]).epochs == 2  # one name across commands


def test_tweeteval_default_methods_match_the_harness():
    import sklearn_emoji.cli as cli
    from sklearn_emoji.evaluation import TWEETEVAL_METHODS

    assert list(cli._TWEETEVAL_DEFAULT) == TWEETEVAL_METHODS
    assert cli.TWEETEVAL_METHODS is TWEETEVAL_METHODS  # still importable from here


def test_help_and_usage_errors_import_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sklearn_emoji.cli import main\n"
        "for argv in ({argv}):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {{'sklearn', 'torch', 'skorch', 'jieba', "
        "'scipy', 'numpy', 'fastapi'}})\n"
        "print('HEAVY', heavy)\n"
    )
    argvs = "['--help'], ['--bogus'], ['pretrain', '--help'], ['serve', '--help'], ['train'], ['--version']"
    proc = subprocess.run([sys.executable, "-c", code.format(argv=argvs)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout, proc.stdout[-500:]


def test_build_models_runs_from_the_command_line(tmp_path, data_home):
    # `make models` is this command; the --dim check once crashed on its missing --embedding-dim
    args = ["build-models", "--output", str(tmp_path), "--dim", "8", "--max-epochs", "1", "--fine-tune-epochs", "1"]
    extra = ["--max-vocab", "300", "--language-model", "1"]
    assert main(args + ["--seeds", "0", "--n-samples", "600", "--no-english", "--quiet", *extra]) == 0
    manifest = json.load(open(tmp_path / "weibo-8.manifest.json", encoding="utf-8"))
    assert manifest["recipe"]["tokenizer"] == "words" and manifest["recipe"]["word_vectors"]["max_vocab"] == 300
    assert manifest["recipe"]["language_model"]["epochs"] == 1 and manifest["pretraining"]["language_model_seconds"] > 0
    assert (tmp_path / "weibo-10-8.safetensors").exists()
    assert (
        main(
            [
                "build-models",
                "--output",
                str(tmp_path / "c"),
                "--dim",
                "8",
                "--chars",
                "--max-epochs",
                "1",
                "--fine-tune-epochs",
                "1",
                "--seeds",
                "0",
                "--n-samples",
                "600",
                "--no-english",
                "--quiet",
            ]
        )
        == 0
    )
    assert json.load(open(tmp_path / "c" / "weibo-8.manifest.json"))["recipe"]["tokenizer"] == "chars"


def test_pretrain_can_train_its_word_vectors_first(tmp_path, capsys, data_home):
    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.evaluation import split_by_root_post
    from sklearn_emoji.neural import check_no_overlap, load_encoder

    enc_path = tmp_path / "enc.pt"
    args = ["pretrain", "--output", str(enc_path), "--n-samples", "800", "--dim", "8", "--max-epochs", "1"]
    assert main(args + ["--word-vectors", "train", "--max-vocab", "200", "--quiet"]) == 0
    assert "word2vec on" in capsys.readouterr().out
    enc = load_encoder(enc_path)
    assert enc.info["tokenizer"] == "words" and len(enc.vocabulary) <= 200 and enc.embedding_dim == 8
    # the replies of the evaluate split's test threads reached neither the vectors nor the encoder
    split = split_by_root_post(load_weibo_dialogues(n_samples=800, random_state=0), test_size=0.2, random_state=0)
    check_no_overlap(enc, split.groups_test)


def test_pretrain_can_train_a_language_model_first(tmp_path, capsys, data_home):
    from sklearn_emoji.datasets import load_weibo_dialogues
    from sklearn_emoji.evaluation import split_by_root_post
    from sklearn_emoji.neural import check_no_overlap, load_encoder

    enc_path = tmp_path / "enc.pt"
    args = ["pretrain", "--output", str(enc_path), "--n-samples", "600", "--dim", "8", "--max-epochs", "1"]
    assert main(args + ["--language-model", "1", "--max-vocab", "300", "--tokenizer", "words", "--quiet"]) == 0
    assert "language model on" in capsys.readouterr().out
    enc = load_encoder(enc_path)
    assert enc.info["tokenizer"] == "words" and len(enc.vocabulary) <= 300
    split = split_by_root_post(load_weibo_dialogues(n_samples=600, random_state=0), test_size=0.2, random_state=0)
    check_no_overlap(enc, split.groups_test)  # neither the replies nor the dialogues of a test thread
    assert main(args + ["--language-model", "-1", "--quiet"]) == 2
    assert "--language-model must be a number of epochs" in capsys.readouterr().err
