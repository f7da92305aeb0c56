"""Editorial standards a medical-affairs publication keeps: no promotional wording in the curator's
own text (warned at its place), and no invented dates (an access date only where one was recorded)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.cli import reports as run_reports
from helpers.pdf import pdftotext
from helpers.projects import EVIDENCE, INDEX, write_project


def reports(project: Path, *args: str, real: bool = False) -> subprocess.CompletedProcess:
    """``reports --project PROJECT ARGS``, in this process unless ``real`` (tests/helpers/cli.py)."""
    return run_reports("--project", str(project), *args, real=real)


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), 1) if needle in line)


def test_promotional_wording_in_the_curators_text_is_an_error_at_its_place(tmp_path: Path):
    evidence = EVIDENCE.replace("  status: 示例现状。", "  status: 示例现状。\n  key_message: 一项治疗实体瘤的重大突破。")
    index = INDEX.replace("    outlet: 示例新闻网", "    outlet: 示例新闻网\n    title: CAR-X 疗法根治晚期淋巴瘤\n"
                                                    "    title_supplied: true")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": evidence, "seeds/articles.yaml": index})
    result = reports(project, "check")
    assert result.returncode == 1, result.stderr  # only a quotation may praise: its source's words
    errors = result.stderr.splitlines()
    assert (f"seeds/evidence/car-x.yaml:{line_of(evidence, 'key_message')}:16: overview.key_message: "
            "promotional wording “突破” in the curator's own text; state what was found instead (a non-promotional "
            "briefing reports results, not their value), quote the source if it says so, or edit promotional_words "
            "in seeds/project.yaml") in errors
    assert any(line.startswith(f"seeds/articles.yaml:{line_of(index, 'title:')}:12: promotional wording "
                               "“根治”") for line in errors), errors


def test_the_word_list_is_the_projects_own(tmp_path: Path):
    evidence = EVIDENCE.replace("  status: 示例现状。", "  status: 示例现状，一个里程碑。")
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": evidence})
    assert "“里程碑”" in reports(project, "check").stderr
    write_project(project, {"seeds/project.yaml": "promotional_words: [奇迹]\n"})
    assert "promotional" not in reports(project, "check").stderr


def test_the_shipped_seeds_use_no_promotional_wording_of_their_own():
    root = Path(__file__).resolve().parents[2]
    assert "promotional" not in reports(root, "check").stderr


@pytest.mark.render
def test_an_access_date_is_printed_only_where_the_curator_recorded_one(tmp_path: Path):
    project = write_project(tmp_path / "project")
    assert reports(project, "build", "--date", "2026-12-01").returncode == 0
    text = "".join(pdftotext(project / "build/briefing.pdf").split())
    assert "[EB/OL].(2025-03-01).https://example.org/news/1" in text
    assert "[2026-12-01]" not in text  # the build date is not when anyone read the article

    write_project(project, {"seeds/articles.yaml": INDEX + "    accessed: 2025-12-01\n"})
    assert reports(project, "build", "--date", "2026-12-01").returncode == 0
    text = "".join(pdftotext(project / "build/briefing.pdf").split())
    assert "[EB/OL].(2025-03-01)[2025-12-01].https://example.org/news/1" in text


def test_an_abbreviation_the_glossary_lacks_is_a_warning_at_its_first_use(tmp_path: Path):
    glossary = "abbreviations:\n  - {abbr: DLT, zh: 剂量限制性毒性, en: dose-limiting toxicity}\n"
    evidence = EVIDENCE.replace("  status: 示例现状。", "  status: 示例现状：ORR 尚未报告，ORR 原文未给出。")
    project = write_project(tmp_path / "project", {"seeds/glossary.yaml": glossary, "seeds/evidence/car-x.yaml": evidence})
    result = reports(project, "check")
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "abbreviation" in line]
    assert f"seeds/evidence/car-x.yaml:{line_of(evidence, 'status:')}:11: warning: overview.status: abbreviation ORR " \
           "is not in seeds/glossary.yaml; add {abbr: ORR, zh: ..., en: ...} so that it is expanded at its first " \
           "use and listed" in warnings
    assert len([line for line in warnings if " ORR " in line]) == 1  # once, at the first use
    assert not any("abbreviation DLT " in line for line in warnings)  # the glossary has it
    assert any("abbreviation PR " in line for line in warnings)  # 部分缓解（PR）, an outcome's name


def test_without_a_glossary_abbreviations_are_not_checked(tmp_path: Path):
    project = write_project(tmp_path / "project")
    assert "abbreviation" not in reports(project, "check").stderr


def test_a_glossary_entry_listed_twice_is_an_error_at_the_second_entry(tmp_path: Path):
    glossary = ("abbreviations:\n  - {abbr: DLT, zh: 剂量限制性毒性}\n  - {abbr: CRS, zh: 细胞因子释放综合征}\n"
                "  - abbr: DLT\n    zh: 剂量限制毒性\n")
    project = write_project(tmp_path / "project", {"seeds/glossary.yaml": glossary})
    result = reports(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == ("seeds/glossary.yaml:4:11: abbreviations.2.abbr: DLT is listed twice "
                                             "(first on line 2); keep one entry")


def test_the_shipped_glossary_covers_every_abbreviation_of_the_curated_text():
    root = Path(__file__).resolve().parents[2]
    result = reports(root, "check")
    assert (root / "seeds/glossary.yaml").is_file()
    assert result.returncode == 0 and "abbreviation" not in result.stderr


def headlines_not_in_their_bodies(root: Path) -> list[str]:
    """The seed articles' headlines, less one that is also a sentence of its article's body (the CAR-NK
    report's is): that sentence may be printed where it is quoted; only a headline as such is the
    reference's."""
    from reports.content.articles import read_articles
    from reports.errors import Problems

    articles = read_articles(root / "seeds", Problems(root)).values()
    return [a.title for a in articles
            if "".join(a.title.split()) not in "".join(" ".join(b.text for b in a.blocks).replace(" - ", "-").split())]


def test_no_news_headline_is_printed_outside_its_reference_entry(seed_briefing: Path):
    """Quotations, the appendix and the summary name a source by its study and outlet: a headline
    such as 晚期癌症被治癒!CAR-T讓患者活了18年 appears once, in the reference list, as GB/T 7714 wants it."""

    root = Path(__file__).resolve().parents[2]
    titles = headlines_not_in_their_bodies(root)
    text = "".join(pdftotext(seed_briefing).split())
    start, end = text.index("参考来源著录格式"), text.index("方法与声明证据如何整理")
    appendix = text.index("附录：来源原文摘录")
    # The appendix quotes the articles' paragraphs, never their headlines: its headings name the
    # studies, with the outlet and date below.
    outside, references = text[:start] + text[end:], text[start:end]
    for title in titles:
        squeezed = "".join(title.split())
        assert squeezed in references, title
        assert squeezed not in outside, title
    assert "[2]第一代GD2CAR-T治疗神经母细胞瘤I期试验（最长18年随访）觀察者網·風聞（轉載），2025年2月（原题见参考来源[2]）" \
        in text[appendix:]


def test_each_abbreviation_is_expanded_at_its_first_use_and_listed(seed_briefing: Path):
    """细胞因子释放综合征（CRS） the first time, CRS after; the list names every glossary entry once;
    quotations keep the source's words, and names such as CAR-T or the trial HEROS stay as they are."""
    import html as html_module
    import re

    from reports.content.glossary import read_glossary
    from reports.content.model import ProjectSettings
    from reports.errors import Problems

    root = Path(__file__).resolve().parents[2]
    glossary = read_glossary(root / "seeds", Problems(root), ProjectSettings())
    html = seed_briefing.with_suffix(".html").read_text(encoding="utf-8")
    body_html = html[html.index('<section class="summary"'):html.index('<section class="references"')]
    body_html = re.sub(r"<blockquote.*?</blockquote>", "", body_html, flags=re.S)  # the sources' own words
    body = html_module.unescape(re.sub(r"<[^>]+>", "", body_html)).replace("\u2060", "").replace("\u00a0", " ")
    for abbr, expanded in (("CRS", "细胞因子释放综合征（CRS）"), ("ICANS", "免疫效应细胞相关神经毒性综合征（ICANS）"),
                           ("TME", "肿瘤微环境（TME）"), ("BCMA", "B 细胞成熟抗原（BCMA）")):
        first, expansion = re.search(rf"(?<![A-Za-z]){abbr}(?![A-Za-z])", body), body.find(expanded)
        assert first and expansion >= 0 and expansion <= first.start() <= expansion + len(expanded), abbr
    assert "CAR-T" in body and "（CAR）-T" not in body and "CAR（嵌合抗原受体）-T" not in body
    assert "临床试验名称" not in body  # HEROS is listed, not expanded
    listing = html[html.index('<section class="abbreviations"'):]
    for entry in glossary.abbreviations:
        assert f'<dt lang="en">{entry.abbr}</dt><dd>{entry.zh}' in listing.replace("\u2060", ""), entry.abbr
    assert 'href="#abbreviations">缩略语</a>' in html.replace("\u2060", "")  # in the contents


def test_the_first_use_rules_on_a_small_document():
    from reports.content.model import Glossary
    from reports.render.abbreviations import expand_abbreviations

    glossary = Glossary.model_validate({"abbreviations": [
        {"abbr": "CRS", "zh": "细胞因子释放综合征"}, {"abbr": "ICANS", "zh": "神经毒性综合征"},
        {"abbr": "DLT", "zh": "剂量限制性毒性"}, {"abbr": "CAR", "zh": "嵌合抗原受体"},
        {"abbr": "HEROS", "zh": "试验名称", "expand": False}]})
    html = ('<h2>CRS 与 DLT</h2><p lang="en">CAR T-cell therapy</p><blockquote>CRS 两例</blockquote>'
            '<p>HEROS 试验的 CAR-T：剂量限制性毒性（DLT），CRS/ICANS 各一例；CRS 为 1 级；DLT 未见；以 CAR 识别抗原。</p>'
            '<p>CRS 再次出现。</p>')
    assert expand_abbreviations(html, glossary) == (
        '<h2>CRS 与 DLT</h2><p lang="en">CAR T-cell therapy</p><blockquote>CRS 两例</blockquote>'
        '<p>HEROS 试验的 CAR-T：剂量限制性毒性（DLT），CRS（细胞因子释放综合征）/ICANS（神经毒性综合征）各一例；'
        'CRS 为 1 级；DLT 未见；以嵌合抗原受体（CAR）识别抗原。</p><p>CRS 再次出现。</p>')


@pytest.mark.render
def test_the_cover_dates_the_evidence_and_the_issue_apart(tmp_path: Path):
    """证据截至 is a date about the literature (the newest cited source's publication date, or the project's
    own search date); 整理日期 the day the rows were last curated; 发布日期 the day of issue; the PDF's
    subject carries the cut-off and the issue."""
    import pypdf

    project = write_project(tmp_path / "project")
    assert reports(project, "build", "--date", "2026-12-01").returncode == 0
    pdf = project / "build/briefing.pdf"
    cover = "".join(pdftotext(pdf, "-f", "1", "-l", "1").split())
    assert ("证据截至2025年3月1日（所引来源中最新一篇的发表日期；此后的新证据未纳入）整理日期2026年11月21日（证据表最近一次"
            "增补或修订）发布日期2026年12月1日") in cover
    assert pypdf.PdfReader(pdf).metadata.subject.endswith("证据截至 2025-03-01，发布日期 2026-12-01")

    write_project(project, {"seeds/project.yaml": "evidence_cutoff: 2026-11-30\n"})
    assert reports(project, "build", "--date", "2026-12-01").returncode == 0
    assert "证据截至2026年11月30日（编者声明的检索日期" in "".join(pdftotext(pdf, "-f", "1", "-l", "1").split())


def test_a_web_address_never_breaks_after_its_scheme(seed_briefing: Path):
    """https:// stays with the host; an address breaks after a slash, and copies as typed."""
    from reports.render.html import url_breaks

    assert str(url_breaks("https://a.org/x/y?q=1&r=2")) == "https://\u2060a.org/<wbr>x/<wbr>y<wbr>?q<wbr>=1<wbr>&amp;r<wbr>=2"
    text = pdftotext(seed_briefing)
    references = text[text.index("著录格式参照"):text.index("证据如何整理")]  # the listed addresses
    assert references.count("http") >= 3  # [1], its link to the paper, [5]
    assert not [line for line in references.splitlines() if line.rstrip().endswith(("https://", "http://", ":"))]
    assert "https://news.bioon.com/article/6759036.html" in "".join(pdftotext(seed_briefing).split())
    assert "\u2060" not in pdftotext(seed_briefing)


def test_an_address_in_an_articles_text_keeps_its_scheme_with_its_host():
    from reports.text.typeset import typeset_text

    typeset = typeset_text("官方网址:http://www.thelancet.com/")
    assert "http://\u2060www" in typeset and typeset.replace("\u2060", "") == "官方网址:http://www.thelancet.com/"


APPARATUS = """\
organisation: 示例医院医学事务部
editors:
  - {name: 张三, role: 证据整理}
reviewers:
  - {name: 李四, role: 医学审校, affiliation: 示例医院血液科}
conflicts_of_interest: 编者与审校者与所涉企业无财务关系。
funding: 本院自筹。
source_selection: 编辑组收集的中文报道，未做系统检索。
contact: medaffairs@example.org
"""


@pytest.mark.render
def test_who_made_the_briefing_and_what_they_declare_is_printed(tmp_path: Path):
    """Publisher, editors, reviewers with their roles, interests, funding, how sources were chosen
    and where to write: under 方法与声明, and the publisher as the PDF's author."""
    import datetime as dt

    from reports.documents.briefing import BriefingOptions, build_briefing

    project = write_project(tmp_path / "project", {"seeds/project.yaml": APPARATUS})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    assert [str(w) for w in result.warnings] == []
    text = "".join(pdftotext(result.pdf).split())
    for line in ("发布示例医院医学事务部", "编辑张三（证据整理）", "医学审校李四（医学审校，示例医院血液科）",
                 "利益冲突编者与审校者与所涉企业无财务关系。", "资助本院自筹。",
                 "来源选择编辑组收集的中文报道，未做系统检索。", "勘误与联系medaffairs@example.org"):
        assert line in text, line
    info = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True).stdout
    assert "Author:          示例医院医学事务部" in info


