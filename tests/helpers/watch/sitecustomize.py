"""Imported by every Python process the tests start (tests/helpers/purity.py puts this folder on
PYTHONPATH): while a pure test runs, a process that imports WeasyPrint says so in the file that
REPORTS_TESTS_WEASYPRINT_LOG names, and the test fails. Nothing else changes; without the variable
this does nothing."""

import os
import sys

_LOG = os.environ.get("REPORTS_TESTS_WEASYPRINT_LOG")


class _WeasyPrintWatch:
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint":
            sys.meta_path.remove(self)
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}\n")
        return None


if _LOG:
    sys.meta_path.insert(0, _WeasyPrintWatch())
