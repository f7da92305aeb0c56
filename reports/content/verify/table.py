"""One evidence table being checked, and what the checks verified.

Every check of the room reports through a ``TableCheck``: the file whose values it names, the
problems it adds to (each at the line and column of the value, ``dotted`` naming its path), the
excerpts a check found backing something (``used``), and the counts of the summary line
(``Verification``). Order: ``used`` fills as the checks run; the warning about an excerpt that backs
nothing reads it only after every check of the table (``evidence.verify_evidence``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.content.evidence import EvidenceFile
from reports.content.model import EvidenceTable, Landscape, Study
from reports.content.sources import PathKey, Positions
from reports.content.verify.claims import Lexicon
from reports.errors import Problems


@dataclass
class Verification:
    """What a check verified, counted for its summary line."""

    excerpts: int = 0
    figures: int = 0
    claims: int = 0  # terms beside their figures, gradings, phases
    prose_numbers: int = 0
    own_figures: int = 0  # numbers the curator declared as their own

    def summary(self) -> str:
        return (f"{self.figures} figures, {self.claims} claims (terms, gradings, phases, clinical words) and "
                f"{self.prose_numbers} numbers in prose checked against {self.excerpts} verified excerpts; "
                f"{self.own_figures} numbers marked as the curator's own")


def dotted(key: PathKey) -> str:
    """A value's path as messages name it: studies.0.certainty.grade."""
    return ".".join(str(part) for part in key)


def keyed_rows(table: EvidenceTable) -> list[tuple[Study | Landscape, PathKey]]:
    """The table's rows (``EvidenceTable.rows``), each with its place in the YAML document."""
    rows: list[tuple[Study | Landscape, PathKey]] = [(study, ("studies", index))
                                                     for index, study in enumerate(table.studies)]
    return rows + ([(table.landscape, ("landscape",))] if table.landscape else [])


@dataclass
class TableCheck:
    """Checking one evidence file: where its values stand, its rows' excerpts, and the counts."""

    file: EvidenceFile
    problems: Problems
    verification: Verification
    used: set[str] = field(default_factory=set)
    lexicon: Lexicon | None = None

    @property
    def positions(self) -> Positions:
        return self.file.positions

    def error(self, key: PathKey, message: str) -> None:
        self.problems.error(self.file.path, *self.positions.of(key), message)