@pytest.mark.render
def test_a_statement_the_project_does_not_make_is_printed_as_undeclared_and_warned(tmp_path: Path):
    """Never a statement nobody made: 未声明 in the briefing, a warning for the curator."""
    import datetime as dt

    from reports.documents.briefing import BriefingOptions, build_briefing

    project = write_project(tmp_path / "project", {"seeds/project.yaml": "organisation: 示例医院医学事务部\n"})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    warnings = [str(w) for w in result.warnings]
    assert [w.split(":")[0:4] for w in warnings] == [["seeds/project.yaml", "1", "1", " no editors"],
                                                     ["seeds/project.yaml", "1", "1", " no conflicts_of_interest"],
                                                     ["seeds/project.yaml", "1", "1", " no funding"],
                                                     ["seeds/project.yaml", "1", "1", " no source_selection"]]
    text = "".join(pdftotext(result.pdf).split())
    for line in ("编辑未声明", "医学审校本期未经独立医学审校", "利益冲突未声明", "资助未声明", "来源选择未声明"):
        assert line in text, line
    assert "勘误与联系" not in text


def test_the_shipped_seeds_declare_their_apparatus_and_print_no_tool_name(seed_briefing: Path):
    text = "".join(pdftotext(seed_briefing).split())
    assert "利益冲突编辑组成员与本简报所涉产品" in text and "医学审校本期未经独立医学审校" in text
    assert "未声明" not in text
    assert "reports证据简报" not in text and "reportsbuild" not in text


