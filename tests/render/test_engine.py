"""WeasyPrint as reports runs it (reports/render/engine.py): the same PDFs, without the costs it ships with."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from helpers.pdf import pdftotext, run_tool
from helpers.projects import ROOT, write_project

from reports.documents.briefing import BriefingOptions, render_briefing
from reports.render import engine
from reports.render.pdf import parsed_stylesheet

pytestmark = pytest.mark.render

# Bold and regular, simplified and traditional: four faces of two Noto CJK collections (19-27 MB each).
PAGE = """<html lang="zh-Hans"><head><style>
  body { font-family: "Noto Sans CJK SC"; } strong { font-weight: bold; } [lang=zh-Hant] { font-family: "Noto Sans CJK TC"; }
</style></head><body><h1>CAR-T 细胞疗法</h1><p>在 12 名患者中，<strong>5 名（42%）</strong>达到部分缓解。</p>
<p lang="zh-Hant">追蹤 18.2 年，<strong>無復發</strong>。</p></body></html>"""

# Render PAGE with WeasyPrint's public API in a new process, tuned or as it ships; print the PDF in hex.
RENDER = """
import sys
if sys.argv[1] == "tuned":
    from reports.render import engine
    engine.load()
from weasyprint import HTML
pdf = HTML(string=sys.argv[2]).write_pdf()
print(pdf.hex())
"""


def render_in_new_process(how: str) -> bytes:
    result = subprocess.run([sys.executable, "-c", RENDER, how, PAGE], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    return bytes.fromhex(result.stdout.strip())


def test_the_tuned_engine_writes_the_same_bytes_as_weasyprint_as_it_ships(tmp_path: Path):
    tuned, as_shipped = render_in_new_process("tuned"), render_in_new_process("as shipped")
    assert tuned == as_shipped
    (tmp_path / "tuned.pdf").write_bytes(tuned)
    fonts = run_tool("pdffonts", tmp_path / "tuned.pdf")
    # The four CJK faces, embedded as subsets: the path that reads fonts on demand was taken.
    assert len(re.findall(r"Noto-Sans-CJK-(?:SC|TC)(?:-Bold)?\s+CID Type 0C \(OT\)\s+Identity-H\s+yes yes", fonts)) == 4, fonts


def test_fonts_are_subset_without_copying_whole_font_files_into_memory():
    from weasyprint import HTML

    assert engine.tuning()["fonts read on demand"]
    files = {subprocess.run(["fc-match", "--format", "%{file}", face], capture_output=True, text=True,
                            check=True).stdout for face in ("Noto Sans CJK SC", "Noto Sans CJK SC:bold")}
    smallest_collection = min(Path(file).stat().st_size for file in files)
    assert smallest_collection > 10_000_000, files  # the collections, not some small fallback face
    document = HTML(string=PAGE).render(font_config=engine.font_configuration())
    tracemalloc.start()
    try:
        pdf = document.write_pdf()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(pdf) < 1_000_000  # four faces, subset (whole, one would be 19 MB or more)
    # As shipped, WeasyPrint holds a copy of each collection it draws with: 82 MB here, 4.6 MB tuned.
    assert peak < smallest_collection, f"{peak / 1e6:.1f} MB of Python memory while writing the PDF"


def test_weasyprint_finds_its_libraries_without_running_helper_processes():
    # ctypes.util.find_library runs ldconfig, then gcc and ld; record every process started.
    record = """
import json, subprocess
started = []
original = subprocess.Popen.__init__
def recording(self, args, *rest, **options):
    started.append(args if isinstance(args, str) else " ".join(map(str, args)))
    original(self, args, *rest, **options)
subprocess.Popen.__init__ = recording
import reports.render.pdf
from reports.render import engine
print(json.dumps({"started": started, "tuning": engine.tuning()}))
"""
    result = json.loads(subprocess.run([sys.executable, "-c", record], capture_output=True, text=True, check=True,
                                       cwd=ROOT).stdout)
    assert result["tuning"]["library lookup"]
    assert result["started"] == []


def test_renders_in_one_process_share_fonts_and_stylesheets_and_give_the_same_bytes(project: Path):
    options = BriefingOptions(build_date=dt.date(2026, 12, 1))
    first = render_briefing(project, options)
    configuration = engine.font_configuration()
    parsed = parsed_stylesheet.cache_info()
    second = render_briefing(project, options)
    assert engine.font_configuration() is configuration
    assert parsed_stylesheet.cache_info().hits > parsed.hits  # the stylesheet was not parsed again
    assert parsed_stylesheet.cache_info().misses == parsed.misses
    assert second.pdf == first.pdf


def test_a_changed_stylesheet_is_used_at_once_in_a_long_lived_process(project: Path):
    options = BriefingOptions(build_date=dt.date(2026, 12, 1))
    before = render_briefing(project, options)
    (project / "styles").mkdir()
    (project / "styles" / "briefing.css").write_text('.cover-kicker::after { content: "内部资料"; }\n', encoding="utf-8")
    after = render_briefing(project, options)
    folder = project / "build"
    folder.mkdir()
    (folder / "before.pdf").write_bytes(before.pdf)
    (folder / "after.pdf").write_bytes(after.pdf)
    assert "内部资料" not in pdftotext(folder / "before.pdf")
    assert "内部资料" in pdftotext(folder / "after.pdf")


def test_tied_runs_read_as_plain_text_in_the_pdf(tmp_path: Path):
    project = write_project(tmp_path / "project")
    rendered = render_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)), with_html=True)
    body = rendered.html.split("<body", 1)[1]
    assert "CAR\u2060-\u2060X" in body and "12\u00a0名" in body
    (tmp_path / "demo.pdf").write_bytes(rendered.pdf)
    text = pdftotext(tmp_path / "demo.pdf")
    assert "CAR-X" in text and "12 名" in text
    assert "\u2060" not in text and "\u00a0" not in text
