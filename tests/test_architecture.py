"""The house: the layers in reports/ import only downward, with no cycle (pyproject.toml's
import-linter contracts, drawn in docs/architecture.md), and a step out of line is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    assert LINT_IMPORTS.exists(), "lint-imports missing: the test command installs import-linter (the test extra)"
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=package_parent, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(package_parent)})


def test_every_layer_imports_only_downward_and_nothing_imports_in_a_circle():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_cover_every_module():
    """A new module lands in a layer: nothing but the package's own files stands outside the six rooms."""
    top_level = sorted(path.name for path in (ROOT / "reports").iterdir()
                       if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()))
    assert top_level == ["__init__.py", "__main__.py", "cli.py", "content", "curate", "doctor.py", "documents",
                         "errors.py", "files.py", "names.py", "render", "run", "text"]


@pytest.mark.parametrize("module, upward, broken", [
    ("content/model.py", "from reports.render import html", "Layers: each imports only from the layers below it"),
    ("text/normal.py", "from reports.content import model", "Layers: each imports only from the layers below it"),
    ("documents/handout.py", "from reports.documents import weekly", "Documents: each document on the common base"),
    ("content/sources.py", "from reports.content import project", "No import cycles"),
])
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward, broken):
    """The contract is not a formality: the same step out of line, hidden inside a function, fails it."""
    copy = tmp_path / "reports"
    shutil.copytree(ROOT / "reports", copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _stray():\n    {upward}\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout
    assert "BROKEN" in result.stdout