def test_a_reference_cites_the_journal_paper_first_and_the_news_article_as_its_secondary_source(seed_briefing: Path):
    """[n] the paper (GB/T 7714 [J]: author, title, journal, year, DOI: only what the row knows),
    then the Chinese news report the quotations come from."""
    text = "".join(pdftotext(seed_briefing).split())
    references = text[text.index("参考来源著录格式"):text.index("方法与声明证据如何整理")]
    assert ("[1]HegdeM,etal.TumorresponseandendogenousimmunereactivityafteradministrationofHER2CARTcells"
            "inachildwithmetastaticrhabdomyosarcoma[J].NatureCommunications,2020.DOI:10.1038/s41467-020-17175-8."
            "中文报道（本简报摘录出处）：生物谷（bioon.com）.CAR-T细胞疗法让一名横纹肌肉瘤患儿完全康复[EB/OL]") in references
    # No first author known: none invented; no year known: none printed. What the article does not
    # state is marked ‡ (supplied by the editors), its record under the entry.
    assert "[2]Long-termoutcomesofGD2-directedCAR-Tcelltherapyinpatientswithneuroblastoma‡[J].NatureMedicine,2025." \
           "DOI:10.1038/s41591-025-03513-0‡.中文报道（本简报摘录出处）：" in references
    assert "注册号：NCT00085930‡‡编者依据外部记录补充，非该报道所载：论文题名、DOI、注册号NCT00085930；记录：PubMed记录PMID" \
           "39962287（由此前一次整理提供，2026-12-01；该记录未存档，本项目未能复核）（2026-12-01核对）" in references
    assert "[5]CAR-macrophagetherapyforHER2-overexpressingadvancedsolidtumors:aphase1trial[J].NatureMedicine." \
           "中文报道" in references
    # A source without a paper is cited as itself.
    assert "[3]生物制品圈" in references


