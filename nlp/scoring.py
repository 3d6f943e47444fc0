"""Scoring a batch of files end to end: read, score, write records and errors atomically."""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from nlp.files import atomic_writer, dumps_record
from nlp.pipeline import Pipeline
from nlp.records import RecordError, ScoredArticle
from nlp.text.reader import read_articles
from nlp.text.script import to_simplified

log = logging.getLogger(__name__)

#: Exit codes of ``narratives score``: all scored, some records rejected, nothing usable.
EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 3, 1


def evidence_key(sentence: str) -> str:
    """A sentence reduced to what syndicated copies share: Simplified script, letters and digits."""
    return "".join(ch for ch in to_simplified(sentence).casefold() if ch.isalnum())


@dataclass(slots=True)
class BatchSummary:
    """What a scoring run did, for the summary table and the exit code."""

    scored: int = 0
    rejected: int = 0
    by_label: Counter = field(default_factory=Counter)
    by_lang: Counter = field(default_factory=Counter)
    tickers: Counter = field(default_factory=Counter)
    top_evidence: dict[str, list[tuple[float, str, str]]] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)

    def add(self, rec: ScoredArticle) -> None:
        self.scored += 1
        self.by_lang[rec.lang] += 1
        for lab in rec.labels:
            self.by_label[lab] += 1
            for ev in rec.evidence.get(lab, [])[:1]:
                best = self.top_evidence.setdefault(lab, [])
                # A syndicated story repeats its sentence in every copy (in either script): show it once.
                key = evidence_key(ev.sentence)
                if any(evidence_key(s) == key for _, _, s in best):
                    continue
                best.append((ev.score, rec.id, ev.sentence))
                best.sort(key=lambda x: -x[0])
                del best[3:]
        for t in rec.tickers:
            self.tickers[t.symbol] += 1

    @property
    def exit_code(self) -> int:
        if self.scored == 0 and self.rejected:
            return EXIT_FAILED
        return EXIT_REJECTED if self.rejected else EXIT_OK


def score_files(
    inputs: Iterable[str | Path],
    out: str | Path,
    *,
    pipeline: Pipeline,
    errors_path: str | Path | None = None,
    n_process: int = 1,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    err_stream: IO[str] | None = sys.stderr,
) -> BatchSummary:
    """Score every article of ``inputs`` into ``out`` (JSONL), rejected records into ``errors_path``.

    Both files are written atomically: they appear complete or not at all, and a re-run replaces
    them rather than appending, so running a batch twice never double counts.
    """
    out = Path(out)
    errors_path = Path(errors_path) if errors_path else out.with_name(out.name.removesuffix(".jsonl") + ".errors.jsonl")
    summary = BatchSummary()
    with atomic_writer(out) as fh, atomic_writer(errors_path) as efh:
        for item in pipeline.pipe(read_articles(inputs), n_process=n_process, batch_size=batch_size):
            if isinstance(item, RecordError):
                summary.rejected += 1
                if len(summary.errors) < 1000:  # the errors file has them all; keep the summary small
                    summary.errors.append(item)
                efh.write(dumps_record(item.to_dict()) + "\n")
                if err_stream is not None:
                    print(f"rejected {item}", file=err_stream)
            else:
                summary.add(item)
                fh.write(dumps_record(item.to_dict()) + "\n")
            if progress is not None:
                progress(1)
    return summary


def summary_json(summary: BatchSummary) -> str:
    return json.dumps({"scored": summary.scored, "rejected": summary.rejected, "labels": dict(summary.by_label), "langs": dict(summary.by_lang)}, ensure_ascii=False)
