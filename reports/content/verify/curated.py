"""The curator's own text: every piece of a table that is not a quotation, and where it stands.

What counts as the curator's text is listed once, here, in reading order (a study's descriptive
fields, a landscape's, the editor's notes, the overview; rules 6 and 9 of docs/rules.md): the
numbers in it (``prose``), its clinical words (``words``), its absences (``absences``), its
denominators (``denominators``) and its wording (``editorial``) are all checked on these pieces.
A ``Prose`` keeps its place in the YAML document, for the message, and what an item's result is
read with (its name and population).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from reports.content.model import EvidenceTable, Landscape, Overview, Study
from reports.content.sources import PathKey
from reports.content.verify.table import keyed_rows


@dataclass
class Prose:
    """A piece of the curator's text, where it stands, and the excerpts its numbers are checked against."""

    text: str
    key: PathKey
    about: str = ""  # for an item's result: its name and population, which the result is read with


def study_prose(study: Study, key: PathKey) -> Iterator[Prose]:
    for name in ("title", "indication", "population", "intervention", "safety_not_reported"):
        if getattr(study, name):
            yield Prose(getattr(study, name), key + (name,))
    yield Prose(study.design.summary, key + ("design", "summary"))
    for group in ("baseline", "outcomes"):
        for index, item in enumerate(getattr(study, group)):
            about = f"{item.name} {item.population or ''}"
            for name in ("name", "result", "timepoint", "population"):
                if getattr(item, name):
                    yield Prose(getattr(item, name), key + (group, index, name), about)
    for index, event in enumerate(study.adverse_events):
        yield Prose(event.term, key + ("adverse_events", index, "term"))
        yield Prose(event.summary, key + ("adverse_events", index, "summary"), event.term)
    if study.follow_up:
        yield Prose(study.follow_up.summary, key + ("follow_up", "summary"))
    for steps in ("rated_down", "rated_up"):
        for index, step in enumerate(getattr(study.certainty, steps)):
            yield Prose(step.reason, key + ("certainty", steps, index, "reason"))


def landscape_prose(landscape: Landscape, key: PathKey) -> Iterator[Prose]:
    for name in ("title", "summary", "data_source"):
        yield Prose(getattr(landscape, name), key + (name,))
    for index, limitation in enumerate(landscape.limitations):
        yield Prose(limitation, key + ("limitations", index))
    for index, series in enumerate(landscape.series):
        yield Prose(series.title, key + ("series", index, "title"))
        yield Prose(series.denominator, key + ("series", index, "denominator"))


def notes_prose(row: Study | Landscape, key: PathKey) -> Iterator[Prose]:
    for index, excerpt in enumerate(row.excerpts):
        if excerpt.note:
            yield Prose(excerpt.note, key + ("excerpts", index, "note"))


def row_prose(row: Study | Landscape, key: PathKey) -> list[Prose]:
    """A row's own text: a study's descriptive fields or a landscape's, then its editor's notes."""
    own = study_prose(row, key) if isinstance(row, Study) else landscape_prose(row, key)
    return [*own, *notes_prose(row, key)]


def overview_prose(overview: Overview) -> list[Prose]:
    return [Prose(getattr(overview, name), ("overview", name))
            for name in ("mechanism", "status", "key_message") if getattr(overview, name)]


def label_prose(row: Study | Landscape, key: PathKey) -> list[Prose]:
    """The names a row prints beside its figures that row_prose leaves out: a landscape's item labels."""
    if not isinstance(row, Landscape):
        return []
    pieces = [Prose(row.trials.label, key + ("trials", "label"))]
    for s_index, series in enumerate(row.series):
        for i_index, item in enumerate(series.items):
            pieces.append(Prose(item.label, key + ("series", s_index, "items", i_index, "label")))
    return pieces


def curated_text(table: EvidenceTable) -> list[Prose]:
    """Every piece of the curator's own text in a table, in reading order (not the quotations)."""
    return overview_prose(table.overview) + [piece for row, key in keyed_rows(table) for piece in row_prose(row, key)]
