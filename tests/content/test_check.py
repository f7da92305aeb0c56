"""`reports check` and `reports build` on bad input: every problem at its path:line:column,
exit status 1, no traceback, and no PDF written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.pdf import pdftotext
from helpers.projects import ARTICLE, EVIDENCE, INDEX, write_project

ROOT = Path(__file__).resolve().parents[2]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def reports(project: Path, *args: str, real: bool = False) -> subprocess.CompletedProcess:
    """``reports --project PROJECT ARGS``, in this process unless ``real`` (tests/helpers/cli.py)."""
    return run_reports("--project", str(project), *args, real=real)


def test_check_on_a_good_project_prints_one_line(project: Path):
    result = reports(project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "ok: 1 therapy classes, 1 studies, 2 excerpts verified against 1 articles\n"
        "verified: 6 figures, 8 claims (terms, gradings, phases, clinical words) and 0 numbers in prose checked against 2 verified "
        "excerpts; 0 numbers marked as the curator's own\n"
    )
    assert not (project / "build").exists()


def test_check_on_the_shipped_seeds_passes_and_says_what_it_verified():
    result = reports(ROOT, "check")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    ok, verified = result.stdout.splitlines()
    assert ok.startswith("ok: 3 therapy classes, 4 studies, ")
    figures, claims, prose, excerpts, own = map(int, re.findall(r"\d+", verified))
    assert verified == (f"verified: {figures} figures, {claims} claims (terms, gradings, phases, clinical words) and {prose} numbers "
                        f"in prose checked against {excerpts} verified excerpts; {own} numbers marked as the "
                        "curator's own")
    assert figures > 80 and claims > 50 and prose > 100 and own > 0


def seeds_copy(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    """The shipped seeds in a new project, with ``old`` replaced by ``new`` once in one file."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return project


# A careless curator's slips in the shipped tables, each as the issue found it: before typed
# matching, every one of these passed `reports check`.
SLIPS = {
    "count-inside-an-identifier": (
        "seeds/evidence/car-nk.yaml", "      enrolled: 18\n", "      enrolled: 19\n",
        "studies.0.enrollment.enrolled = 19 is not stated as a count of people in its excerpts "
        "(nk-enrolment, nk-baseline, nk-design, nk-eligibility): 19 occurs only inside an identifier (“CD19” in nk-design)",
    ),
    "percentage-from-a-score": (
        "seeds/evidence/car-m.yaml", "        value: 44\n", "        value: 3\n",
        "studies.0.outcomes.0.value = 3 is not stated as a percentage in a sentence naming “疾病稳定（SD）” in its "
        "excerpts (ct0508-efficacy): 3 occurs only as a score (3+) (“3+” in ct0508-efficacy)",
    ),
    "count-from-a-group-label": (
        "seeds/evidence/car-m.yaml", "      treated: 14\n", "      treated: 1\n",
        "1 occurs only as a count of things (个, 次, 组…) (“1组” in ct0508-dosing)",
    ),
    "figure-from-another-clause": (
        "seeds/evidence/car-nk.yaml", "        patients: 0\n        of: 18\n        summary: 未观察到\n        excerpts: [nk-safety]",
        "        patients: 1\n        of: 18\n        summary: 未观察到\n        excerpts: [nk-safety]",
        "studies.0.adverse_events.1.patients = 1 is not stated as a count of people in a sentence naming “神经毒性”",
    ),
    "grading-not-stated-for-the-event": (
        "seeds/evidence/car-nk.yaml", "        kind: crs\n        grading: {system: not-reported}",
        "        kind: crs\n        grading: {system: CTCAE, version: \"5.0\"}",
        "grading CTCAE 5.0 is not stated in its excerpts (nk-safety) in a sentence naming “细胞因子释放综合征（CRS）”; "
        "quote where the source says how this event was graded, or write grading: {system: not-reported}",
    ),
    "phase-not-stated": (
        "seeds/evidence/car-nk.yaml", "    phase: not-reported\n", "    phase: phase-1\n",
        "phase phase-1 is not stated in this study's excerpts (none of them states a phase); quote where the source "
        "gives the phase, or write phase: not-reported",
    ),
    "no-phase-for-a-trial": (
        "seeds/evidence/car-nk.yaml", "    phase: not-reported\n", "    phase: n-a\n",
        "studies.0.phase: phase n-a (not applicable) is for studies without phases",
    ),
    "number-in-prose": (
        "seeds/evidence/car-nk.yaml", "系统性红斑狼疮（SLE）患者接受异基因", "系统性红斑狼疮（SLE）患者（约 20 例）接受异基因",
        "overview.status: “20 例” is not stated in any excerpt of this table; quote the sentence that gives it, or "
        "declare it under overview.own_figures as {figure: \"20 例\", reason: ...}",
    ),
    "percentage-disagrees-with-its-counts": (
        "seeds/evidence/car-nk.yaml", "        value: 94\n", "        value: 100\n",
        "studies.0.baseline.0.value: 100% does not agree with 17/18 = 94.4%; correct the percentage or the counts",
    ),
    "wrong-arithmetic": (
        "seeds/evidence/car-t.yaml", 'derived: {n: "1580 - 891 - 170"', 'derived: {n: "1580 - 891 - 171"',
        "landscape.series.3.items.2.n = 519, but derived '1580 - 891 - 171' gives 518",
    ),
    "quoted-as-not-in-the-excerpt": (
        "seeds/evidence/car-nk.yaml", "        quoted_as: [DORIS缓解]\n", "        quoted_as: [完全缓解]\n",
        "quoted_as “完全缓解” does not occur in the cited excerpts (nk-efficacy); copy the excerpt's own words",
    ),
    "own-figure-not-in-the-text": (
        "seeds/evidence/car-t.yaml", "    - figure: 112.4%\n", "    - figure: 112.5%\n",
        "own figure “112.5%” does not occur in the text it belongs to",
    ),
}


