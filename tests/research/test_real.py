"""Training on annotated real news: reference files, the news folder, story-grouped CV.

The news folders here are written by the tests (sentences of the tiny corpus), so these run
without ``../shared``; the tests that check the shipped ``corpora/real`` against the real pool
skip with a reason when it is absent.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nlp.cli import main
from nlp.errors import ConfigError
from nlp.paths import CORPORA, SHARED
from nlp.records import RecordError
from nlp.research.model_card import write_model_card
from nlp.research.real_cv import cross_validate_real, fit_options, real_folds, story_clusters
from nlp.research.references import (
    NEWS_DIR_ENV,
    feed_mapping,
    is_reference_file,
    read_reference_file,
)
from nlp.research.train import build_model, read_labelled, train
from tests.classify.conftest import tiny_records
from tests.conftest import needs_shared

REAL = CORPORA / "real"


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """The tiny corpus of the classifier tests as a labelled (text-holding) JSONL file."""
    return write_jsonl(tmp_path / "tiny.jsonl", tiny_records())


@pytest.fixture
def news(tmp_path: Path) -> tuple[Path, Path]:
    """A news folder (one JSONL feed with odd field names, one headline-only CSV) and references to it.

    Every third tiny record is copied into a second feed under another id: a syndicated story.
    """
    folder = tmp_path / "news"
    folder.mkdir()
    records = tiny_records()
    feed = [{"headline": r["title"], "summary": r["text"], "datetime": f"2026-03-{1 + i % 28:02d}T08:00:00Z"} for i, r in enumerate(records)]
    write_jsonl(folder / "wire.jsonl", feed)
    copies = [feed[i] for i in range(0, len(records), 3)]
    write_jsonl(folder / "copies.jsonl", copies)
    with (folder / "heads.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["date", "title"])
        w.writeheader()
        w.writerow({"date": "2026-03-02", "title": "Software stocks fell as chatbots threaten per-seat licences."})
    refs = [{"ref": f"wire.jsonl:{i}", "lang": r["lang"], "labels": r["labels"], "note": "test"} for i, r in enumerate(records)]
    refs += [{"ref": f"copies.jsonl:{k}", "lang": records[i]["lang"], "labels": records[i]["labels"], "note": "copy"} for k, i in enumerate(range(0, len(records), 3))]
    refs.append({"ref": "heads.csv:0", "lang": "en", "labels": ["ai_disruption"], "note": "headline only"})
    return folder, write_jsonl(tmp_path / "real.jsonl", refs)


@pytest.mark.parametrize(
    ("row", "title", "text"),
    [
        ({"title": "T", "text": "body"}, "T", "body"),
        ({"headline": "H", "summary": "S"}, "H", "S"),
        ({"title": "only a headline"}, None, "only a headline"),  # headline-only feeds: the headline is the text
        ({"title": "same", "summary_en": "same"}, None, "same"),
    ],
)
def test_feed_mapping_picks_title_and_body(row: dict, title: str | None, text: str) -> None:
    m = feed_mapping(row)
    assert (m["title"], m["text"]) == (title, text)


def test_reference_file_materialises_text_from_the_news_folder(news: tuple[Path, Path]) -> None:
    folder, refs = news
    assert is_reference_file(refs)
    items = list(read_reference_file(refs, news_dir=folder))
    assert not [i for i in items if isinstance(i, RecordError)]
    first = tiny_records()[0]
    assert (items[0].id, items[0].title, items[0].text) == ("wire.jsonl:0", first["title"], first["text"])
    assert items[0].line == 1 and items[0].path == str(refs)  # errors point into the annotation file
    assert items[-1].title is None and items[-1].text.startswith("Software stocks fell")
    assert items[0].published is not None


def test_missing_news_file_and_folder_are_named(news: tuple[Path, Path], tmp_path: Path) -> None:
    folder, refs = news
    (folder / "copies.jsonl").unlink()
    with pytest.raises(ConfigError, match=r"copies\.jsonl not found.*--news-dir"):
        list(read_reference_file(refs, news_dir=folder))
    with pytest.raises(ConfigError, match=rf"news folder {tmp_path / 'nowhere'} not found.*{NEWS_DIR_ENV}"):
        list(read_reference_file(refs, news_dir=tmp_path / "nowhere"))


def test_bad_references_are_reported_and_the_rest_goes_on(news: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _ = news
    refs = tmp_path / "bad.jsonl"
    refs.write_text('{"ref": "wire.jsonl:0", "labels": []}\n{"ref": "wire.jsonl:9999", "labels": []}\nnot json\n{"ref": "../etc:1", "labels": []}\n{"ref": "wire.jsonl:1", "labels": ["nope"]}\n{"ref": "wire.jsonl:2", "labels": []}\n', encoding="utf-8")
    examples, errors = read_labelled([refs], news_dir=folder)
    assert [e.article.id for e in examples] == ["wire.jsonl:0", "wire.jsonl:2"]
    assert sorted(e.line for e in errors) == [2, 3, 4, 5]
    assert "has no line 9999" in next(e.reason for e in errors if e.line == 2)


def test_syndicated_copies_share_a_story_and_a_fold(news: tuple[Path, Path]) -> None:
    folder, refs = news
    examples, _ = read_labelled([refs], news_dir=folder)
    stories = story_clusters(examples)
    ids = [e.article.id for e in examples]
    assert stories[ids.index("wire.jsonl:3")] == stories[ids.index("copies.jsonl:1")]
    assert stories[ids.index("wire.jsonl:1")] != stories[ids.index("wire.jsonl:2")]
    fold_of = {i: k for k, fold in enumerate(real_folds(examples, stories, by="story", folds=3, seed=0)) for i in fold}
    for i, s in enumerate(stories):
        assert all(fold_of[i] == fold_of[j] for j, t in enumerate(stories) if t == s)
    by_file = real_folds(examples, stories, by="file", folds=3, seed=0)
    assert len(by_file) == 3 and all(len({examples[i].feed for i in f}) == 1 for f in by_file)


def test_fit_options_weight_and_calibrate_on_real_records_only(tiny_corpus: Path, news: tuple[Path, Path]) -> None:
    folder, refs = news
    examples, _ = read_labelled([tiny_corpus, refs], news_dir=folder)
    opts = fit_options(examples, real_weight=3.0)
    real = np.array([e.is_reference for e in examples])
    assert real.sum() == 97 and (~real).sum() == 72
    assert set(opts["sample_weight"][real]) == {3.0} and set(opts["sample_weight"][~real]) == {1.0}
    assert (opts["calibrate_on"] == real).all()
    assert fit_options([e for e in examples if not e.is_reference]) == {}
    assert fit_options(examples, calibrate="all")["calibrate_on"].all()
    ai = fit_options(examples, calibrate="real-ai")["calibrate_on"]
    assert not ai[~real].any() and 0 < ai.sum() < real.sum()  # the tiny corpus' neutral sentences name no AI
    with pytest.raises(ConfigError, match="calibrate must be one of"):
        fit_options(examples, calibrate="corpus")


def test_cross_validation_tests_real_records_only_and_never_trains_on_their_story(tiny_corpus: Path, news: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, refs = news
    examples, _ = read_labelled([tiny_corpus, refs], news_dir=folder)
    stories = story_clusters(examples)
    seen: list[tuple[set[str], set[str]]] = []
    from nlp.research import real_cv

    fit = real_cv.fit_backend

    def spy(model, tr, options):  # record what each fold trains on
        seen.append(({stories[examples.index(e)] for e in tr}, set()))
        return fit(model, tr, options)

    monkeypatch.setattr(real_cv, "fit_backend", spy)
    result = cross_validate_real(examples, build=lambda: build_model("tfidf-logreg.v1", params={"cv": 3, "min_df": 1}), by="story", folds=3)
    assert result["n"] == 97 and len(result["oof_ids"]) == 97 and not np.isnan(result["oof"]).any()
    folds = real_folds(examples, stories, by="story", folds=3, seed=0)
    for (trained, _), test in zip(seen, folds, strict=True):
        assert not trained & {stories[i] for i in test}
    assert result["ranking"]["ai_disruption"]["roc_auc"] > 0.5


def test_train_with_references_records_real_metrics(tiny_corpus: Path, news: tuple[Path, Path], tmp_path: Path) -> None:
    folder, refs = news
    meta = train([tiny_corpus, refs], out=tmp_path / "m", params={"cv": 3, "min_df": 1}, news_dir=folder, real_weight=2.0, real_cv=("story",), real_folds=3)
    assert meta["real"] == {"n": 97, "real_weight": 2.0, "calibrate": "real", "files": {"copies.jsonl": 24, "heads.csv": 1, "wire.jsonl": 72}}
    assert meta["n_train"] == 97 + 72 - meta["n_test"] and 0 < meta["n_test"] <= 15  # only the corpus is held out
    cv = meta["metrics_real_cv"]["story"]
    assert cv["n"] == 97 and set(cv["by_file"]) == {"copies.jsonl", "heads.csv", "wire.jsonl"}
    assert "Real news, cross-validated" in write_model_card(tmp_path / "m").read_text(encoding="utf-8")


def test_cli_train_reads_news_dir_from_option_and_environment(tiny_corpus: Path, news: tuple[Path, Path], tmp_path: Path) -> None:
    folder, refs = news
    runner = CliRunner()
    args = ["train", str(tiny_corpus), str(refs), "--out", str(tmp_path / "a"), "--param", "cv=3", "--param", "min_df=1", "--test-size", "0"]
    res = runner.invoke(main, [*args, "--news-dir", str(tmp_path / "missing")])
    assert res.exit_code != 0 and "missing not found" in res.output
    res = runner.invoke(main, args, env={NEWS_DIR_ENV: str(folder)})
    assert res.exit_code == 0, res.output
    assert "real records: 97" in res.output


# -- the shipped annotations against the real pool -------------------------------------------------


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _shipped() -> list[dict]:
    return [r for f in sorted(REAL.glob("*.jsonl")) if f.name != "second_pass.jsonl" for r in _rows(f)]


def test_shipped_annotations_hold_references_only() -> None:
    rows = _shipped()
    assert rows, "corpora/real holds no annotations"
    for r in rows:
        assert set(r) <= {"ref", "lang", "labels", "tickers", "note", "sample", "round"}, r["ref"]
        assert len(r.get("note", "")) <= 120, r["ref"]  # a one-line reason, never text
    assert len({r["ref"] for r in rows}) == len(rows)


@needs_shared
def test_shipped_annotations_are_in_the_training_pool_and_load() -> None:
    tsv = (SHARED / "data" / "trainpool" / "refs.tsv").read_text(encoding="utf-8").splitlines()
    pool = {(row["file"], int(row["line"])) for row in csv.DictReader(tsv, delimiter="\t")}
    rows = _shipped() + _rows(REAL / "second_pass.jsonl")
    outside = [r["ref"] for r in rows if (r["ref"].rpartition(":")[0], int(r["ref"].rpartition(":")[2])) not in pool]
    assert not outside, f"{len(outside)} references outside refs.tsv, e.g. {outside[:3]}"
    counts = Counter(r["lang"] for r in _shipped())
    assert set(counts) == {"en", "zh-Hans", "zh-Hant"}
    items = [i for f in sorted(REAL.glob("*.jsonl")) for i in read_reference_file(f)]
    assert not [i for i in items if isinstance(i, RecordError)]


def test_linear_fit_checks_weights_and_calibration_mask(tiny_corpus: Path, caplog: pytest.LogCaptureFixture) -> None:
    from nlp.research.train import label_matrix

    examples, _ = read_labelled([tiny_corpus])
    docs, y = [e.doc for e in examples], label_matrix(examples)
    model = build_model("tfidf-logreg.v1", params={"cv": 3, "min_df": 1})
    with pytest.raises(ConfigError, match="one value per document"):
        model.fit(docs, y, sample_weight=np.ones(3))
    with pytest.raises(ConfigError, match="selects no document"):
        model.fit(docs, y, calibrate_on=np.zeros(len(docs), dtype=bool))
    only_negatives = np.array([not ex.labels for ex in examples])
    with caplog.at_level("WARNING"):
        model.fit(docs, y, calibrate_on=only_negatives)
    assert "calibrating on all documents" in caplog.text
    # Weighting documents changes what the regressions learn.
    heavy = np.where(y[:, 0] == 1, 5.0, 1.0)
    a = build_model("tfidf-logreg.v1", params={"cv": 3, "min_df": 1}).fit(docs, y).coef_
    b = build_model("tfidf-logreg.v1", params={"cv": 3, "min_df": 1}).fit(docs, y, sample_weight=heavy).coef_
    assert not np.allclose(a, b)
