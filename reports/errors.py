"""The one user-facing error type, and the list of problems a read or check collects.

A user's mistake (in YAML, an article, an option) is a ``Problem`` with a location; every
stage collects them into ``Problems`` and fails once with ``ReportError`` carrying all of them.
The CLI prints them as ``path:line:column: message`` and exits 1; programming errors still raise
normally and show a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int = 0  # 1-based; 0 when the problem is about the whole file
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ReportError(Exception):
    """A user error: bad input or options. Carries every problem found, each with its location."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(Location("reports"), problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Pickled with its problems, not its message: the service's worker processes send it back.
        return (ReportError, (self.problems,))


@dataclass
class Problems:
    """Collects problems (and warnings) across a stage, so all of them are reported at once."""

    project_dir: Path
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    _reported: set[Problem] = field(default_factory=set, repr=False, compare=False)

    def relative(self, path: Path | str) -> str:
        # The path as written first: a symbolic link is named where it stands, never where it
        # points (which may be outside the project, and is nobody's business in a message).
        path = Path(path)
        written, root = Path(os.path.abspath(path)), Path(os.path.abspath(self.project_dir))
        for folder in (root, root.resolve()):
            if written.is_relative_to(folder):
                return str(written.relative_to(folder))
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except (ValueError, RuntimeError, OSError):  # RuntimeError: a symbolic link loop
            return str(path)

    def error(self, path: Path | str, line: int, column: int, message: str) -> None:
        problem = Problem(Location(self.relative(path), line, column), message)
        if problem not in self._reported:  # a linked folder is reported once, not once per file read through it
            self._reported.add(problem)
            self.errors.append(problem)

    def warn(self, path: Path | str, line: int, column: int, message: str) -> None:
        self.warnings.append(Problem(Location(self.relative(path), line, column), message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ReportError(sorted(self.errors, key=lambda p: p.location))


class FieldError(ValueError):
    """A model-wide rule broken by one field, raised with that field's path under the model.

    Pydantic locates a model validator's error at the model (the mapping's first key); the
    readers add ``path`` so that the message points at the offending line instead
    (``outcomes.2.headline``, not the study's ``id:``).
    """

    def __init__(self, path: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.path = path


class Failure(Exception):
    """A render that produced no document, with the HTTP status it answers to (500, 503, 504).

    Not a user's mistake (that is ``ReportError``): a crash, a time limit, a broker gone.
    """

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message
