"""A project's own stylesheet mistakes and the resources its templates ask for are build warnings,
at the line and column that cause them; the PDF is still written, the exit status stays 0."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.projects import write_project

pytestmark = pytest.mark.render

ROOT = Path(__file__).resolve().parents[2]

STYLESHEET = """\
/* the project's own additions */
p { colr: red; }
h1 {
  color: navy;
  font-size: banana;
}
.a > > b { color: red; }
"""

REFERENCES = """\
  <img src="https://example.org/x.png">
  <img src="../../etc/passwd">
  <img src="missing.png">
"""


def reports(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``reports --project PROJECT ARGS`` in this process (tests/helpers/cli.py): the warnings a build
    prints are the command's, not the process's."""
    return run_reports("--project", str(project), *args)


def cover_with_references() -> str:
    cover = (ROOT / "templates/partials/cover.html").read_text(encoding="utf-8")
    return cover.replace("</section>", REFERENCES + "</section>")


@pytest.fixture
def styled(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project", {
        "styles/briefing.css": STYLESHEET,
        "templates/partials/cover.html": cover_with_references(),
    })


def cover_line(needle: str) -> int:
    return cover_with_references().split("\n").index(next(line for line in cover_with_references().split("\n")
                                                          if needle in line)) + 1


def expected_warnings() -> list[str]:
    fix = "WeasyPrint skipped it: correct it or remove it"
    outside = ("rendering reads only the project's seeds/, templates/ and styles/ (a link from there to elsewhere "
               "too); copy the file into templates/ or styles/ and refer to it by a relative path")
    return [
        f"styles/briefing.css:2:5: warning: Ignored `colr: red`, unknown property; {fix}",
        f"styles/briefing.css:5:3: warning: Ignored `font-size: banana`, invalid value; {fix}",
        f"styles/briefing.css:7:1: warning: Invalid or unsupported selector `.a > > b`; {fix}",
        f"templates/partials/cover.html:{cover_line('example.org')}:13: warning: refused to fetch "
        "https://example.org/x.png: rendering never uses the network; save the file in the project's templates/ "
        "or styles/ and refer to it by a relative path",
        f"templates/partials/cover.html:{cover_line('passwd')}:13: warning: refused to read ../../etc/passwd: "
        f"{outside}",
        f"templates/partials/cover.html:{cover_line('missing.png')}:13: warning: could not load missing.png "
        "(No such file or directory); check that the file is there",
    ]


def test_a_projects_stylesheet_and_template_problems_are_warnings_at_their_line(styled: Path, tmp_path: Path):
    output = tmp_path / "out/briefing.pdf"
    result = reports(styled, "build", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == expected_warnings()
    assert output.is_file() and output.read_bytes().startswith(b"%PDF")
    # No path of the server's: only what the project's files write.
    assert str(tmp_path) not in result.stderr and "/etc" not in result.stderr.replace("../../etc/passwd", "")


def test_the_up_to_date_build_prints_the_same_warnings_again(styled: Path, tmp_path: Path):
    output = tmp_path / "out/briefing.pdf"
    first = reports(styled, "build", "-o", str(output))
    again = reports(styled, "build", "-o", str(output))
    assert again.returncode == 0
    assert again.stdout.startswith("up to date: ")
    assert again.stderr == first.stderr != ""


def test_a_second_render_in_the_same_process_warns_again(styled: Path):
    """A stylesheet is parsed once per process (a service worker renders many times): its warnings are kept."""
    import datetime as dt

    from reports.documents.briefing import BriefingOptions, render_briefing

    options = BriefingOptions(build_date=dt.date(2026, 12, 1))
    first = [str(warning) for warning in render_briefing(styled, options).warnings]
    second = [str(warning) for warning in render_briefing(styled, options).warnings]
    assert first == second
    assert [line.replace(": warning:", ":") for line in expected_warnings()] == first


def test_an_address_no_template_writes_is_told_on_the_document_without_its_path(project: Path, tmp_path: Path):
    cover = (ROOT / "templates/partials/cover.html").read_text(encoding="utf-8")
    write_project(project, {"templates/partials/cover.html": cover.replace(
        "</section>", "<img src=\"{{ '../../' ~ 'etc/passwd' }}\"></section>")})
    result = reports(project, "build", "-o", str(tmp_path / "out.pdf"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "templates/briefing.html: warning: refused to read a file outside the project: rendering reads only the "
        "project's seeds/, templates/ and styles/ (a link from there to elsewhere too); copy the file into "
        "templates/ or styles/ and refer to it by a relative path\n")


def test_a_clean_project_prints_no_warning(project: Path, tmp_path: Path):
    write_project(project, {"styles/briefing.css": "p { color: #222; }\n"})
    result = reports(project, "build", "-o", str(tmp_path / "out.pdf"))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


def test_the_shipped_seeds_build_without_any_warning(seed_briefing: Path):
    """The session's seed briefing, built with these options: the command finds it up to date and
    prints the warnings its build recorded (none), as an up-to-date build does."""
    result = reports(ROOT, "build", "-o", str(seed_briefing), "--date", "2026-12-01", "--html")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"up to date: {seed_briefing}")
    assert result.stderr == ""


def test_a_byte_order_mark_does_not_move_the_columns(project: Path):
    import datetime as dt

    from reports.documents.briefing import BriefingOptions, render_briefing

    (project / "styles").mkdir()
    (project / "styles/briefing.css").write_bytes("\ufeffp { colr: red; }\n".encode("utf-8"))
    warnings = render_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1))).warnings
    assert [str(warning.location) for warning in warnings] == ["styles/briefing.css:1:5"]
