"""The package as a wheel, installed elsewhere: it carries its templates and styles, builds a briefing
far from the repository, and with the base install alone, names the extra a command needs.

The wheel is built from a copy of the repository's files (setuptools writes build/ beside its
sources) without network (--no-build-isolation: the test environment's setuptools) and installed
into a fresh virtual environment in a temporary folder. That environment gets the base install's
dependencies, and nothing else, from the test environment: the distributions the wheel's own
metadata requires, resolved with their requirements and linked into one folder on its path. So
neither the repository (whose editable install the test environment holds) nor an extra
(FastAPI, uvicorn, Celery, Redis) is visible to it, and every process runs outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from helpers.pdf import pdftotext, run_tool
from helpers.projects import FIXED_DATE, ROOT, write_project
from packaging.requirements import Requirement

SOURCES = ("pyproject.toml", "README.md", "reports", "templates", "styles")
# What the extras bring that the base install must not: the service, the workers, their broker.
EXTRA_MODULES = ("fastapi", "fastapi_offline", "starlette", "uvicorn", "pebble", "cachetools", "celery", "kombu",
                 "redis")


def clean_environment(home: Path) -> dict[str, str]:
    """The caller's environment without what would point Python back at the repository (PYTHONPATH
    and the tests' sitecustomize on it) or change what reports does (REPORTS_*)."""
    return {**{name: value for name, value in os.environ.items()
               if not name.startswith(("PYTHON", "REPORTS_", "VIRTUAL_ENV", "SOURCE_DATE_EPOCH"))},
            "HOME": str(home)}


def base_distributions(wheel: Path) -> set[str]:
    """Every distribution the base install needs: the wheel's Requires-Dist without an extra, and
    theirs, as they are installed in the test environment."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        wanted = [Requirement(line.split(":", 1)[1].strip())
                  for line in archive.read(name).decode("utf-8").splitlines() if line.startswith("Requires-Dist:")]
    found: set[str] = set()
    queue = [(requirement, "") for requirement in wanted]
    while queue:
        requirement, extra = queue.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        distribution = metadata.distribution(requirement.name)
        key = distribution.metadata["Name"].lower().replace("_", "-")
        for asked in requirement.extras or {""}:
            if (key, asked) in found:
                continue
            found.add((key, asked))
            queue += [(Requirement(line), asked) for line in distribution.requires or []]
    return {key for key, _ in found}


def link_distributions(names: set[str], folder: Path) -> None:
    """A folder with a link to every top-level module, package and metadata folder of these distributions."""
    folder.mkdir()
    for name in names:
        distribution = metadata.distribution(name)
        assert distribution.files is not None, f"{name} is installed without a RECORD: cannot tell its files"
        site = Path(distribution.locate_file(""))
        for top in {Path(file).parts[0] for file in distribution.files} - {"..", "__pycache__"}:
            if not (folder / top).exists() and (site / top).exists():
                (folder / top).symlink_to(site / top)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel, and a fresh virtual environment with it and the base install's dependencies only."""
    work = tmp_path_factory.mktemp("wheel")
    env = clean_environment(work / "home")
    (work / "home").mkdir()
    source = work / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "--wheel-dir", str(work / "dist"), str(source)],
                   check=True, env=env, cwd=work, capture_output=True)
    wheel = next((work / "dist").glob("reports-*.whl"))

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=env, cwd=work)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", "--disable-pip-version-check", str(wheel)], check=True, env=env, cwd=work,
                   capture_output=True)
    link_distributions(base_distributions(wheel), work / "base")
    site_packages = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site_packages / "base-dependencies.pth").write_text(f"{work / 'base'}\n", encoding="utf-8")
    return {"wheel": wheel, "venv": venv, "python": python, "reports": venv / "bin" / "reports", "env": env,
            "work": work}


def run(installed: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """A program of the fresh environment, in a folder outside the repository."""
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, env=installed["env"],
                          cwd=installed["work"], timeout=timeout, check=False)


