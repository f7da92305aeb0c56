"""The documentation: the site builds with --strict (no broken page, link or anchor), its generated
parts are generated, the README stays short and leads to pages that exist, and the command
reference names every command and option the CLI has."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify_unicode

from reports.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HOOK = DOCS / "hooks" / "schema.py"
README_MOST_LINES = 160


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
                           "--site-dir", str(site)], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("docs") / "site"
    built = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert built.returncode == 0, built.stdout + built.stderr
    return site


def test_the_site_builds_with_strict(site: Path):
    for page in DOCS.glob("*.md"):
        name = "" if page.stem == "index" else page.stem
        assert (site / name / "index.html").is_file(), f"{page.name} was not built"


def test_the_schema_and_the_units_are_generated_into_the_pages(site: Path):
    project = (site / "project" / "index.html").read_text(encoding="utf-8")
    assert "&lt;!-- schema:" not in project and "<!-- schema:" not in project
    for key in ("max_article_bytes", "quoted_as", "title_supplied", "abbr"):  # a key of each seed file
        assert f"<code>{key}</code>" in project, key
    assert 'id="schema-study"' in project
    deployment = (site / "deployment" / "index.html").read_text(encoding="utf-8")
    assert "include:" not in deployment
    assert "OnCalendar=Mon *-*-* 08:00:00 Asia/Shanghai" in deployment
    assert deployment.count("ExecStart=") == len(list((ROOT / "contrib" / "systemd").glob("*.service")))


def test_an_unknown_model_fails_the_build(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n\n<!-- schema: NoSuchModel -->\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: x\nhooks:\n  - {HOOK}\n", encoding="utf-8")
    built = mkdocs_build(config, tmp_path / "site")
    assert built.returncode != 0
    assert "index.md: <!-- schema: NoSuchModel -->: no pydantic model NoSuchModel" in built.stderr


def load_hook():
    spec = importlib.util.spec_from_file_location("docs_schema_hook", HOOK)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


@pytest.mark.parametrize("path", ["contrib/systemd/no-such.service", "../etc/passwd", "contrib/systemd"])
def test_an_include_outside_the_repository_or_missing_fails(path: str):
    hook = load_hook()
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match="no such file in the repository"):
        hook.expand(f"# x\n\n<!-- include: {path} -->\n")


def test_an_include_is_the_file_in_a_code_block():
    hook = load_hook()
    unit = ROOT / "contrib" / "systemd" / "reports-weekly.timer"
    page = hook.expand("<!-- include: contrib/systemd/reports-weekly.timer -->\n")
    assert page.startswith("`contrib/systemd/reports-weekly.timer`:\n\n```ini\n")
    assert unit.read_text(encoding="utf-8").rstrip() in page


def test_every_systemd_unit_is_in_the_docs():
    pages = "\n".join(page.read_text(encoding="utf-8") for page in DOCS.glob("*.md"))
    units = sorted((ROOT / "contrib" / "systemd").iterdir())
    assert units
    for unit in units:
        assert f"<!-- include: contrib/systemd/{unit.name} -->" in pages, f"{unit.name} is in no page of docs/"


def heading_ids(page: Path) -> set[str]:
    ids = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#{1,6} (.*?)(?: \{#([\w-]+)\})?$", line)
        if heading:
            ids.add(heading.group(2) or slugify_unicode(heading.group(1).replace("`", ""), "-"))
    return ids


def test_the_readme_is_short_and_links_only_to_docs_pages_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MOST_LINES, "the README is the front door; move the detail to docs/"
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert links
    for link in links:
        if re.match(r"[a-z]+://", link):
            continue
        target, _, anchor = link.partition("#")
        assert target.startswith("docs/") and target.endswith(".md"), f"README links to {link}, not a page of docs/"
        assert (ROOT / target).is_file(), f"README links to {target}, which does not exist"
        if anchor:
            assert anchor in heading_ids(ROOT / target), f"README links to {link}: no such heading"


def command_sections() -> dict[str, str]:
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    parts = re.split(r"^## `reports ([\w-]+)`$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def documented_options(command) -> list[str]:
    return [max(parameter.opts, key=len) for parameter in command.params
            if parameter.param_type_name == "option" and parameter.name != "help" and not parameter.hidden]


def test_the_command_reference_has_every_command_and_option():
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    for option in documented_options(cli):
        assert f"`{option}" in text or f"[{option}" in text, f"reports {option} is not documented"
    sections = command_sections()
    assert sorted(sections) == sorted(cli.commands), "docs/commands.md: one section per command"
    for name, command in cli.commands.items():
        section = sections[name]
        examples = "".join(re.findall(r"```sh\n(.*?)```", section, flags=re.S))
        assert re.search(rf"reports (--project \S+ )?{name}\b", examples), f"reports {name}: no example"
        for option in documented_options(command):
            assert f"`{option}" in section or f", {option}" in section, f"reports {name} {option} is not documented"
