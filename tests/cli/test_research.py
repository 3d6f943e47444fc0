"""``narratives train`` and ``narratives evaluate`` through click's CliRunner, on a slice of our corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nlp.cli import main
from nlp.errors import ConfigError
from nlp.paths import LABELLED
from nlp.records import NARRATIVES
from nlp.research.metrics import (
    bootstrap_macro_f1,
    confusion_counts,
    evaluate_predictions,
    label_set_confusion,
    paired_bootstrap_difference,
    prf,
    uncertain,
)
from nlp.research.train import group_kfold_indices

SLICE_EVERY = 4  # every 4th labelled article: about 300, trained in a few seconds


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A labelled JSONL slice of ``corpora/labelled`` (all languages, all label sets)."""
    files = sorted(LABELLED.glob("*.jsonl"))
    if not files:
        pytest.skip("corpora/labelled holds no JSONL files")
    lines = []
    for f in files:
        lines += [line for i, line in enumerate(f.read_text(encoding="utf-8").splitlines()) if i % SLICE_EVERY == 0 and line.strip()]
    path = tmp_path_factory.mktemp("slice") / "slice.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained_twice(corpus_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same training command run twice (with 3-fold cross-validation)."""
    base = tmp_path_factory.mktemp("models")
    outs = []
    for run in ("a", "b"):
        out = base / f"slice-{run}"
        result = CliRunner().invoke(main, ["train", "--data", str(corpus_slice), "--backend", "linear", "--out", str(out), "--seed", "0", "--folds", "3", "--param", "cv=3"])
        assert result.exit_code == 0, result.output
        assert "held-out macro-F1" in result.output and "3-fold CV macro-F1" in result.output
        outs.append(out)
    return outs[0], outs[1]


