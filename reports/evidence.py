"""Reading evidence tables: seeds/evidence/<class>.yaml -> ``EvidenceFile`` (model + positions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reports.errors import Problems
from reports.model import ID_RE, EvidenceTable, ProjectSettings
from reports.sources import Positions, SizeLimit, validate_model

SHAPE = "an evidence table must be a mapping with class:, overview: and studies: (or landscape:)"


@dataclass
class EvidenceFile:
    path: Path
    table: EvidenceTable
    positions: Positions


def evidence_paths(seeds: Path) -> list[Path]:
    """The evidence tables' files: one ``<class>.yaml`` (or ``.yml``) per therapy class."""
    folder = seeds / "evidence"
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


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
    paths = evidence_paths(seeds)
    if classes:
        known = {path.stem for path in paths}
        for wanted in classes:
            if wanted not in known:
                choices = ", ".join(sorted(known)) or "none"
                problems.error(folder, 0, 0, f"no therapy class '{wanted}' (no {wanted}.yaml); the classes are: {choices}")
        paths = [path for path in paths if path.stem in classes]
    files = []
    for path in paths:
        loaded = validate_model(EvidenceTable, path, problems, limit, SHAPE)
        if loaded is None:
            continue
        table, positions = loaded
        if table.therapy_class.id != path.stem:
            # The file name is suggested as the id only when it is a valid id itself.
            other = f" or set id: {path.stem}" if ID_RE.match(path.stem) else ""
            problems.error(path, *positions.of(("class", "id")),
                           f"class id '{table.therapy_class.id}' does not match the file name; "
                           f"rename the file to {table.therapy_class.id}.yaml{other}")
            continue
        files.append(EvidenceFile(path, table, positions))
    if not paths and not problems.errors:
        problems.error(folder, 0, 0, "no evidence tables (*.yaml) in seeds/evidence/")
    return sorted(files, key=lambda f: (f.table.therapy_class.order, f.path.stem))
