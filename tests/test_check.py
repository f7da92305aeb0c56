"""`reports check` and `reports build` on bad input: every problem at its path:line:column,
exit status 1, no traceback, and no PDF written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ARTICLE, EVIDENCE, pdftotext, write_project


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def reports(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reports", "--project", str(project), *args],
                          capture_output=True, text=True)


def test_check_on_a_good_project_prints_one_line(project: Path):
    result = reports(project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok: 1 therapy classes, 1 studies, 1 excerpts verified against 1 articles\n"
    assert not (project / "build").exists()


def test_check_on_the_shipped_seeds_passes():
    root = Path(__file__).resolve().parent.parent
    result = reports(root, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 3 therapy classes, 4 studies, ")


BAD_INPUTS = {
    "malformed-yaml": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("  name_en: CAR-X cell therapy", "  name_en: [CAR-X cell therapy"),
        "overview:", "malformed YAML: while parsing a flow sequence (started on line 4), expected ',' or ']'",
    ),
    "missing-field": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("    phase: phase-1\n", ""),
        "  - id: demo-phase-1", "studies.0: required field 'phase' is missing; add it",
    ),
    "wrong-type": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("      treated: 12", "      treated: twelve"),
        "treated: twelve", "studies.0.enrollment.treated: 'treated': input should be a valid integer",
    ),
    "duplicate-id": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE + EVIDENCE[EVIDENCE.index("  - id: demo-phase-1"):].replace("id: demo-safety", "id: demo-safety-2")
        .replace("excerpts: [demo-safety]", "excerpts: [demo-safety-2]"),
        ("  - id: demo-phase-1", 2), "duplicate id 'demo-phase-1'",
    ),
    "unknown-article": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("article: demo\n", "article: no-such-article\n"),
        "article: no-such-article", "unknown article 'no-such-article'; the articles are: demo",
    ),
    "excerpt-not-in-article": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("5 名患者（42%）达到部分缓解", "5 名患者（42%）达到完全缓解"),
        "        text: 在 12 名", "closest passage (seeds/articles/demo.md:9, ",
    ),
    "percentage-over-100": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("        value: 42\n", "        value: 142\n"),
        "value: 142", "a percentage must be between 0 and 100, got 142",
    ),
    "bad-registry-id": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("NCT01234567", "NCT1234"),
        "registry_ids: [NCT1234]", "'NCT1234' is not a registry id; write ClinicalTrials.gov ids as NCT followed by 8 digits",
    ),
    "date-not-iso": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("published: 2025-02-28", "published: 2025/02/28"),
        "published: 2025/02/28", "'2025/02/28' is not an ISO date; write it as YYYY-MM-DD",
    ),
    "bad-doi": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("doi: 10.1234/example.5678", "doi: example.5678"),
        "doi: example.5678", "'example.5678' is not a DOI; a DOI looks like 10.1038/s41467-020-17175-8",
    ),
    "figure-not-in-excerpt": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("        n: 5\n", "        n: 6\n"),
        "        n: 6", "studies.0.outcomes.0.n = 6 is not stated in its excerpts (demo-safety)",
    ),
    "two-headline-outcomes": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("    outcomes:\n      - name: 部分缓解（PR）\n", "    outcomes:\n      - name: 无 DLT\n"
                         "        measure: status\n        result: 未观察到剂量限制性毒性\n        headline: true\n"
                         "        excerpts: [demo-safety]\n      - name: 部分缓解（PR）\n        headline: true\n"),
        "  - id: demo-phase-1",
        "studies.0: outcomes 无 DLT, 部分缓解（PR） are all marked headline: true; mark only the main one",
    ),
    "article-not-utf8": (
        "seeds/articles/demo.md",
        ARTICLE.encode().replace("接受治疗".encode(), "接受治疗".encode("gb18030")),
        "在 12", "not valid UTF-8 (byte 0xbd); re-save the file as UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_reported_at_its_line_and_nothing_is_written(tmp_path: Path, case: str):
    relative, text, where, message = BAD_INPUTS[case]
    project = write_project(tmp_path / "project", {relative: text})
    source = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    needle, occurrence = where if isinstance(where, tuple) else (where, 1)
    expected_line = line_of(source, needle, occurrence)

    for command in (["check"], ["build"]):
        result = reports(project, *command)
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr
        problems = [line for line in result.stderr.splitlines() if line.startswith(relative + ":")]
        assert any(f"{relative}:{expected_line}:" in line and message in line for line in problems), result.stderr
        assert result.stderr.rstrip().endswith("nothing was written.")
        assert result.stdout == ""
    assert not (project / "build").exists()


def test_a_bad_byte_is_located_by_character_column(tmp_path: Path):
    text = ARTICLE.encode().replace("接受治疗".encode(), "接受治疗".encode("gb18030"))
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": text})
    result = reports(project, "check")
    line = line_of(ARTICLE, "在 12 名接受治疗")
    assert f"seeds/articles/demo.md:{line}:7: not valid UTF-8" in result.stderr  # 在 ␣ 1 2 ␣ 名, then 接


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path):
    text = EVIDENCE.replace("NCT01234567", "NCT1").replace("        value: 42\n", "        value: 420\n")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    assert result.returncode == 1
    assert "is not a registry id" in result.stderr
    assert "a percentage must be between 0 and 100, got 420" in result.stderr
    assert "2 problems found" in result.stderr


def test_a_failed_build_leaves_the_previous_good_pdf_untouched(project: Path):
    assert reports(project, "build", "--date", "2026-01-15").returncode == 0
    pdf = project / "build" / "briefing.pdf"
    before = pdf.read_bytes()
    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    result = reports(project, "build", "--date", "2026-01-16")
    assert result.returncode == 1
    assert "'phase-9' is not allowed for 'phase'" in result.stderr
    assert pdf.read_bytes() == before
    # No temporary file left; the stamp still names the inputs the good PDF was made from.
    assert sorted(p.name for p in pdf.parent.iterdir()) == [".briefing.pdf.made-from.json", "briefing.pdf"]


def test_unknown_keys_are_warnings_with_their_location(tmp_path: Path):
    text = EVIDENCE.replace("    product: DEMO-1\n", "    product: DEMO-1\n    prodcut_code: X\n")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    assert result.returncode == 0
    line = line_of(text, "prodcut_code")
    assert f"seeds/evidence/car-x.yaml:{line}:5: warning: unknown key 'prodcut_code' is ignored" in result.stderr


def test_an_article_missing_from_the_index_without_metadata_is_an_error(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/articles/extra.md": "只有正文。\n"})
    result = reports(project, "check")
    assert result.returncode == 1
    assert "seeds/articles/extra.md:1:1: article 'extra' has no title, published (or undated_reason), script" in result.stderr


def test_a_project_folder_without_seeds_is_a_clear_error(tmp_path: Path):
    result = reports(tmp_path, "check")
    assert result.returncode == 1
    assert "has no seeds/ folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unchanged_build_is_not_rendered_again_and_any_change_renders_it(project: Path):
    pdf = project / "build" / "briefing.pdf"
    first = reports(project, "build", "--date", "2026-01-15")
    assert first.stdout.startswith("wrote ")
    pages = first.stdout.split("(")[1].split(" pages")[0]
    made = pdf.stat().st_mtime_ns

    again = reports(project, "build", "--date", "2026-01-15")
    assert again.returncode == 0
    assert again.stdout == (f"up to date: {pdf} ({pages} pages) is made from these inputs; nothing re-rendered "
                            "(--force renders it again)\n")
    assert pdf.stat().st_mtime_ns == made

    def renders(*args: str) -> bool:
        result = reports(project, "build", "--date", "2026-01-15", *args)
        assert result.returncode == 0, result.stderr
        return result.stdout.startswith("wrote ")

    assert renders("--force")
    assert renders("--html")  # another option: another output
    assert not renders("--html")
    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE.replace("示例现状。", "现状已更新。")})
    assert renders("--html")
    assert "现状已更新" in pdftotext(pdf)
    (project / "build" / "briefing.html").write_text("edited by hand", encoding="utf-8")
    assert renders("--html")  # an altered output is made again
    with pdf.open("ab") as stream:
        stream.write(b"%")
    assert renders("--html")
    assert not reports(project, "build", "--date", "2026-01-16", "--html").stdout.startswith("up to date")


def test_an_up_to_date_build_still_prints_its_warnings(tmp_path: Path):
    text = EVIDENCE.replace("    product: DEMO-1\n", "    product: DEMO-1\n    prodcut_code: X\n")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    first, again = (reports(project, "build", "--date", "2026-01-15") for _ in range(2))
    assert again.stdout.startswith("up to date")
    assert "prodcut_code" in first.stderr and again.stderr == first.stderr
