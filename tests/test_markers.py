"""The markers are honest: tests/helpers/purity.py fails a test marked neither render, server nor
redis that renders with WeasyPrint, loads it, or starts a process that loads it; a marked test may."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.render  # the inner session loads WeasyPrint, as its marked test may

TESTS = Path(__file__).resolve().parent

INNER = '''
import subprocess
import sys

import pytest


def test_pure():
    assert sum([1, 2]) == 3


def test_loads_and_renders_in_the_process():
    from reports.render import engine

    engine.load().HTML(string="<p>甲</p>").write_pdf()


@pytest.mark.render
def test_marked_render():
    from reports.render import engine

    engine.load().HTML(string="<p>乙</p>").write_pdf()


def test_renders_again_once_loaded():
    import weasyprint

    weasyprint.HTML(string="<p>丙</p>").write_pdf()


def test_starts_a_process_that_loads_it():
    subprocess.run([sys.executable, "-c", "import weasyprint"], check=True)
'''


def test_a_pure_test_that_uses_weasyprint_fails_and_a_marked_one_passes(pytester: pytest.Pytester, monkeypatch):
    pytester.makeconftest("from helpers import purity\n\n\ndef pytest_configure(config):\n"
                          "    config.pluginmanager.register(purity, 'reports-purity')\n")
    pytester.makeini("[pytest]\nmarkers =\n    render: r\n    server: s\n    redis: r\n")
    pytester.makepyfile(test_inner=INNER)
    paths = [str(TESTS), str(TESTS.parent), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    monkeypatch.delenv("REPORTS_TESTS_WEASYPRINT_RECORD", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines([
        "*_ test_loads_and_renders_in_the_process _*",
        "a pure test (marked none of render, server, redis) imports WeasyPrint in the test process in its call: "
        "mark it render*",
        "*_ test_renders_again_once_loaded _*",
        "a pure test * renders with WeasyPrint in the test process in its call*",
        "*_ test_starts_a_process_that_loads_it _*",
        "a pure test * starts a process that imports WeasyPrint: pid *",
    ])