def _meta(path: Path) -> dict:
    return json.loads((path / "meta.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "--help" in result.output


@pytest.mark.parametrize("name", ["train", "evaluate"])
def test_train_commands_document_an_example(name: str) -> None:
    assert "Example:" in CliRunner().invoke(main, [name, "--help"]).output


def test_train_writes_a_versioned_model_folder(trained_twice) -> None:
    out, _ = trained_twice
    for f in ("config.json", "meta.json", "SHA256SUMS", "MODEL_CARD.md"):
        assert (out / f).exists(), f
    meta = _meta(out)
    assert meta["backend"] == "tfidf-logreg.v1"
    assert len(meta["corpus_sha256"]) == 64
    assert set(meta["label_counts"]) == {"en", "zh-Hans", "zh-Hant"}
    assert set(meta["thresholds"]) == set(NARRATIVES)
    assert "numpy_version" in meta and "scikit-learn_version" in meta
    assert meta["metrics_cv"]["folds"] == 3 and set(meta["metrics_cv"]["macro_f1"]) == {"mean", "std"}
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "Label counts per language" in card and "Cross-validation (3 folds" in card


def test_training_twice_gives_identical_metrics(trained_twice) -> None:
    a, b = (_meta(p) for p in trained_twice)
    for key in ("metrics_heldout", "metrics_cv", "thresholds", "corpus_sha256", "n_train", "n_test"):
        assert a[key] == b[key], key


def test_evaluate_is_identical_for_identical_models(trained_twice, corpus_slice, tmp_path) -> None:
    reports = []
    for model in trained_twice:
        out = tmp_path / model.name
        result = CliRunner().invoke(main, ["evaluate", "--data", str(corpus_slice), "--model", str(model), "--out-dir", str(out)])
        assert result.exit_code == 0, result.output
        reports.append(json.loads((out / "report.json").read_text(encoding="utf-8")))
    assert reports[0]["models"][0]["metrics"] == reports[1]["models"][0]["metrics"]


def test_evaluate_compare_with_the_keyword_baseline(trained_twice, corpus_slice, tmp_path) -> None:
    model, _ = trained_twice
    result = CliRunner().invoke(main, ["evaluate", str(corpus_slice), "--model", str(model), "--compare", "keywords", "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in report["models"]] == [model.name, "keywords.v1"]
    first = report["models"][0]
    assert set(first["metrics"]["by_lang"]) == {"en", "zh-Hans", "zh-Hant"}
    assert set(first["confusion"][NARRATIVES[0]]) == {"tp", "fp", "fn", "tn"}
    assert sum(map(sum, first["label_sets"]["matrix"])) == report["n_articles"]
    assert first["metrics"]["labels"][NARRATIVES[0]]["reliability"]
    assert len(first["worst_errors"]) <= 20
    for err in first["worst_errors"]:
        assert err["error"] in ("false_positive", "false_negative")
        assert (err["score"] >= err["threshold"]) == (err["error"] == "false_positive")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for heading in ("## Overall", "## Per language", "## Confusion counts", "## Calibration", "## Worst errors", "macro-F1 difference", "paired bootstrap 95% interval"):
        assert heading in md
    diff = report["difference"]
    second = report["models"][1]["metrics"]["macro_f1"]
    assert diff["difference"] == pytest.approx(second - first["metrics"]["macro_f1"], abs=2e-4)
    assert diff["ci95"][0] <= diff["difference"] <= diff["ci95"][1]
    assert "_pairing" not in first
    assert "## Per language" in result.output


def test_evaluate_keyword_baseline_without_a_folder(corpus_slice) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--data", str(corpus_slice), "--model", "keywords.v1", "--no-reliability"])
    assert result.exit_code == 0, result.output
    assert "`keywords.v1` (keywords.v1)" in result.output
    assert "### Reliability" not in result.output


def test_evaluate_refuses_an_untrained_registry_name(corpus_slice) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--data", str(corpus_slice), "--model", "tfidf-logreg.v1"])
    assert result.exit_code == 1
    assert "must be trained first" in result.output


def test_uncertain_lists_articles_closest_to_a_threshold(trained_twice, corpus_slice, tmp_path) -> None:
    unlabelled = tmp_path / "unlabelled.jsonl"
    rows = [json.loads(line) for line in corpus_slice.read_text(encoding="utf-8").splitlines()]
    unlabelled.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "labels"}, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    model, _ = trained_twice
    result = CliRunner().invoke(main, ["evaluate", "--data", str(unlabelled), "--model", str(model), "--uncertain", "5", "--out-dir", str(tmp_path / "u")])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "u" / "uncertain.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5
    margins = [r["margin"] for r in records]
    assert margins == sorted(margins)
    for r in records:
        assert r["margin"] == pytest.approx(min(abs(r["scores"][k] - r["thresholds"][k]) for k in NARRATIVES), abs=1e-3)
    assert (tmp_path / "u" / "uncertain.md").read_text(encoding="utf-8").startswith("# Articles to annotate next")
    assert not (tmp_path / "u" / "report.json").exists()


def test_evaluate_without_labels_or_uncertain_is_an_error(tmp_path) -> None:
    data = tmp_path / "plain.jsonl"
    data.write_text(json.dumps({"id": "a", "text": "Oil prices rose on supply worries."}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", "--data", str(data), "--model", "keywords.v1"])
    assert result.exit_code == 1
    assert "no labelled articles" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--backend", "bert"], "'bert' is not a backend"),
        (["--param", "C"], "'C' is not KEY=VALUE"),
        (["--param", "nonsense=1"], "invalid parameters for backend"),
        (["--folds", "1"], "x>=2"),
        (["--group-by", "file"], "group_by groups the cross-validation folds: give folds as well"),
        (["--folds", "3", "--group-by", "author"], "'author' is not one of 'file', 'source'"),
    ],
    ids=["unknown-backend", "bad-param", "unknown-param", "one-fold", "groups-without-folds", "unknown-group"],
)
def test_train_rejects_bad_options(args, message, corpus_slice, tmp_path) -> None:
    result = CliRunner().invoke(main, ["train", "--data", str(corpus_slice), "--out", str(tmp_path / "m"), *args])
    assert result.exit_code != 0
    assert message in result.output


# -- the library functions behind the report ------------------------------------------------------


def test_confusion_counts_and_label_sets() -> None:
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    p = np.array([[1, 0], [0, 0], [1, 0], [1, 0]])
    counts = confusion_counts(y, p, NARRATIVES)
    assert counts["ai_disruption"] == {"tp": 2, "fp": 1, "fn": 0, "tn": 1}
    assert counts["ai_returns_doubt"] == {"tp": 0, "fp": 0, "fn": 2, "tn": 2}
    table = label_set_confusion(y, p, NARRATIVES)
    assert table["sets"] == ["none", "ai_disruption", "ai_returns_doubt", "ai_disruption+ai_returns_doubt"]
    assert table["matrix"] == [[0, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]


def test_uncertain_orders_by_distance_to_the_nearest_threshold() -> None:
    probs = np.array([[0.9, 0.1], [0.52, 0.0], [0.1, 0.45], [0.0, 0.0]])
    assert uncertain(probs, [0.5, 0.4], 3) == [1, 2, 0]
    assert uncertain(probs, [0.5, 0.4], 0) == []


def test_bootstrap_interval_brackets_the_point_estimate_and_is_seeded() -> None:
    rng = np.random.default_rng(3)
    y = rng.random((300, 2)) < 0.2
    p = np.where(rng.random((300, 2)) < 0.85, y, ~y)
    point = np.mean([prf(y[:, j], p[:, j])["f1"] for j in range(2)])
    lo, hi = bootstrap_macro_f1(y, p)
    assert lo < point < hi and hi - lo < 0.3
    assert bootstrap_macro_f1(y, p) == [lo, hi]
    # More articles, narrower interval; a perfect prediction has no spread at all.
    lo4, hi4 = bootstrap_macro_f1(np.tile(y, (4, 1)), np.tile(p, (4, 1)))
    assert hi4 - lo4 < hi - lo
    assert bootstrap_macro_f1(y, y) == [1.0, 1.0]


def test_paired_difference_of_two_predictions() -> None:
    rng = np.random.default_rng(5)
    y = rng.random((200, 2)) < 0.3
    noisy = np.where(rng.random((200, 2)) < 0.7, y, ~y)
    same = paired_bootstrap_difference(y, noisy, noisy)
    assert same == {"difference": 0.0, "ci95": [0.0, 0.0], "share_not_better": 1.0}
    better = paired_bootstrap_difference(y, noisy, y)
    assert better["difference"] > 0.2 and better["ci95"][0] > 0 and better["share_not_better"] == 0.0
    worse = paired_bootstrap_difference(y, y, noisy)
    assert worse["difference"] == -better["difference"] and worse["share_not_better"] == 1.0


def test_evaluation_metrics_carry_intervals_overall_and_per_language() -> None:
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 10)
    m = evaluate_predictions(y, y, y.astype(float), ["en", "zh-Hans"] * 20, NARRATIVES)
    assert m["macro_f1_ci95"] == [1.0, 1.0]
    assert all(v["macro_f1_ci95"] == [1.0, 1.0] for v in m["by_lang"].values())


@pytest.mark.parametrize("folds", [2, 3, 5])
def test_group_folds_keep_groups_whole_and_balance_sizes(folds: int) -> None:
    groups = [f"g{i % 7}" for i in range(70)] + ["big"] * 30
    sets = group_kfold_indices(groups, folds=folds, seed=1)
    assert sorted(i for s in sets for i in s) == list(range(100))
    for s in sets:
        for other in sets:
            if other is not s:
                assert not {groups[i] for i in s} & {groups[i] for i in other}
    assert group_kfold_indices(groups, folds=folds, seed=1) == sets
    sizes = sorted(len(s) for s in sets)
    assert sizes[-1] - sizes[0] <= 30  # no fold exceeds another by more than the largest group


def test_group_folds_need_as_many_groups_as_folds() -> None:
    with pytest.raises(ConfigError, match="need at least 4 groups"):
        group_kfold_indices(["a", "b", "c"], folds=4, seed=0)


def test_train_with_folds_grouped_by_file(corpus_slice, tmp_path) -> None:
    # Three files cut from the slice: every fold must hold out whole files, one file a fold.
    rows = corpus_slice.read_text(encoding="utf-8").splitlines()
    files = []
    for k in range(3):
        f = tmp_path / f"part{k}.jsonl"
        f.write_text("\n".join(rows[k::3]) + "\n", encoding="utf-8")
        files.append(str(f))
    out = tmp_path / "grouped"
    args = ["train", *files, "--out", str(out), "--folds", "3", "--group-by", "file", "--param", "cv=3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "3-fold CV (grouped by file)" in result.output
    cv = _meta(out)["metrics_cv"]
    assert cv["grouped_by"] == "file" and cv["pooled"]["macro_f1_ci95"][0] <= cv["pooled"]["macro_f1"]
    assert sum(v["n"] for v in cv["pooled"]["by_lang"].values()) == cv["n"]
    assert "each file kept whole in one fold" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    too_many = CliRunner().invoke(main, [*args[:-6], "--out", str(tmp_path / "x"), "--folds", "4", "--group-by", "file"])
    assert too_many.exit_code != 0 and "need at least 4 groups" in too_many.output
