"""The command line: every command has help; build writes where it is told; doctor checks the machine."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.pdf import pdftotext

from reports.cli import cli
from reports.errors import ReportError
from reports.run.dates import build_date_from_environment


def test_every_command_has_help_text():
    runner = CliRunner()
    assert cli.help
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 20, f"reports {name} lacks help"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and " ".join(command.help.split()[:4]) in " ".join(result.output.split())
        for parameter in command.params:
            if parameter.param_type_name == "option" and parameter.name != "help":
                assert parameter.help, f"reports {name} {parameter.opts[0]} lacks help"


@pytest.mark.render
def test_build_writes_the_pdf_and_html_where_asked(project: Path, tmp_path: Path):
    out = tmp_path / "elsewhere" / "demo.pdf"
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build",
                             "-o", str(out), "--html", "--date", "2026-12-01"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out} (")
    assert out.read_bytes().startswith(b"%PDF-")
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "<style>" in html and "@page" in html  # self-contained: its styles travel with it
    assert "2026年12月1日" in "".join(pdftotext(out).split())
    assert not (project / "build").exists()


@pytest.mark.render
def test_build_selects_classes_and_rejects_unknown_ones(project: Path):
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build",
                             "--class", "car-q"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "no therapy class 'car-q' (no car-q.yaml); the classes are: car-x" in result.stderr


def test_build_date_comes_from_source_date_epoch_when_not_given():
    assert build_date_from_environment({"SOURCE_DATE_EPOCH": "1767225600"}) == dt.date(2026, 1, 1)
    assert build_date_from_environment({}) == dt.date.today()
    with pytest.raises(ReportError, match="SOURCE_DATE_EPOCH='soon' is not a Unix time"):
        build_date_from_environment({"SOURCE_DATE_EPOCH": "soon"})


@pytest.mark.render
def test_doctor_reports_each_check_and_passes_on_a_set_up_machine():
    result = subprocess.run([sys.executable, "-m", "reports", "doctor"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    for name in ("CJK font (simplified serif)", "CJK font (traditional sans)", "WeasyPrint", "Pango",
                 "HarfBuzz subsetting", "WeasyPrint tuning"):
        assert f"ok   {name}: " in result.stdout


def test_doctor_names_the_fix_for_missing_fonts():
    from reports.doctor import check_fonts

    checks = check_fonts({"DejaVu Sans"})
    assert not any(check.ok for check in checks)
    assert all(check.fix == "sudo apt-get install -y fonts-noto-cjk" for check in checks)


@pytest.mark.render
def test_an_unwritable_output_is_a_clear_error(project: Path, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build",
                             "-o", str(blocker / "briefing.pdf")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "cannot write the output" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.render
def test_the_pdf_is_readable_by_others_as_a_normal_file_is(project: Path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build"],
                                capture_output=True, text=True)
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((project / "build/briefing.pdf").stat().st_mode) == 0o644
