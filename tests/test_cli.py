"""The command line: every command has help; every impossible value of an option is one line naming
it; build writes where it is told; doctor checks the machine."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.cli import reports
from helpers.pdf import pdftotext
from helpers.projects import write_project
from helpers.writes import begin_write, end, killed_midway

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


# Every option of every command, fed its edge values: each refused before any work (no render, no
# server, no broker), in one line that says what is wrong, never a traceback (tests/helpers/cli.py
# turns an exception into this test's failure). {p}: the project; {file}: a file; {folder}: a folder
# outside the project; {link}: a symlink in seeds/articles/ to an article outside it.
LONG_NAME = "x" * 300  # longer than a file name may be
LONG_TEXT = "长" * 10_000
NUL = "a\x00b"
ABSENT = "{p}/no/such/thing"
IMPOSSIBLE = [
    # (the arguments, what the one line says)
    (["--project", "", "check"], "the path is empty"),
    (["--project", LONG_NAME, "check"], "is too long for a path"),
    (["--project", NUL, "check"], "holds a NUL character"),
    (["--project", ABSENT, "check"], "has no seeds/ folder"),
    (["--project", "{file}", "check"], "is a file"),
    (["--project", "{folder}", "check"], "has no seeds/ folder"),
    (["add-article", ""], "the path is empty"),
    (["add-article", LONG_NAME], "is too long for a path"),
    (["add-article", NUL], "holds a NUL character"),
    (["add-article", ABSENT], "cannot read the file"),
    (["add-article", "{folder}"], "not a regular file"),
    *[(["add-article", "{folder}/new.md", option, value], said)
      for option in ("--outlet", "--author", "--title", "--url")
      for value, said in (("", "the value is empty"), (" ", "the value is empty"), (NUL, "holds a control character"),
                          ("一\n二", "holds a control character"), (LONG_TEXT, "characters long; at most"))],
    (["add-article", "{folder}/new.md", "--outlet", "o", "--id", ""], "--id '' is not a valid id"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--id", "中文"], "is not a valid id"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--id", LONG_NAME], "is not a valid id"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--url", "ftp://example.org/a"], "is not a web address"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--published", ""], "the value is empty"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--published", "2026-02-30"], "is not a real date"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--published", "0001-01-01"], "does not agree"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--published", "9999-12-31"], "does not agree"),
    (["add-article", "{folder}/new.md", "--outlet", "o", "--script", "zh"], "is not one of"),
    (["schema", "-o", ""], "the path is empty"),
    (["schema", "-o", LONG_NAME], "is too long for a path"),
    (["schema", "-o", NUL], "holds a NUL character"),
    (["schema", "-o", "{file}"], "is a file"),
    (["schema", "-o", "{file}/schemas"], "is a file, so"),
    *[([command, *before, "--date", value, *after], said)
      for command, before, after in (("build", [], []), ("handout", ["car-x"], []), ("batch", [], []),
                                     ("weekly", [], []), ("draft", ["seeds/articles/demo.md"], ["--class", "car-x"]))
      for value, said in (("", "is not a date"), ("0001-01-01", "is out of range"), ("9999-12-31", "is out of range"),
                          ("0000-00-00", "is not a day of the calendar"), ("2026-02-30", "is not a day of the calendar"),
                          ("2026-1-1", "is not a date"), ("２０２６-01-01", "is not a date"), (NUL, "is not a date"),
                          (LONG_TEXT, "is not a date"))],
    *[([command, *before, "--class", value], "is not a therapy class's id")
      for command, before in (("build", []), ("preview", ["--port", "8000"]))
      for value in ("", "CAR-X", "中文", LONG_NAME, NUL)],
    (["preview", "--class", "car-q"], "no therapy class 'car-q'"),
    *[(["handout", value], "is not a therapy class's id") for value in ("", "CAR-X", "中文", LONG_NAME, NUL)],
    (["handout", "car-q", "--date", "2026-12-01"], "no therapy class 'car-q'"),
    (["handout", "car-x", "-o", "{folder}"], "is a folder; give the PDF's file name"),
    (["handout", "--all", "-o", "{file}"], "is a file; with --all, give the folder"),
    (["handout", "car-x", "-o", "{file}/car-x.pdf"], "is a file, so"),
    (["handout", "car-x", "-o", ""], "the path is empty"),
    (["handout", "car-x", "-o", LONG_NAME], "is too long for a path"),
    (["handout", "car-x", "--paper", "a3"], "is not one of"),
    (["build", "-o", ""], "the path is empty"),
    (["build", "-o", LONG_NAME], "is too long for a path"),
    (["build", "-o", NUL], "holds a NUL character"),
    (["build", "-o", "{folder}"], "is a directory"),
    (["build", "-o", "{file}/briefing.pdf"], "is a file, so"),
    (["build", "--script", "zh"], "is not one of"),
    *[(["weekly", "--week", value], said)
      for value, said in (("", "is not an ISO week"), ("0000-W00", "is out of range"), ("9999-W52", "is out of range"),
                          ("2026-W54", "has no week 54"), ("2026-W00", "has no week 0"), ("2026-47", "is not an ISO week"),
                          (NUL, "is not an ISO week"), (LONG_TEXT, "is not an ISO week"))],
    *[(["weekly", "--week", "2026-W47", "--tz", value], "is not an IANA time zone")
      for value in ("", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Asia", LONG_NAME, NUL, "亚洲/上海")],
    *[([command, *before, "--broker", value], said)
      for command, before in (("schedule", []), ("batch", ["--engine", "celery"]), ("serve", ["--engine", "celery"]),
                              ("worker", []))
      for value, said in (("", "the URL is empty"), ("http://example.org", "is not a Redis URL"),
                          ("redis://", "is not a Redis URL"), ("redis://host:99999/0", "is not a Redis URL"),
                          (LONG_TEXT, "is not a Redis URL"), (NUL, "is not a Redis URL"))],
    *[(["batch", "--jobs", value], "is not in the range") for value in ("0", "-1", "257", "9" * 30)],
    (["batch", "--jobs", "1.5"], "is not a valid integer"),
    (["batch", "-o", ""], "the path is empty"),
    (["batch", "-o", LONG_NAME], "is too long for a path"),
    (["batch", "-o", NUL], "holds a NUL character"),
    (["batch", "-o", "{file}"], "is a file"),
    (["batch", "-o", "{file}/batch"], "is a file, so"),
    (["batch", "--paper", ""], "is not one of"),
    (["batch", "--engine", "remote"], "is not one of"),
    *[([command, option, value], said)
      for command, option in (("batch", "--time-limit"), ("serve", "--timeout"), ("worker", "--time-limit"),
                              ("worker", "--redeliver-after"))
      for value, said in (("nan", "is not a number of seconds"), ("inf", "is not in the range"),
                          ("-1", "is not in the range"), ("0", "is not in the range"), ("1e999", "is not in the range"),
                          ("soon", "is not a valid float"))],
    *[([command, "--host", value], said)
      for command in ("serve", "preview")
      for value, said in (("", "is not an IP address or a host name"), (" ", "is not an IP address or a host name"),
                          ("中文", "is not an IP address or a host name"), ("999.1.1.1", "is not an IP address"),
                          ("::1x", "is not an IP address"), ("a..b", "is not an IP address"),
                          (LONG_NAME, "is not an IP address"), (NUL, "is not an IP address"))],
    *[([command, "--port", value], "is not in the range")
      for command in ("serve", "preview") for value in ("0", "-1", "65536", "9" * 30)],
    *[(["serve", option, value], "is not in the range")
      for option in ("--workers", "--queue", "--max-renders", "--cache-mb") for value in ("-1", "9" * 30)],
    (["serve", "--workers", "0"], "is not in the range"),
    (["serve", "--engine", "remote"], "is not one of"),
    *[(["worker", option, value], "is not in the range")
      for option in ("--processes", "--max-renders") for value in ("0", "-1", "9" * 30)],
    (["worker", "--cache", ""], "the path is empty"),
    (["worker", "--cache", LONG_NAME], "is too long for a path"),
    (["worker", "--cache", NUL], "holds a NUL character"),
    (["worker", "--cache", "{file}"], "is a file"),
    (["worker", "--cache", "{file}/cache"], "is a file, so"),
    *[(["worker", "--name", value], "is not a worker name") for value in ("", "a b", "中文", LONG_NAME, NUL, "x\ny")],
    (["draft", "", "--class", "car-x"], "the path is empty"),
    (["draft", LONG_NAME, "--class", "car-x"], "is too long for a path"),
    (["draft", NUL, "--class", "car-x"], "holds a NUL character"),
    (["draft", ABSENT, "--class", "car-x"], "no such file"),
    (["draft", "{folder}", "--class", "car-x"], "is a directory"),
    (["draft", "{folder}/new.md", "--class", "car-x"], "not an article of this project"),
    (["draft", "{link}", "--class", "car-x"], "not an article of this project"),
    *[(["draft", "seeds/articles/demo.md", "--class", value], "is not a class id")
      for value in ("", "CAR X", "中文", LONG_TEXT, NUL)],
    (["draft", "seeds/articles/demo.md", "--class", "car-x", "-o", ""], "the path is empty"),
    (["draft", "seeds/articles/demo.md", "--class", "car-x", "-o", LONG_NAME], "is too long for a path"),
    (["draft", "seeds/articles/demo.md", "--class", "car-x", "-o", "{folder}"], "is a directory"),
    (["draft", "seeds/articles/demo.md", "--class", "car-x", "-o", "{file}/draft.yaml"], "is a file, so"),
]


def case_id(case) -> str:
    args, _ = case
    return " ".join(arg if len(arg) < 20 else f"{arg[:8]}…({len(arg)})" for arg in args).replace("\x00", "\\0").replace("\n", "\\n")


@pytest.mark.parametrize("case", IMPOSSIBLE, ids=map(case_id, IMPOSSIBLE))
def test_every_impossible_value_of_an_option_is_refused_in_one_line(case, tmp_path: Path):
    arguments, said = case
    project = write_project(tmp_path / "project")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "new.md").write_text("---\ntitle: 新的文章\ndate: 2025-05-01\n---\n\n一项研究报告了 20 名患者的结果。\n",
                                    encoding="utf-8")
    (outside / "a-file").write_text("")
    places = {"p": project, "file": outside / "a-file", "folder": outside, "link": project / "seeds/articles/link.md"}
    if "{link}" in arguments:
        places["link"].symlink_to(outside / "new.md")
    arguments = [argument.format(**places) for argument in arguments]
    if arguments[0] != "--project":
        arguments = ["--project", str(project), *arguments]

    result = reports(*arguments)  # in this process: an exception would fail the test with its traceback
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    if result.returncode == 2:  # a usage error: click's usage lines, then the one line
        message = lines[-1]
        assert message.startswith("Error: ") and lines[-2:-1] == [""], result.stderr
    else:  # refused by the library: the one problem, then the count
        assert lines[1:] == ["1 problem found; nothing was written."], result.stderr
        message = lines[0]
    assert said in message, message
    assert len(message) < 1000, message  # a very long value is cut where it is quoted
    assert not (project / "build").exists()
    assert {path.name for path in (project / "seeds/articles").iterdir()} <= {"demo.md", "link.md"}


@pytest.mark.parametrize("epoch, said", [
    ("-62135596800", "the date 0001-01-01 from SOURCE_DATE_EPOCH is out of range"),
    ("253402214400", "the date 9999-12-31 from SOURCE_DATE_EPOCH is out of range"),
    ("9" * 30, "is not a Unix time in seconds"), ("soon", "is not a Unix time in seconds")])
@pytest.mark.parametrize("command", ["build", "weekly", "batch"])
def test_an_impossible_source_date_epoch_is_refused_in_one_line(project: Path, command: str, epoch: str, said: str):
    result = reports("--project", str(project), command, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 1
    assert said in result.stderr and result.stderr.endswith("\n1 problem found; nothing was written.\n")
    assert not (project / "build").exists()


@pytest.mark.render
def test_build_writes_the_pdf_and_html_where_asked_and_clears_what_a_killed_build_left(project: Path, tmp_path: Path):
    out = tmp_path / "elsewhere" / "demo.pdf"
    out.parent.mkdir()
    left = killed_midway(out)  # a build of demo.pdf killed while it wrote the PDF
    other, writing = begin_write(out)  # another build, writing it now
    try:
        result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build",
                                 "-o", str(out), "--html", "--date", "2026-12-01"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert not left.exists() and writing.exists()  # the killed build's temporary only
    finally:
        end(other)
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


def test_an_unwritable_output_is_a_clear_error_before_anything_is_rendered(project: Path, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build",
                             "-o", str(blocker / "briefing.pdf")], capture_output=True, text=True)
    assert result.returncode == 2  # a usage error, found while reading the options: no render (this test is pure)
    assert f"{blocker} is a file, so {blocker / 'briefing.pdf'} cannot be written inside it" in result.stderr
    assert "Traceback" not in result.stderr


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


@pytest.mark.parametrize("command", ["serve", "preview"])
def test_a_port_in_use_is_one_line_before_anything_is_loaded(tmp_path: Path, command: str):
    """uvicorn's own answer was a log line and exit status 3, after the seeds were read."""
    import socket

    project = write_project(tmp_path / "project")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = reports("--project", str(project), command, "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (f"reports: cannot listen on 127.0.0.1:{port}: Address already in use; "
                                             "another server listens there; stop it or choose another port with --port")
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr
