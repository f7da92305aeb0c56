"""Hostile seeds are refused at their path, fast, with nothing written and nothing of them echoed.

Each attack is run through the CLI (`check`, and `build` where a briefing would print the file):
exit status 1, the problem as `path:line:column: what is wrong; how to fix it`, no traceback, no
PDF, and a secret planted in the hostile or outside file never appears in the output (the same
problems reach the HTTP service's JSON). The timeouts are generous guards against the attacks
that used to run for minutes, not speed measurements (those belong to the benchmarks).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.projects import ARTICLE, EVIDENCE, INDEX, write_project
from weasyprint.urls import URLFetchingError

from reports.content.project import Project, input_files
from reports.content.sources import parse_yaml
from reports.errors import Problems, ReportError
from reports.run.jobs import catalog

SECRET = "HOSTILE-SECRET-7f3a"
LINK_OUT = "this symbolic link points outside the project; copy the file into the project in its place " \
           "(only the project's own files are read)"
FOLDER_OUT = "this symbolic link points to a folder outside the project; copy the folder into the project in " \
             "its place (only the project's own files are read)"
ANCHORS = "YAML anchors and aliases (&name, *name) are not allowed in seed files; write the value out in full"
EVIDENCE_SHAPE = "an evidence table must be a mapping with class:, overview: and studies: (or landscape:)"
INDEX_SHAPE = "the article index must be a mapping with articles: (a list of entries, each with file: and outlet:)"
SETTINGS_SHAPE = "project settings must be a mapping of keys to values (title: ..., timezone: ...)"


def reports(project: Path, *args: str, real: bool = False) -> subprocess.CompletedProcess:
    """``reports --project PROJECT ARGS`` in this process; ``real``: as a process given 20 s, for the
    inputs whose danger is time (an alias bomb, deep nesting, a pipe that never ends)."""
    return run_reports("--project", str(project), *args, real=real, timeout=20)


def assert_refused(project: Path, expected: str, commands: tuple[str, ...] = ("check", "build"),
                   real: bool = False) -> None:
    """Each command fails with ``expected`` as one of its lines, echoes no secret and writes no PDF."""
    for command in commands:
        result = reports(project, command, real=real)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert expected in result.stderr.splitlines(), (command, result.stderr)
        assert result.stderr.rstrip().endswith("nothing was written."), result.stderr
        assert "Traceback" not in result.stderr
        assert SECRET not in result.stdout + result.stderr
    assert list(project.rglob("*.pdf")) == []


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, holding what no project file may lead to."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text(f"{SECRET}: {SECRET}\n", encoding="utf-8")
    (folder / "secret.md").write_text(ARTICLE.replace("研究团队", SECRET), encoding="utf-8")
    (folder / "secret.html").write_text(f"<p>{SECRET}</p>\n", encoding="utf-8")
    (folder / "secret.css").write_text(f'body::before {{ content: "{SECRET}"; }}\n', encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------------------------
# 1. Symbolic links out of the project


EXTRA_ENTRY = "  - file: x.md\n    outlet: 示例新闻网\n"


@pytest.mark.render
@pytest.mark.parametrize("link, target, files", [
    pytest.param("seeds/articles/x.md", "secret.md", {"seeds/articles.yaml": INDEX + EXTRA_ENTRY}, id="article"),
    pytest.param("seeds/articles/x.md", "/etc/passwd", {"seeds/articles.yaml": INDEX + EXTRA_ENTRY}, id="etc-passwd"),
    pytest.param("seeds/evidence/car-y.yaml", "secret.yaml", {}, id="evidence-table"),
    pytest.param("seeds/articles.yaml", "secret.yaml", {"seeds/articles.yaml": None}, id="article-index"),
    pytest.param("seeds/project.yaml", "secret.yaml", {}, id="project-settings"),
    pytest.param("templates/partials/cover.html", "secret.html", {}, id="template"),
    pytest.param("styles/briefing.css", "secret.css", {}, id="stylesheet"),
])
def test_a_file_linked_from_outside_the_project_is_refused_at_the_link(
        tmp_path: Path, outside: Path, link: str, target: str, files: dict):
    project = write_project(tmp_path / "project", files)
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(outside / target)
    assert_refused(project, f"{link}:1:1: {LINK_OUT}")


@pytest.mark.render
def test_a_folder_linked_from_outside_is_refused_once_at_the_link(tmp_path: Path, outside: Path):
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": None})  # no seeds/articles/ now
    (outside / "demo.md").write_text(ARTICLE.replace("研究团队", SECRET), encoding="utf-8")
    (project / "seeds" / "articles").symlink_to(outside)
    assert_refused(project, f"seeds/articles: {FOLDER_OUT}")
    result = reports(project, "check")
    assert result.stderr.count(FOLDER_OUT) == 1


@pytest.mark.render
def test_a_link_loop_is_refused_without_a_traceback(project: Path):
    (project / "seeds/evidence/car-y.yaml").symlink_to("car-z.yaml")
    (project / "seeds/evidence/car-z.yaml").symlink_to("car-y.yaml")
    assert_refused(project, "seeds/evidence/car-y.yaml:1:1: this symbolic link goes round in a loop; "
                            "put the file itself in its place")


def test_a_link_that_stays_inside_the_project_is_read_like_the_file(tmp_path: Path):
    plain = write_project(tmp_path / "plain")
    linked = write_project(tmp_path / "linked")
    (linked / "seeds/articles/demo.md").rename(linked / "demo-source.md")
    (linked / "seeds/articles/demo.md").symlink_to("../../demo-source.md")
    (linked / "shared").mkdir()
    (linked / "seeds/evidence/car-x.yaml").rename(linked / "shared/car-x.yaml")
    (linked / "seeds/evidence").rmdir()
    (linked / "seeds/evidence").symlink_to("../shared")
    expected, result = reports(plain, "check"), reports(linked, "check")
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)


def test_hashing_the_inputs_reads_no_file_outside_the_project(tmp_path: Path, outside: Path):
    """The up-to-date check hashes the inputs before anything is validated: it must not open them."""
    project = write_project(tmp_path / "project")
    (project / "seeds/evidence/car-y.yaml").symlink_to(outside / "secret.yaml")
    (project / "templates").mkdir()
    (project / "templates/cover.html").symlink_to(outside / "secret.html")
    read = []

    def hash_of(path: Path) -> str:
        read.append(path.resolve())
        return "hash"

    files = input_files(Project.at(project), hash_of)
    assert "seeds/evidence/car-y.yaml" in files and "templates/cover.html" in files
    assert files["seeds/evidence/car-y.yaml"] != "hash"
    assert not any(path.is_relative_to(outside) for path in read)


def test_the_fetcher_follows_links_before_it_allows_a_file(project: Path, outside: Path):
    from reports.render.pdf import ProjectURLFetcher

    fetcher = ProjectURLFetcher([project / "seeds", project / "styles"])
    (project / "styles").mkdir()
    (project / "styles/out.css").symlink_to(outside / "secret.css")
    (project / "styles/in.css").symlink_to(project / "seeds/articles.yaml")
    with pytest.raises(URLFetchingError):
        fetcher.fetch((project / "styles/out.css").as_uri())
    assert fetcher.refused == [(project / "styles/out.css").as_uri()]
    assert b"demo.md" in fetcher.fetch((project / "styles/in.css").as_uri()).read()
    assert not fetcher.allows(f"file://{project}/seeds/a%00b")  # a NUL byte: refused, not a crash


def test_the_services_problems_carry_no_content_of_a_linked_file(tmp_path: Path, outside: Path):
    project = write_project(tmp_path / "project")
    (project / "seeds/evidence/car-y.yaml").symlink_to(outside / "secret.yaml")
    with pytest.raises(ReportError) as raised:
        catalog(project)
    assert SECRET not in str(raised.value)
    assert str(outside) not in str(raised.value)  # nor where the link points


# ---------------------------------------------------------------------------------------------
# 2. YAML anchors, aliases and merge keys; nesting


def alias_bomb() -> str:
    """About 300 bytes of nested aliases that stand for 9^9 (387 million) values."""
    lines = [f"a: &a [{SECRET}, x, x, x, x, x, x, x, x]"]
    for before, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.render
@pytest.mark.parametrize("relative, text, line", [
    pytest.param("seeds/evidence/car-x.yaml", alias_bomb(), 1, id="evidence-table"),
    pytest.param("seeds/articles.yaml", alias_bomb(), 1, id="article-index"),
    pytest.param("seeds/project.yaml", alias_bomb(), 1, id="project-settings"),
    pytest.param("seeds/articles/demo.md", "---\n" + alias_bomb() + "---\n\n正文。\n", 2, id="front-matter"),
])
def test_an_alias_bomb_is_refused_at_its_first_anchor_without_expanding_it(
        tmp_path: Path, relative: str, text: str, line: int):
    project = write_project(tmp_path / "project", {relative: text})
    assert_refused(project, f"{relative}:{line}:4: {ANCHORS}", real=True)


def test_an_alias_alone_is_refused_at_the_anchor_it_uses(tmp_path: Path):
    text = EVIDENCE.replace("    targets: [CD19]", "    targets: &t [CD19]\n    other: *t")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    assert_refused(project, f"seeds/evidence/car-x.yaml:{text.split(chr(10)).index('    targets: &t [CD19]') + 1}:14: "
                            f"{ANCHORS}", ("check",))


def test_a_merge_key_is_refused_even_without_an_alias(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/project.yaml": "title: 标题\n<<: {subtitle: 副标题}\n"})
    assert_refused(project, "seeds/project.yaml:2:1: YAML merge keys (<<:) are not allowed in seed files; "
                            "write the keys out in full", ("check",))


def test_nesting_beyond_any_seed_file_is_refused_without_a_traceback(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"})
    assert_refused(project, "seeds/evidence/car-x.yaml:1:43: nested more than 40 levels deep; seed files need far "
                            "fewer: check the brackets and the indentation", ("check",), real=True)


def test_an_unknown_yaml_tag_is_refused_at_its_value(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/project.yaml": "title: !!python/object:os.system x\n"})
    assert_refused(project, "seeds/project.yaml:1:8: cannot read this value (could not determine a constructor "
                            "for the tag 'tag:yaml.org,2002:python/object:os.system'); write it plainly, "
                            "without a YAML tag", ("check",))


def test_the_shipped_seeds_use_no_anchors_aliases_or_merge_keys():
    root = Path(__file__).resolve().parents[2]
    for path in [*root.glob("seeds/*.yaml"), *root.glob("seeds/evidence/*.yaml")]:
        problems = Problems(root)
        assert parse_yaml(path.read_text(encoding="utf-8"), path, problems) is not None, problems.errors


# ---------------------------------------------------------------------------------------------
# 3. Size limits, checked with stat before reading


@pytest.mark.render
def test_an_article_over_the_limit_is_refused_unread(tmp_path: Path):
    project = write_project(tmp_path / "project")
    with (project / "seeds/articles/demo.md").open("r+b") as article:
        article.truncate(5_000_000_000)  # sparse: reading it would take long and fill the memory
    assert_refused(project, "seeds/articles/demo.md:1:1: the file is 5,000,000,000 bytes, more than the 1,000,000 "
                            "bytes allowed for an article; split or shorten it, or raise max_article_bytes in "
                            "seeds/project.yaml")


def test_the_article_limit_is_a_project_setting(tmp_path: Path):
    article = ARTICLE + "补充说明。" * 60_000 + "\n"  # 900,000 bytes more
    size = len(article.encode())
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": article,
                                                   "seeds/project.yaml": "max_article_bytes: 500000\n"})
    assert_refused(project, f"seeds/articles/demo.md:1:1: the file is {size:,} bytes, more than the 500,000 bytes "
                            "allowed for an article; split or shorten it, or raise max_article_bytes in "
                            "seeds/project.yaml", ("check",))
    write_project(project, {"seeds/project.yaml": "max_article_bytes: 2000000\n"})
    assert "bytes allowed for an article" not in reports(project, "check").stderr


@pytest.mark.parametrize("relative, what", [
    pytest.param("seeds/evidence/car-x.yaml", "an evidence table", id="evidence-table"),
    pytest.param("seeds/articles.yaml", "the article index", id="article-index"),
])
def test_a_yaml_seed_over_the_limit_is_refused_unread(tmp_path: Path, relative: str, what: str):
    project = write_project(tmp_path / "project", {"seeds/project.yaml": "max_yaml_bytes: 50\n"})
    size = (project / relative).stat().st_size
    assert_refused(project, f"{relative}:1:1: the file is {size:,} bytes, more than the 50 bytes allowed for "
                            f"{what}; split or shorten it, or raise max_yaml_bytes in seeds/project.yaml", ("check",))


def test_the_default_limit_for_an_evidence_table(tmp_path: Path):
    project = write_project(tmp_path / "project")
    with (project / "seeds/evidence/car-x.yaml").open("r+b") as table:
        table.truncate(2_000_001)
    assert_refused(project, "seeds/evidence/car-x.yaml:1:1: the file is 2,000,001 bytes, more than the 2,000,000 "
                            "bytes allowed for an evidence table; split or shorten it, or raise max_yaml_bytes in "
                            "seeds/project.yaml", ("check",))


def test_the_project_settings_have_a_fixed_bound(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/project.yaml": f"# {SECRET}\n" + "#\n" * 60_000})
    size = (project / "seeds/project.yaml").stat().st_size
    assert_refused(project, f"seeds/project.yaml:1:1: the file is {size:,} bytes, more than the 100,000 bytes "
                            "allowed for the project settings; shorten it", ("check",))


def test_a_limit_must_be_a_positive_number_of_bytes(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/project.yaml": "max_article_bytes: 0\n"})
    assert_refused(project, "seeds/project.yaml:1:20: max_article_bytes: 'max_article_bytes' is 0: input should be "
                            "greater than or equal to 1", ("check",))


def test_no_limit_can_be_set_above_what_the_input_hashing_reads():
    from pydantic import ValidationError

    from reports.content.model import ProjectSettings
    from reports.content.project import HASHED_BYTES

    for name in ("max_article_bytes", "max_yaml_bytes"):
        ProjectSettings(**{name: HASHED_BYTES})
        with pytest.raises(ValidationError):
            ProjectSettings(**{name: HASHED_BYTES + 1})


def test_a_pipe_in_place_of_a_seed_file_is_refused_without_blocking(tmp_path: Path):
    project = write_project(tmp_path / "project")
    os.mkfifo(project / "seeds/evidence/car-y.yaml")
    assert_refused(project, "seeds/evidence/car-y.yaml: not a regular file (a folder, pipe or device); "
                            "replace it with an ordinary file", ("check",), real=True)


# ---------------------------------------------------------------------------------------------
# 4. Empty articles and control characters


@pytest.mark.parametrize("text", [
    pytest.param("", id="zero-bytes"),
    pytest.param(" \n\n\t \n", id="whitespace"),
    pytest.param(ARTICLE[:ARTICLE.index("---\n\n") + 4] + "\n  \n", id="front-matter-only"),
])
def test_an_article_without_text_is_refused(tmp_path: Path, text: str):
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": text})
    assert_refused(project, "seeds/articles/demo.md:1:1: article 'demo' has no text; put the article's text in the "
                            "file (after its front matter), or remove the file and its entry in the index", ("check",))


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\ufffe"],
                         ids=["NUL", "ESC", "DEL", "NEL", "CSI", "U+FFFE"])
@pytest.mark.parametrize("relative, text, needle", [
    pytest.param("seeds/articles/demo.md", ARTICLE, "研究团队", id="article"),
    pytest.param("seeds/evidence/car-x.yaml", EVIDENCE, "示例机制", id="evidence-table"),
    pytest.param("seeds/articles.yaml", INDEX, "示例新闻网", id="article-index"),
])
def test_a_control_character_is_refused_at_its_place_by_its_code_point(
        tmp_path: Path, character: str, relative: str, text: str, needle: str):
    hostile = text.replace(needle, needle[:2] + character + SECRET + needle[2:])
    project = write_project(tmp_path / "project", {relative: hostile})
    lines = hostile.split("\n")
    line = next(number for number, content in enumerate(lines, 1) if character in content)
    column = lines[line - 1].index(character) + 1
    assert_refused(project, f"{relative}:{line}:{column}: control character U+{ord(character):04X} is not allowed in "
                            "a seed file; delete it (it is invisible in most editors; it comes with text copied "
                            "from a PDF or a binary file)", ("check",))


def test_tabs_and_line_ends_are_not_control_characters_here(tmp_path: Path):
    plain = write_project(tmp_path / "plain")
    tabbed = write_project(tmp_path / "tabbed", {
        "seeds/articles/demo.md": ARTICLE.replace("研究团队", "研究\t团队").replace("\n", "\r\n").encode(),
    })
    expected, result = reports(plain, "check"), reports(tabbed, "check")
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)


# ---------------------------------------------------------------------------------------------
# 5. A top level of the wrong shape, and inputs shown short


@pytest.mark.parametrize("relative, shape", [
    pytest.param("seeds/evidence/car-x.yaml", EVIDENCE_SHAPE, id="evidence-table"),
    pytest.param("seeds/articles.yaml", INDEX_SHAPE, id="article-index"),
    pytest.param("seeds/project.yaml", SETTINGS_SHAPE, id="project-settings"),
])
@pytest.mark.parametrize("text, holds", [
    pytest.param(f"- {SECRET}\n- {{class: x}}\n", "this file holds a list", id="list"),
    pytest.param(f"{SECRET} as a single line\n", "this file holds a single text", id="text"),
    pytest.param("42\n", "this file holds a number", id="number"),
])
def test_a_top_level_of_the_wrong_shape_is_named_not_echoed(
        tmp_path: Path, relative: str, shape: str, text: str, holds: str):
    project = write_project(tmp_path / "project", {relative: text})
    assert_refused(project, f"{relative}:1:1: {shape}; {holds}", ("check",))


@pytest.mark.parametrize("relative, shape", [
    pytest.param("seeds/evidence/car-x.yaml", EVIDENCE_SHAPE, id="evidence-table"),
    pytest.param("seeds/articles.yaml", INDEX_SHAPE, id="article-index"),
])
def test_an_empty_yaml_seed_is_named_empty(tmp_path: Path, relative: str, shape: str):
    project = write_project(tmp_path / "project", {relative: "# nothing yet\n"})
    assert_refused(project, f"{relative}:1:1: {shape}; this file is empty", ("check",))


def test_empty_project_settings_are_the_defaults(tmp_path: Path):
    plain = write_project(tmp_path / "plain")
    empty = write_project(tmp_path / "empty", {"seeds/project.yaml": "# defaults\n"})
    expected, result = reports(plain, "check"), reports(empty, "check")
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, expected.stderr)


def test_a_long_value_is_shown_cut_short_and_a_mapping_not_at_all(tmp_path: Path):
    long_phase = "phase-" + "x" * 40 + SECRET * 1000
    text = (EVIDENCE.replace("phase: phase-1", f"phase: {long_phase}")
            .replace("  name_en: CAR-X cell therapy", f"  name_en: {{a: {SECRET}}}"))
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    lines = result.stderr.splitlines()
    assert "seeds/evidence/car-x.yaml:4:12: class.name_en: 'name_en': input should be a valid string " \
           "(got a mapping)" in lines
    phase_line = text.split("\n").index(f"    phase: {long_phase}") + 1
    assert any(line.startswith(f"seeds/evidence/car-x.yaml:{phase_line}:12: studies.0.phase: "
                               f"'{long_phase[:39]}…' is not allowed for 'phase'; input should be ")
               for line in lines), result.stderr
    assert SECRET not in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# 6. A class id that does not match the file name


def test_a_file_name_that_is_not_an_id_is_not_suggested_as_one(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": None,
                                                   "seeds/evidence/Car_T.yaml": EVIDENCE})
    assert_refused(project, "seeds/evidence/Car_T.yaml:2:7: class id 'car-x' does not match the file name; "
                            "rename the file to car-x.yaml", ("check",))


def test_a_file_name_that_is_an_id_is_suggested(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": None,
                                                   "seeds/evidence/car-y.yaml": EVIDENCE})
    assert_refused(project, "seeds/evidence/car-y.yaml:2:7: class id 'car-x' does not match the file name; "
                            "rename the file to car-x.yaml or set id: car-y", ("check",))