# Words of the tool and its files, never of a reader's document.
INTERNAL_WORDS = ["seeds/", "build/", "manifest.json", "added", "revisions", "reports build", "reports 证据简报",
                  "Asia/Shanghai", "sha256", "content hash", "project.yaml", "articles.yaml", "omit_lines"]


@pytest.fixture(scope="module")
def every_document(seed_briefing: Path, seed_weeks, seed_handouts) -> dict[str, Path]:
    """Every kind of document a reader gets, from the shipped seeds: the briefing, two weeklies
    (one with new rows, one whose only new item is an article with a promotional headline) and
    the handouts."""
    documents = {"briefing": seed_briefing}
    for week in ("2026-W47", "2025-W07"):
        documents[f"weekly {week}"] = seed_weeks(week).pdf
    documents |= {f"handout {pdf.stem}": pdf for pdf in seed_handouts["a4"].values()}
    return documents


def reader_text(pdf: Path) -> tuple[str, str]:
    """What a reader reads (whitespace aside), split into the reference list and the rest."""
    text = "".join(pdftotext(pdf).split())
    start = text.find("参考来源著录格式")
    if start < 0:
        return text, ""
    ends = [i for mark in ("方法与声明证据如何整理", "说明与声明") if (i := text.find(mark, start)) > 0]
    end = min(ends, default=len(text))
    return text[:start] + text[end:], text[start:end]


def test_every_document_reads_as_a_non_promotional_medical_publication(every_document: dict[str, Path]):
    """In every kind of document: no news headline outside its reference entry, no build date
    given as an access date, none of the tool's internal words, and the abbreviations expanded
    where first used."""

    root = Path(__file__).resolve().parents[2]
    headlines = ["".join(title.split()) for title in headlines_not_in_their_bodies(root)]
    assert len(every_document) == 6
    for name, pdf in every_document.items():
        outside, references = reader_text(pdf)
        for headline in headlines:
            assert headline not in outside, (name, headline)
        # The date these documents were built on (FIXED_DATE, and the weeklies' date) is no access date.
        assert "[2026-12-01]" not in outside + references, name
        for word in INTERNAL_WORDS:
            assert "".join(word.split()) not in outside + references, (name, word)
        for abbreviation, expanded in (("CRS", "细胞因子释放综合征（CRS）"), ("GRADE", "（GRADE）")):
            if abbreviation in outside:
                assert expanded in outside, (name, abbreviation)
