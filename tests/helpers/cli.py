"""`reports` on the command line, as a test runs it: in the test's own process by default, or as a
real process where the process itself is the point.

In the test's process, through click's runner, a command costs what it does and nothing more:
starting an interpreter and importing the package (about half a second) is most of what a
`reports check` on a tiny project costs. What the runner cannot show, it does not hide: an
exception that would have printed a traceback fails the test with that traceback, and the exit
status, stdout and stderr are the command's own. ``real=True`` starts ``python -m reports``, for
the stories about the process (its exit status as a shell sees it, a timeout, the environment).
"""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from reports.cli import cli


def reports(*args: str, env: dict | None = None, timeout: float | None = None,
            real: bool = False) -> subprocess.CompletedProcess:
    """Run ``reports ARGS``; a CompletedProcess either way (returncode, stdout, stderr)."""
    if real:
        return subprocess.run([sys.executable, "-m", "reports", *args], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **(env or {})})
    result = CliRunner().invoke(cli, list(args), prog_name="reports", env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # What a user would have seen as a Python traceback: never the answer to a user's mistake.
        raise result.exception.with_traceback(result.exc_info[2])
    return subprocess.CompletedProcess(["reports", *args], result.exit_code, result.stdout, result.stderr)
