"""What the mutation tests share: the shipped tables and articles, and `reports check` run on one
table's text or on its parsed data.

A mutant is a copy of a shipped evidence table with one claim changed. It is caught when the check
fails: the YAML cannot be read, the model refuses it (pydantic) or the verification against the
articles reports an error. This module is the one place that says what "the check" is, so that a
new stage of `reports check` (a lexicon read from seeds/project.yaml, say) is added here once.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from reports.content.articles import read_articles
from reports.content.evidence import EvidenceFile
from reports.content.model import EvidenceTable
from reports.content.sources import Positions, parse_yaml, validate_data
from reports.content.verify.evidence import verify_evidence
from reports.errors import Problems

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
TABLES = sorted((SEEDS / "evidence").glob("*.yaml"))


@lru_cache(maxsize=1)
def shipped_articles() -> dict:
    """The shipped articles, read once per process (the mutants change only the tables)."""
    problems = Problems(ROOT)
    loaded = read_articles(SEEDS, problems)
    assert not problems.errors, problems.errors
    return loaded


def written(value) -> str:
    """A figure as the YAML writes it: 9.60 stays 9.60."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def parse(path: Path) -> tuple[Any, Positions]:
    """A shipped table as `reports check` reads it: plain data (figures as Decimals) and the
    line and column of every value."""
    parsed = parse_yaml(path.read_text(encoding="utf-8"), path, Problems(ROOT))
    assert parsed is not None, path
    return parsed


class _TableDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """yaml.safe_dump, taught to write the parser's Decimals as the plain numbers they were, and
    never to write an anchor (a value a mutant copied to a second place), which check refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_TableDumper.add_representer(
    Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f")))


def dump(data: Any) -> str:
    """Parsed table data as YAML text again (comments and positions are not kept)."""
    return yaml.dump(data, Dumper=_TableDumper, allow_unicode=True, sort_keys=False, width=1000)


def stage_failed(path: Path, text: str, articles: dict) -> tuple[str | None, list[str]]:
    """`reports check` on one evidence file's text: which stage refused it ("yaml", "model",
    "check"; None when it passes) and its errors."""
    problems = Problems(ROOT)
    parsed = parse_yaml(text, path, problems)
    if parsed is None:
        return "yaml", [str(problem) for problem in problems.errors]
    data, positions = parsed
    table = validate_data(EvidenceTable, data, positions, problems)
    if table is None or problems.errors:
        return "model", [str(problem) for problem in problems.errors]
    verify_evidence([EvidenceFile(path, table, positions)], articles, problems)
    errors = [str(problem) for problem in problems.errors]
    return ("check" if errors else None), errors


def check_text(path: Path, text: str, articles: dict) -> list[str]:
    """`reports check` on one evidence file's text: its problems (errors only)."""
    return stage_failed(path, text, articles)[1]
