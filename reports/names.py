"""The names every layer agrees on, each defined once: scripts, papers, engines, ids, weeks.

The seed models, the converter, the documents, the jobs, the command line's choices and the
service's parameter types all derive from these; a new paper or script is added here only.
Imports nothing but ``re`` and ``typing``: the command line reads it for ``--help``.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

# The scripts a briefing can be printed in (``--script``, ``?script=``), and an article's ``script:``.
Script = Literal["zh-Hans", "zh-Hant"]
SCRIPTS: tuple[Script, ...] = get_args(Script)

# The handouts' papers (``--paper``, ``?paper=``); their sizes are reports.documents.handout's.
Paper = Literal["a4", "a5", "letter"]
PAPERS: tuple[Paper, ...] = get_args(Paper)

# Where documents are rendered (``--engine``, REPORTS_ENGINE): this machine's processes, or the
# reports workers of a Celery broker.
Engine = Literal["local", "celery"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

# An id: of a therapy class (its file's name, a path segment of the service's URLs), a row, an
# article. Bounded: an id travels in URLs and in jobs, and 64 characters name anything.
ID_MAX = 64
ID_PATTERN = rf"[a-z0-9][a-z0-9-]{{0,{ID_MAX - 1}}}"
ID = re.compile(ID_PATTERN)  # use fullmatch

# An ISO week, as written in a file name, a URL and --week: 2026-W47 (reports.documents.weekly.IsoWeek).
# ASCII digits: \d matches any script's digits, and int() reads them, so ٢٠٢٦-W46 was taken for 2026-W46.
WEEK_PATTERN = r"[0-9]{4}-W[0-9]{2}"
WEEK = re.compile(WEEK_PATTERN)  # use fullmatch

# The years of a week and of a date of issue: a week must have a week before it and days after it
# (the previous briefing, the day of issue); past these years the calendar arithmetic would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 9998


def is_id(value: object) -> bool:
    return isinstance(value, str) and ID.fullmatch(value) is not None


def is_week(value: object) -> bool:
    return isinstance(value, str) and WEEK.fullmatch(value) is not None