@pytest.mark.parametrize("case", sorted(SLIPS))
def test_a_changed_figure_or_claim_in_the_shipped_tables_fails_check(tmp_path: Path, case: str):
    relative, old, new, message = SLIPS[case]
    project = seeds_copy(tmp_path, relative, old, new)
    result = reports(project, "check")
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert any(line.startswith(relative + ":") and message in line for line in result.stderr.splitlines()), \
        result.stderr


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
        EVIDENCE.replace("      treated: 12", "      treated: 13"),
        "treated: 13", "studies.0.enrollment.treated = 13 is not stated as a count of people in its excerpts "
                       "(demo-safety): no 13 in them; quote the sentence that gives this figure, or correct it",
    ),
    "two-headline-outcomes": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("    outcomes:\n      - name: 部分缓解（PR）\n", "    outcomes:\n      - name: 无 DLT\n"
                         "        measure: status\n        result: 未观察到剂量限制性毒性\n        headline: true\n"
                         "        excerpts: [demo-safety]\n      - name: 部分缓解（PR）\n        headline: true\n"),
        ("        headline: true", 2),  # at the second mark, not at the study
        "studies.0.outcomes.1.headline: outcomes 无 DLT, 部分缓解（PR） are all marked headline: true; "
        "mark only the main one",
    ),
    # A rule about several fields is reported at the field to correct, not at the mapping's first key.
    "count-above-its-denominator": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("        n: 5\n        of: 12\n", "        n: 13\n        of: 12\n"),
        "n: 13", "studies.0.outcomes.0.n: n (13) is larger than its denominator of (12)",
    ),
    "grade-3-above-any-grade": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("        patients: 0\n", "        patients: 0\n        grade_3_plus: 1\n"),
        "grade_3_plus: 1", "studies.0.adverse_events.0.grade_3_plus: grade_3_plus (1) is larger than patients (0)",
    ),
    "interval-upside-down": (
        "seeds/evidence/car-x.yaml",
        EVIDENCE.replace("        of: 12\n        excerpts: [demo-safety]\n",
                         "        of: 12\n        ci:\n          level: 95\n          lower: 60\n          upper: 20\n"
                         "        excerpts: [demo-safety]\n", 1),
        "lower: 60", "studies.0.outcomes.0.ci.lower: lower bound 60 is above upper bound 20; swap them",
    ),
    "article-not-utf8": (
        "seeds/articles/demo.md",
        ARTICLE.encode().replace("接受治疗".encode(), "接受治疗".encode("gb18030")),
        "在 12", "not valid UTF-8 (byte 0xbd); re-save the file as UTF-8",
    ),
}


@pytest.mark.render
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


@pytest.mark.render
def test_a_failed_build_leaves_the_previous_good_pdf_untouched(project: Path):
    assert reports(project, "build", "--date", "2026-12-01").returncode == 0
    pdf = project / "build" / "briefing.pdf"
    before = pdf.read_bytes()
    write_project(project, {"seeds/evidence/car-x.yaml": EVIDENCE.replace("phase: phase-1", "phase: phase-9")})
    result = reports(project, "build", "--date", "2026-12-04")
    assert result.returncode == 1
    assert "'phase-9' is not allowed for 'phase'" in result.stderr
    assert pdf.read_bytes() == before
    # No temporary file left; the stamp still names the inputs the good PDF was made from.
    assert sorted(p.name for p in pdf.parent.iterdir()) == [".briefing.pdf.made-from.json", "briefing.pdf"]