def test_the_wheel_carries_every_module_template_and_style_of_the_repository(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    package = {path.relative_to(ROOT).as_posix() for path in (ROOT / "reports").rglob("*")
               if path.is_file() and path.suffix in (".py", ".yaml")}
    built_in = {f"reports/{path.relative_to(ROOT).as_posix()}" for folder in ("templates", "styles")
                for path in (ROOT / folder).rglob("*") if path.is_file()}
    assert "reports/templates/partials/cover.html" in built_in and "reports/styles/briefing.css" in built_in
    assert package - names == set(), "modules missing from the wheel: list their package in pyproject.toml"
    assert built_in - names == set(), "templates or styles missing from the wheel: pyproject.toml's package-data"


def test_the_installed_package_is_imported_from_the_fresh_environment_not_the_repository(installed):
    result = run(installed, installed["python"], "-c",
                 "import json, sys, reports\n"
                 "from reports.content.project import BUILTIN_ROOT\n"
                 "print(json.dumps([reports.__file__, str(BUILTIN_ROOT), sys.path]))")
    assert result.returncode == 0, result.stderr
    module, builtin_root, path = json.loads(result.stdout)
    assert Path(module).is_relative_to(installed["venv"])
    assert Path(builtin_root) == Path(module).parent  # templates/ and styles/ inside the installed package
    assert (Path(builtin_root) / "templates" / "partials" / "cover.html").is_file()
    # "" is the folder it runs in: outside the repository too
    assert not any((installed["work"] / entry).resolve().is_relative_to(ROOT) for entry in path), path


def test_the_base_install_is_without_the_extras_and_gives_help_and_checks_a_project(installed, tmp_path):
    found = run(installed, installed["python"], "-c", "import importlib.util, sys\n"
                "print([name for name in sys.argv[1:] if importlib.util.find_spec(name)])", *EXTRA_MODULES)
    assert found.stdout == "[]\n", found.stderr
    project = write_project(tmp_path / "project")
    assert run(installed, installed["reports"], "--help").returncode == 0
    result = run(installed, installed["reports"], "--project", project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 1 therapy class")


ZIPPED_PREVIEW = """\
import datetime as dt, json, sys
import reports
from reports.content.project import BUILTIN_ROOT
from reports.documents.briefing import BriefingOptions, preview_briefing

html = preview_briefing(sys.argv[1], BriefingOptions(build_date=dt.date(2026, 12, 1)))
print(json.dumps([reports.__file__, str(BUILTIN_ROOT), html, "weasyprint" in sys.modules]))
"""


def test_the_package_imported_from_a_zip_finds_its_templates_and_styles(installed, tmp_path):
    """The wheel itself on PYTHONPATH (zipimport): the built-in folders are read from the zip, copied
    out for Jinja and WeasyPrint, and removed when the process ends."""
    project = write_project(tmp_path / "project", {"templates/partials/cover.html": "<p>本项目自己的封面</p>\n"})
    result = subprocess.run([str(installed["python"]), "-c", ZIPPED_PREVIEW, str(project)], capture_output=True,
                            text=True, env={**installed["env"], "PYTHONPATH": str(installed["wheel"])},
                            cwd=installed["work"], timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    module, builtin_root, html, loaded_weasyprint = json.loads(result.stdout)
    assert Path(module).is_relative_to(installed["wheel"])
    assert not loaded_weasyprint  # the HTML only: a pure test
    assert "本项目自己的封\u2060面" in html  # the project's own partial first (with its last two characters tied)
    assert '<nav class="toc" id="toc">' in html and "@page" in html  # the built-in templates and stylesheet
    assert not Path(builtin_root).exists()


@pytest.mark.parametrize(("args", "extra", "command"), [
    (["serve"], "serve", "serve"),
    (["preview"], "serve", "preview"),
    (["worker", "--broker", "redis://127.0.0.1:1/0"], "celery", "worker"),
    (["batch", "--engine", "celery", "--broker", "redis://127.0.0.1:1/0"], "celery", "batch --engine celery"),
    (["schedule", "--broker", "redis://127.0.0.1:1/0"], "schedule", "schedule with a broker"),
])
def test_a_command_that_needs_an_extra_names_it_in_one_line(installed, tmp_path, args, extra, command):
    project = write_project(tmp_path / "project")
    result = run(installed, installed["reports"], "--project", project, *args, timeout=30)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"reports {command} needs the '{extra}' extra: pip install 'reports[{extra}]'\n"


@pytest.mark.render
def test_the_installed_wheel_builds_a_briefing_outside_the_repository(installed, tmp_path):
    """The built-in templates and stylesheet come from the installed package; a project's own
    partial still comes first."""
    cover = (ROOT / "templates" / "partials" / "cover.html").read_text(encoding="utf-8")
    project = write_project(tmp_path / "project", {
        "templates/partials/cover.html": cover.replace("</section>", "<p>本项目自己的封面</p>\n</section>", 1)})
    pdf = tmp_path / "out" / "briefing.pdf"
    result = run(installed, installed["reports"], "--project", project, "build", "-o", pdf, "--date", FIXED_DATE,
                 timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {pdf} (")
    text = pdftotext(pdf)
    assert "示例 I 期试验" in text and "本项目自己的封面" in text
    assert "第2页/共" in text.replace(" ", "")  # the built-in stylesheet's page footer
    fonts = run_tool("pdffonts", pdf).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every face embedded
    assert any("CJK-SC" in line.split()[0] for line in fonts), fonts  # the Chinese in Noto Sans CJK SC
