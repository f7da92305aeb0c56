"""Reading evidence tables: seeds/evidence/<class>.yaml -> ``EvidenceFile`` (model + positions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.content.model import EvidenceTable, ProjectSettings
from reports.content.sources import PathKey, Positions, SizeLimit, by_extension, validate_model
from reports.errors import Problems
from reports.names import is_id

SHAPE = "an evidence table must be a mapping with class:, overview: and studies: (or landscape:)"
SUFFIXES = {".yaml", ".yml"}
NOT_READ = ("not read: evidence tables are files ending in .yaml (or .yml); rename it if it is one, "
            "or move it out of seeds/evidence/")


# What `reports draft` writes where it could not decide (reports/curate/draft.py).
UNDECIDED = "TODO"


def undecided(data: Any, key: PathKey = ()) -> list[tuple[PathKey, str]]:
    """Every value a draft left as TODO: a row the curator has not finished is never published."""
    if isinstance(data, dict):
        return [found for name, value in data.items() for found in undecided(value, (*key, name))]
    if isinstance(data, list):
        return [found for index, value in enumerate(data) for found in undecided(value, (*key, index))]
    if isinstance(data, str) and re.match(rf"{UNDECIDED}\b", data.strip(), re.IGNORECASE):
        where = ".".join(str(part) for part in key)
        return [(key, f"{where}: draft: decide this value and write it in place of TODO (the comment above "
                      "lists what the article offers); a drafted row is checked once nothing is left undecided")]
    return []


@dataclass
class EvidenceFile:
    path: Path
    table: EvidenceTable
    positions: Positions


def evidence_paths(seeds: Path) -> list[Path]:
    """The evidence tables' files: one ``<class>.yaml`` (or ``.yml``, in any case) per therapy class."""
    return by_extension(seeds / "evidence", SUFFIXES)[0]


def warn_unread(seeds: Path, problems: Problems) -> None:
    """Name every file of seeds/evidence/ that is not read as a table (hidden files aside)."""
    for path in by_extension(seeds / "evidence", SUFFIXES)[1]:
        problems.warn(path, 0, 0, NOT_READ)


def refuse_two_tables_of_a_class(paths: list[Path], problems: Problems) -> list[Path]:
    """car-m.yaml beside car-m.yml (or car-m.YAML): one class, two tables; the second is refused."""
    first: dict[str, Path] = {}
    kept = []
    for path in paths:
        if path.stem in first:
            problems.error(path, 0, 0, f"a second evidence table of class '{path.stem}' (the first is "
                                       f"{first[path.stem].name}); merge them into one file")
            continue
        first[path.stem] = path
        kept.append(path)
    return kept


def read_evidence(seeds: Path, problems: Problems, classes: list[str] | None = None,
                  settings: ProjectSettings | None = None) -> list[EvidenceFile]:
    """Read every evidence table (or only ``classes``), sorted by the classes' ``order``.

    ``settings`` gives the size limit (default: the default settings').
    """
    limit = SizeLimit((settings or ProjectSettings()).max_yaml_bytes, "an evidence table", "max_yaml_bytes")
    folder = seeds / "evidence"
    if not folder.is_dir():
        problems.error(seeds, 0, 0, "no seeds/evidence/ folder; create it with one <class>.yaml per therapy class")
        return []
    warn_unread(seeds, problems)
    paths = refuse_two_tables_of_a_class(evidence_paths(seeds), problems)
    if classes:
        known = {path.stem for path in paths}
        for wanted in classes:
            if wanted not in known:
                choices = ", ".join(sorted(known)) or "none"
                problems.error(folder, 0, 0, f"no therapy class '{wanted}' (no {wanted}.yaml); the classes are: {choices}")
        paths = [path for path in paths if path.stem in classes]
    files = []
    for path in paths:
        loaded = validate_model(EvidenceTable, path, problems, limit, SHAPE, screen=undecided)
        if loaded is None:
            continue
        table, positions = loaded
        if table.therapy_class.id != path.stem:
            # The file name is suggested as the id only when it is a valid id itself.
            other = f" or set id: {path.stem}" if is_id(path.stem) else ""
            problems.error(path, *positions.of(("class", "id")),
                           f"class id '{table.therapy_class.id}' does not match the file name; "
                           f"rename the file to {table.therapy_class.id}.yaml{other}")
            continue
        files.append(EvidenceFile(path, table, positions))
    if not paths and not problems.errors:
        problems.error(folder, 0, 0, "no evidence tables (*.yaml) in seeds/evidence/")
    return sorted(files, key=lambda f: (f.table.therapy_class.order, f.path.stem))