def test_a_misspelt_key_is_an_error_at_the_key_with_the_key_meant(tmp_path: Path):
    """A misspelt key used to be a warning: check said ok and the figure was gone from every document."""
    text = (EVIDENCE.replace("      treated: 12\n", "      enroled: 12\n")
            .replace("        of: 12\n        excerpts: [demo-safety]\n",
                     "        of: 12\n        timpoint: 治疗后 8 周\n        excerpts: [demo-safety]\n", 1))
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    assert result.returncode == 1
    assert (f"seeds/evidence/car-x.yaml:{line_of(text, 'enroled:')}:7: studies.0.enrollment: unknown key 'enroled'; "
            "did you mean 'enrolled'?") in result.stderr
    assert (f"seeds/evidence/car-x.yaml:{line_of(text, 'timpoint:')}:9: studies.0.outcomes.0: unknown key "
            "'timpoint'; did you mean 'timepoint'?") in result.stderr


def test_an_unknown_key_like_no_known_one_lists_the_keys_allowed_there(tmp_path: Path):
    text = EVIDENCE.replace("    product: DEMO-1\n", "    product: DEMO-1\n    sponsor_country: X\n")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": text})
    result = reports(project, "check")
    assert result.returncode == 1
    assert (f"seeds/evidence/car-x.yaml:{line_of(text, 'sponsor_country')}:5: studies.0: unknown key "
            "'sponsor_country'; the keys allowed here are: added, adverse_events, baseline, cell_source, certainty, "
            "design, developer, enrollment, excerpts, follow_up, id, indication, intervention, outcomes, own_figures, "
            "phase, population, product, registry_ids, revisions, safety_not_reported, source, targets, title"
            ) in result.stderr


@pytest.mark.parametrize("relative, text, expected", [
    ("seeds/project.yaml", "title: 简报\ntimezon: Asia/Shanghai\n",
     "seeds/project.yaml:2:1: unknown key 'timezon'; did you mean 'timezone'?"),
    ("seeds/glossary.yaml", "abbreviations:\n  - {abbr: DLT, zh: 剂量限制性毒性, english: dose-limiting toxicity}\n",
     "seeds/glossary.yaml:2:30: abbreviations.0: unknown key 'english'; the keys allowed here are: abbr, en, "
     "expand, zh"),
    ("seeds/articles.yaml", "articles:\n  - file: demo.md\n    outlet: 示例新闻网\n    urls: https://example.org/news/1\n",
     "seeds/articles.yaml:4:5: articles.0: unknown key 'urls'; did you mean 'url'?"),
], ids=["project", "glossary", "article-index"])
def test_an_unknown_key_is_an_error_in_every_yaml_seed(tmp_path: Path, relative: str, text: str, expected: str):
    project = write_project(tmp_path / "project", {relative: text})
    result = reports(project, "check")
    assert result.returncode == 1
    assert expected in result.stderr.splitlines()


