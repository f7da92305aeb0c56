"""The date a document is issued on where the caller gives none: ``SOURCE_DATE_EPOCH``, else today.

Read once by each entry point (a command, a service request, a scheduled run, a batch) and passed
down explicitly with where it came from: the documents never read the environment or the clock, so a
worker on another machine renders the submitter's date, one render never sees two different days, and
a date the documents refuse (one before the evidence it prints) is named as the user gave it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from reports.documents.dating import IssueDate
from reports.errors import ReportError
from reports.names import FIRST_YEAR, LAST_YEAR


def build_date_from_environment(environ: Mapping[str, str] | None = None) -> dt.date:
    return issue_date(environ=environ).day


def issue_date(given: dt.date | None = None, environ: Mapping[str, str] | None = None,
               timezone: str | None = None) -> IssueDate:
    """``given`` (the command line's --date), else SOURCE_DATE_EPOCH, else today: in ``timezone`` when
    one is given (a weekly's weeks are that zone's), else on the machine's clock."""
    if given is not None:
        return in_range(IssueDate(given, "--date"))
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        today = dt.datetime.now(ZoneInfo(timezone)).date() if timezone else dt.date.today()
        return IssueDate(today, "today")
    try:
        day = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ReportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds; unset it or fix it") from None
    return in_range(IssueDate(day, "SOURCE_DATE_EPOCH"))


def in_range(issue: IssueDate) -> IssueDate:
    """A date of issue in the years whose weeks a weekly can name (reports.names: why)."""
    if not FIRST_YEAR <= issue.day.year <= LAST_YEAR:
        raise ReportError(f"{issue} is out of range; give a date of the years {FIRST_YEAR} to {LAST_YEAR}")
    return issue
