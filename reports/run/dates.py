"""The build date where none is given: ``SOURCE_DATE_EPOCH``, else today.

Read once by each entry point (a command, a service request, a scheduled run, a batch) and passed
down explicitly: the documents never read the environment, so a worker on another machine renders
the submitter's date, and one render never sees two different days.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from reports.errors import ReportError


def build_date_from_environment(environ: Mapping[str, str] | None = None) -> dt.date:
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise ReportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds; unset it or fix it") from None