def test_an_evidence_table_is_read_whatever_the_case_of_its_extension(tmp_path: Path):
    """car-x.YAML was ignored, and the class vanished from the briefing while check said ok."""
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": None,
                                                   "seeds/evidence/car-x.YAML": EVIDENCE})
    result = reports(project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 1 therapy classes, 1 studies")
    # The class id is still checked against the name without its extension.
    write_project(project, {"seeds/evidence/car-x.YAML": None, "seeds/evidence/car-y.Yml": EVIDENCE})
    result = reports(project, "check")
    assert result.returncode == 1
    assert ("seeds/evidence/car-y.Yml:2:7: class id 'car-x' does not match the file name; rename the file to "
            "car-x.yaml or set id: car-y") in result.stderr


def test_a_file_of_the_evidence_folder_that_is_not_read_is_named(tmp_path: Path):
    project = write_project(tmp_path / "project", {
        "seeds/evidence/car-x.yaml.bak": EVIDENCE, "seeds/evidence/car-y.json": "{}", "seeds/evidence/notes.txt": "",
        "seeds/evidence/.car-x.yaml.swp": "", "seeds/articles/demo-2.pdf": "", "seeds/articles/.DS_Store": "",
    })
    result = reports(project, "check")
    assert result.returncode == 0, result.stderr
    unread = "not read: evidence tables are files ending in .yaml (or .yml); rename it if it is one, or move it " \
             "out of seeds/evidence/"
    assert sorted(line for line in result.stderr.splitlines() if "not read" in line) == [
        "seeds/articles/demo-2.pdf: warning: not read: articles are files ending in .md, .markdown or .txt; rename "
        "it if it is one, or move it out of seeds/articles/",
        f"seeds/evidence/car-x.yaml.bak: warning: {unread}",
        f"seeds/evidence/car-y.json: warning: {unread}",
        f"seeds/evidence/notes.txt: warning: {unread}",
    ]  # hidden files (an editor's swap file, .DS_Store) are not the curator's: not named


def test_two_tables_of_one_class_are_refused_at_the_second(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yml": EVIDENCE})
    result = reports(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == ("seeds/evidence/car-x.yml: a second evidence table of class 'car-x' "
                                             "(the first is car-x.yaml); merge them into one file")


def test_an_article_listed_twice_in_the_index_is_an_error_at_the_second_entry(tmp_path: Path):
    index = INDEX + "  - file: demo.md\n    outlet: 另一网站\n"
    project = write_project(tmp_path / "project", {"seeds/articles.yaml": index})
    result = reports(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == ("seeds/articles.yaml:5:11: articles.1.file: article 'demo.md' is "
                                             "listed twice (first on line 2); keep one entry")


def test_an_article_is_read_whatever_the_case_of_its_extension(tmp_path: Path):
    index = INDEX.replace("file: demo.md", "file: demo.MD")
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": None, "seeds/articles/demo.MD": ARTICLE,
                                                   "seeds/articles.yaml": index})
    result = reports(project, "check")
    assert result.returncode == 0, result.stderr


def test_an_article_missing_from_the_index_without_metadata_is_an_error(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/articles/extra.md": "只有正文。\n"})
    result = reports(project, "check")
    assert result.returncode == 1
    assert "seeds/articles/extra.md:1:1: article 'extra' has no title, published (or undated_reason), script" in result.stderr


def test_a_project_folder_without_seeds_is_a_clear_error(tmp_path: Path):
    result = reports(tmp_path, "check", real=True)  # the process itself: its status and its stderr
    assert result.returncode == 1
    assert "has no seeds/ folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.render
def test_an_unchanged_build_is_not_rendered_again_and_any_change_renders_it(project: Path):
    pdf = project / "build" / "briefing.pdf"
    first = reports(project, "build", "--date", "2026-12-01")
    assert first.stdout.startswith("wrote ")
    pages = first.stdout.split("(")[1].split(" pages")[0]
    made = pdf.stat().st_mtime_ns

    again = reports(project, "build", "--date", "2026-12-01")
    assert again.returncode == 0
    assert again.stdout == (f"up to date: {pdf} ({pages} pages) is made from these inputs; nothing re-rendered "
                            "(--force renders it again)\n")
    assert pdf.stat().st_mtime_ns == made

    def renders(*args: str) -> bool:
        result = reports(project, "build", "--date", "2026-12-01", *args)
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
    assert not reports(project, "build", "--date", "2026-12-04", "--html").stdout.startswith("up to date")


@pytest.mark.render
def test_a_build_by_changed_code_or_templates_of_the_same_version_is_not_up_to_date(project: Path, tmp_path: Path):
    """The stamp names the tool by its code and built-in templates, not only its version number: a
    changed module or template renders the document again (the stamp said "up to date" before)."""
    import os
    import sys

    from helpers.projects import ROOT

    tool = tmp_path / "tool"
    for name in ("reports", "templates", "styles"):
        shutil.copytree(ROOT / name, tool / name, ignore=shutil.ignore_patterns("__pycache__"))

    def build() -> str:
        result = subprocess.run([sys.executable, "-m", "reports", "--project", str(project), "build",
                                 "--date", "2026-12-01"], capture_output=True, text=True, cwd=tmp_path, check=False,
                                env={**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                                     "PYTHONPATH": str(tool)})  # the copy's bytecode kept for the next build
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert build().startswith("wrote ")
    assert build().startswith("up to date")
    footer = tool / "templates" / "partials"
    template = next(path for path in sorted(footer.glob("*.html")))
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build().startswith("wrote ")
    module = tool / "reports" / "render" / "labels.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert build().startswith("wrote ")


@pytest.mark.render
def test_an_up_to_date_build_still_prints_its_warnings(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml.bak": EVIDENCE})
    first, again = (reports(project, "build", "--date", "2026-12-01") for _ in range(2))
    assert again.stdout.startswith("up to date")
    assert "car-x.yaml.bak: warning: not read" in first.stderr and again.stderr == first.stderr


def test_an_unreadable_article_is_reported_once_not_again_for_each_excerpt_citing_it(tmp_path: Path):
    project = write_project(tmp_path / "project", {"seeds/articles/demo.md": ""})
    result = reports(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "seeds/articles/demo.md:1:1: article 'demo' has no text; put the article's text in the file (after its "
        "front matter), or remove the file and its entry in the index",
        "1 problem found; nothing was written.",
    ]
