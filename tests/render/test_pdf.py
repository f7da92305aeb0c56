"""The real seed briefing, read back from the PDF: text, fonts, pages, bookmarks, links, metadata,
the PDF/A and PDF/UA variants, and reproducibility."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
import weasyprint
from click.testing import CliRunner
from helpers.pdf import XHTML, pdftotext, run_tool
from helpers.projects import EVIDENCE, FIXED_DATE, ROOT

import reports
from reports.cli import cli

A4 = (595.28, 841.89)
# The seed briefing measured 1.67-1.71 MB for 30 pages (WeasyPrint 70, fonts-noto-cjk 20220127).
# A regression guard, 1.5 times that: one CJK face embedded whole would add 10 MB or more.
SEED_SIZE_BOUND = 2_600_000
XMP = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}


@pytest.fixture(scope="module")
def text(seed_briefing: Path) -> str:
    return pdftotext(seed_briefing)


@pytest.fixture(scope="module")
def flat(text: str) -> str:
    """The text with line breaks removed (Chinese lines break anywhere)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def reader(seed_briefing: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(seed_briefing)


@pytest.mark.parametrize("fact", [
    # CAR-M: CT-0508
    "CT-0508", "HER2", "44%", "治疗14例",
    # CAR-T: HEROS 2.0 case report, GD2 long-term follow-up, the landscape
    "HEROS2.0", "10.1038/s41467-020-17175-8", "GD2", "18.2", "1580", "CD19", "54.41%", "18.23%",
    # CAR-NK: allogeneic CD19 CAR-NK in SLE
    "NCT06010472", "10.1016/S0140-6736(25)01671-X", "DORIS", "67%",
    # evidence strength
    "OCEBM4级", "⊕◯◯◯", "不精确性",
])
def test_each_class_key_facts_are_in_the_pdf_text(flat: str, fact: str):
    assert fact in flat


def test_every_source_is_cited_in_the_references(flat: str):
    for title in ("首个CAR-巨噬细胞疗法临床试验结果公布", "CAR-T细胞疗法让一名横纹肌肉瘤患儿完全康复",
                  "晚期癌症被治癒!CAR-T讓患者活了18年", "同种异体CAR-NK细胞疗法是治疗自身免疫性疾病的一种有效选择",
                  "全球1580项CAR-T临床试验的研究现状、挑战与对策"):
        assert title in flat
    for outlet in ("生物谷", "科学网·小柯机器人", "醫學界", "生物制品圈"):
        assert outlet in flat
    assert "http://news.bioon.com/article/7f4886284e59.html" in flat


def test_the_text_is_extractable_in_both_scripts(flat: str):
    assert "《自然·醫學》" in flat and "科学网·小柯机器人" in flat  # U+00B7, not a bullet sharing its glyph
    assert "參與試驗的19名患者中，7人存活了8年以上" in flat  # traditional, as in the article (commas full width)
    assert "在14名接受治疗的患者中" in flat


@pytest.mark.render
@pytest.mark.parametrize("variant", ["seed_briefing", "seed_pdfa", "seed_pdfua"])
def test_every_font_is_embedded_as_a_subset(request, variant: str):
    fonts = run_tool("pdffonts", request.getfixturevalue(variant)).splitlines()[2:]
    assert len(fonts) >= 4
    for line in fonts:
        name, (emb, sub, uni) = line.split()[0], line.split()[-5:-2]  # the type column holds spaces
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
        assert re.match(r"^[A-Z]{6}\+", name), line  # the subset tag


def test_the_seed_briefing_stays_small(seed_briefing: Path):
    assert seed_briefing.stat().st_size < SEED_SIZE_BOUND


def test_cjk_fonts_are_embedded_in_both_scripts(seed_briefing: Path):
    fonts = run_tool("pdffonts", seed_briefing).splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    assert any("CJK-SC" in name for name in names)
    assert any("CJK-TC" in name for name in names)
    assert not any("CJK-JP" in name or "CJK-KR" in name for name in names)


def test_pages_are_a4_and_their_number_is_sane(reader: pypdf.PdfReader):
    assert 12 <= len(reader.pages) <= 60
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))


def test_the_cover_has_no_running_footer_and_other_pages_do(seed_briefing: Path, reader: pypdf.PdfReader):
    total = len(reader.pages)
    assert "第 1 页" not in pdftotext(seed_briefing, "-f", "1", "-l", "1")
    for number in (2, total // 2, total):
        page = pdftotext(seed_briefing, "-f", str(number), "-l", str(number))
        assert f"第 {number} 页 / 共 {total} 页" in page
        assert "CAR 细胞疗法临床证据简报" in page


def test_bookmarks_follow_the_sections(reader: pypdf.PdfReader):
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[:2] == ["目录", "要点速览"]
    assert top[2:5] == ["CAR-T 细胞疗法", "CAR-NK 细胞疗法", "CAR-M 细胞疗法"]
    assert top[-3:] == ["参考来源", "方法与声明", "附录：来源原文摘录"]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert any(child.title == "证据表" for group in nested for child in group if not isinstance(child, list))


def test_the_table_of_contents_gives_page_numbers(seed_briefing: Path, reader: pypdf.PdfReader):
    toc = pdftotext(seed_briefing, "-f", "2", "-l", "2", "-layout")
    entries = re.findall(r"(参考来源|方法与声明)\s*\.+\s*(\d+)", toc)
    assert len(entries) == 2
    for title, page in entries:
        assert title in pdftotext(seed_briefing, "-f", page, "-l", page)


def place(reader: pypdf.PdfReader, destination) -> tuple[int, float]:
    """Where a destination (a bookmark, a named destination) lands: page from 1, points from the top."""
    index = reader.get_destination_page_number(destination)
    return index + 1, round(float(reader.pages[index].mediabox.height) - float(destination.top), 1)


def bookmarks(reader: pypdf.PdfReader) -> list[tuple[int, str, tuple[int, float]]]:
    """Every bookmark in order, as (depth, title, place)."""
    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title, place(reader, item)
    return list(walk(reader.outline, 0))


def links(reader: pypdf.PdfReader) -> list[tuple[int, str, list[float]]]:
    """Every link annotation as (page, named destination, rectangle); a link may have several."""
    found = []
    for number, page in enumerate(reader.pages, 1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Link":
                found.append((number, annotation["/Dest"], [float(value) for value in annotation["/Rect"]]))
    return found


@pytest.fixture(scope="module")
def page_lines(seed_briefing: Path) -> dict[int, list[tuple[float, str]]]:
    """Each page's printed lines as (top in points, text), top to bottom."""
    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox-layout", str(seed_briefing), "-"],
                                        capture_output=True, check=True).stdout)
    return {number: sorted((float(line.get("yMin")), " ".join(word.text or "" for word in line.iter(XHTML + "word")))
                           for line in page.iter(XHTML + "line"))
            for number, page in enumerate(root.iter(XHTML + "page"), 1)}


def line_at(page_lines: dict, page: int, top: float) -> str:
    """The printed line a destination points at: the first at or below it (pieces on one baseline joined)."""
    below = [(y, text) for y, text in page_lines[page] if y >= top - 2]
    assert below, (page, top)
    return "".join(text for y, text in below if y - below[0][0] < 1.5)


def bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_bookmarks_mirror_the_table_of_contents(reader: pypdf.PdfReader, seed_briefing: Path):
    marks = bookmarks(reader)
    toc_page = next(where[0] for _, title, where in marks if title == "目录")
    destinations = {name: place(reader, destination) for name, destination in reader.named_destinations.items()}
    entries = list(dict.fromkeys(name for page, name, _ in links(reader) if page == toc_page))
    assert len(entries) >= 15  # summary, three classes with their parts, references, method, appendix
    # Each entry of the TOC goes where a bookmark goes; the bookmarks come in the TOC's order.
    at_place = {where: index for index, (_, _, where) in enumerate(marks)}
    matched = [at_place.get(destinations[name]) for name in entries]
    assert None not in matched, [name for name, index in zip(entries, matched) if index is None]
    assert matched == sorted(matched)
    # The TOC page prints the same titles, in the same order.
    toc_text = bare(pdftotext(seed_briefing, "-f", str(toc_page), "-l", str(toc_page)))
    position = 0
    for index in matched:
        position = toc_text.index(bare(marks[index][1]), position)
    # Every top-level bookmark but the TOC's own is an entry of the TOC, and every class's parts are.
    listed = set(matched)
    assert [title for i, (depth, title, _) in enumerate(marks) if depth == 0 and i not in listed] == ["目录"]
    classes = [i for i in matched if marks[i][1].endswith("细胞疗法") and marks[i][0] == 0]
    assert len(classes) == 3
    for start in classes:
        end = next((i for i in range(start + 1, len(marks)) if marks[i][0] == 0), len(marks))
        parts = [i for i in range(start + 1, end) if marks[i][0] == 1]
        assert len(parts) >= 3 and set(parts) <= listed, [marks[i][1] for i in parts]


def test_links_land_on_what_they_name(reader: pypdf.PdfReader, page_lines: dict):
    destinations = {name: place(reader, destination) for name, destination in reader.named_destinations.items()}
    marks = {where: title for _, title, where in bookmarks(reader)}
    targets = list(dict.fromkeys(name for _, name, _ in links(reader)))
    assert not [name for name in targets if name not in destinations]  # no link leads nowhere
    kinds = {"ref": 0, "fn": 0, "study": 0}
    for name in targets:
        page, top = destinations[name]
        line = line_at(page_lines, page, top)
        if match := re.fullmatch(r"ref-(\d+)", name):  # a citation [n] lands on reference [n]
            assert line.startswith(f"[{match[1]}]"), (name, line)
        elif match := re.fullmatch(r"fn-.+-([a-z])", name):  # a GRADE footnote mark lands on its footnote
            assert line.startswith(f"{match[1]} "), (name, line)
        else:  # a TOC entry or a cross-reference lands on the heading its bookmark names
            assert bare(line) == bare(marks[(page, top)]), (name, line)
        kinds[name.split("-")[0]] = kinds.get(name.split("-")[0], 0) + 1
    assert kinds["ref"] == 5 and kinds["fn"] >= 6 and kinds["study"] == 4, kinds
    # The TOC's link to the references lands on their heading, the only place it is printed as a line.
    assert line_at(page_lines, *destinations["references"]) == "参考来源"
    assert [page for page, lines in page_lines.items() if "参考来源" in (text for _, text in lines)] \
        == [destinations["references"][0]]


def test_every_link_has_an_area_to_click(reader: pypdf.PdfReader):
    # WeasyPrint 70 makes an inline link as tall as its line-height: at line-height 0 the
    # superscript [n] and footnote marks were links with no area to click.
    flat = [(page, name) for page, name, (x0, y0, x1, y1) in links(reader) if abs(x1 - x0) < 1 or abs(y1 - y0) < 4]
    assert not flat


class HeadParser(HTMLParser):
    """The document facts the HTML states: <html lang>, <title> and the <meta> tags."""

    def __init__(self):
        super().__init__()
        self.facts: dict[str, str] = {}
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.facts["lang"] = attrs["lang"]
        elif tag == "meta" and "name" in attrs:
            self.facts[attrs["name"]] = attrs["content"]
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.facts["title"] = self.facts.get("title", "") + data


def html_facts(html_path: Path) -> dict[str, str]:
    parser = HeadParser()
    parser.feed(html_path.read_text(encoding="utf-8"))
    return parser.facts


def pdf_date(iso_date: str) -> str:
    """How WeasyPrint writes a W3C date at midnight UTC in the document information."""
    return f"D:{iso_date.replace('-', '')}000000+00'00"


def xmp_properties(reader: pypdf.PdfReader) -> dict[str, str]:
    """The XMP metadata stream as {prefix:name: text}, attributes and elements alike."""
    data = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    rdf = ET.fromstring(data[data.index(b"<x:xmpmeta"):data.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")])
    prefixes = {f"{{{uri}}}": prefix + ":" for prefix, uri in XMP.items()}

    def short(name: str) -> str:
        for uri, prefix in prefixes.items():
            name = name.replace(uri, prefix)
        return name

    properties = {}
    for description in rdf.iter(f"{{{XMP['rdf']}}}Description"):
        properties.update({short(key): value for key, value in description.attrib.items()})
        properties.update({short(child.tag): "".join(child.itertext()) for child in description})
    return properties


def test_metadata_says_what_the_document_is(reader: pypdf.PdfReader, seed_briefing: Path):
    meta, facts = reader.metadata, html_facts(seed_briefing.with_suffix(".html"))
    assert meta.title == facts["title"] == "CAR 细胞疗法临床证据简报（CAR-T 细胞疗法、CAR-NK 细胞疗法、CAR-M 细胞疗法）"
    assert meta.author == facts["author"] == "CAR 细胞疗法证据简报编辑组"  # the publisher (organisation:)
    assert meta.subject == facts["description"] and "医疗卫生专业人士" in meta.subject
    assert meta["/Keywords"] == facts["keywords"]
    assert meta["/Keywords"].split(", ")[:5] == ["CAR-T", "CAR-NK", "CAR-M", "细胞治疗", "证据简报"]
    assert meta.creator == f"reports {reports.__version__}"
    assert meta.producer == f"WeasyPrint {weasyprint.__version__}"
    # The build date, through the dcterms meta tags (WeasyPrint does not read SOURCE_DATE_EPOCH).
    assert meta["/CreationDate"] == meta["/ModDate"] == pdf_date(FIXED_DATE)
    assert facts["dcterms.created"] == facts["dcterms.modified"] == f"{FIXED_DATE}T00:00:00+00:00"
    # /Lang is <html lang> as written: "zh-Hans", a BCP 47 tag with a script subtag.
    assert reader.trailer["/Root"]["/Lang"] == facts["lang"] == "zh-Hans"
    assert "/StructTreeRoot" not in reader.trailer["/Root"] and "/Metadata" not in reader.trailer["/Root"]


@pytest.mark.render
def test_a_long_evidence_table_repeats_its_header_and_keeps_rows_whole(tmp_path: Path):
    import datetime as dt

    from helpers.projects import EVIDENCE, write_project

    from reports.documents.briefing import BriefingOptions, build_briefing

    head, row = EVIDENCE.split("studies:\n")
    rows = "".join(
        row.replace("demo-phase-1", f"demo-phase-1-{n}").replace("demo-safety", f"demo-safety-{n}")
        .replace("demo-design", f"demo-design-{n}")
        .replace("NCT01234567", f"NCT012345{n:02d}")
        .replace("indication: 淋巴瘤", "indication: " + "淋巴瘤，" * 12 + f"ROW{n:02d}END")
        for n in range(14)
    )
    project = write_project(tmp_path / "project", {"seeds/evidence/car-x.yaml": head + "studies:\n" + rows})
    result = build_briefing(project, BriefingOptions(build_date=dt.date(2026, 12, 1)))
    pages = [re.sub(r"\s+", "", pdftotext(result.pdf, "-f", str(n), "-l", str(n))) for n in range(1, result.pages + 1)]
    table_pages = [page for page in pages if "研究与设计" in page]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "研究与设计" in page and "主要疗效" in page and "安全性" in page  # the header row, on every page
    for n in range(14):
        # A tall row's top (its registry id) and the end of its tallest cell are on one page.
        first, last = f"NCT012345{n:02d}", f"ROW{n:02d}END"
        assert sum(first in page and last in page for page in table_pages) == 1, n
        assert sum(first in page for page in table_pages) == 1, n


@pytest.fixture(scope="module")
def pdfa(seed_pdfa: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(seed_pdfa)


def test_the_pdfa_file_says_it_is_pdfa_3b_and_keeps_the_metadata(pdfa: pypdf.PdfReader, reader: pypdf.PdfReader):
    catalog, xmp = pdfa.trailer["/Root"], xmp_properties(pdfa)
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")
    assert pdfa.pdf_header == "%PDF-1.7"
    intent = catalog["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and "sRGB" in intent["/OutputConditionIdentifier"]
    assert intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"  # an ICC profile
    assert len(pdfa.trailer["/ID"]) == 2  # PDF/A requires a file identifier
    # The same facts, and the build date, in the document information and in XMP.
    assert dict(pdfa.metadata) == dict(reader.metadata)
    assert xmp["dc:title"] == pdfa.metadata.title and xmp["dc:creator"] == pdfa.metadata.author
    assert xmp["xmp:CreateDate"] == xmp["xmp:ModifyDate"] == f"{FIXED_DATE}T00:00:00+00:00"
    assert catalog["/Lang"] == "zh-Hans"


def test_the_pdfa_file_carries_the_yaml_it_was_built_from(pdfa: pypdf.PdfReader):
    sources = {path.name: path for path in [*(ROOT / "seeds" / "evidence").glob("*.yaml"), ROOT / "seeds" / "articles.yaml"]}
    assert {name: data for name, [data] in pdfa.attachments.items()} == {
        name: path.read_bytes() for name, path in sources.items()}
    # Each is an associated file of the document (PDF/A-3 requires /AF), listed once.
    specs = [reference.get_object() for reference in pdfa.trailer["/Root"]["/AF"]]
    assert sorted(spec["/UF"] for spec in specs) == sorted(sources)
    for spec in specs:
        path = sources[spec["/UF"]]
        assert spec["/AFRelationship"] == "/Source"
        assert path.relative_to(ROOT).as_posix() in spec["/Desc"]
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Subtype"] == "/application/yaml"
        params = stream["/Params"]
        assert params["/Size"] == path.stat().st_size
        assert params["/CreationDate"] == params["/ModDate"] == f"D:{FIXED_DATE.replace('-', '')}000000Z"


def struct_pages(reader: pypdf.PdfReader, role: str) -> list[int]:
    """The page (from 1) of each structure element of ``role`` (H1, Link...), in reading order.

    (pdfinfo -struct-text would give their text too, but takes minutes on this file.)
    """
    numbers = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, 1)}
    found = []

    def walk(element):
        element = element.get_object()
        if isinstance(element, list):
            for child in element:
                walk(child)
        elif isinstance(element, dict):
            if element.get("/S") == f"/{role}":
                found.append(numbers[element.raw_get("/Pg").idnum])
            if "/K" in element:
                walk(element["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def test_the_pdfua_file_is_tagged_for_assistive_technology(seed_pdfua: Path, reader: pypdf.PdfReader):
    tagged = pypdf.PdfReader(seed_pdfua)
    catalog, xmp = tagged.trailer["/Root"], xmp_properties(tagged)
    assert xmp["pdfuaid:part"] == "1" and "pdfaid:part" not in xmp
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "zh-Hans"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True  # viewers show the title, not the file name
    assert dict(tagged.metadata) == dict(reader.metadata)
    assert xmp["xmp:CreateDate"] == xmp["xmp:ModifyDate"] == f"{FIXED_DATE}T00:00:00+00:00"
    assert "Tagged:          yes" in run_tool("pdfinfo", seed_pdfua)
    assert not tagged.attachments  # sources are attached with --pdfa only
    # A screen reader finds the sections as headings: after the cover's title, one per top-level bookmark,
    # on its page; and each link as a link.
    top = [where[0] for depth, _, where in bookmarks(tagged) if depth == 0]
    assert struct_pages(tagged, "H1") == [1, *top]
    assert len(struct_pages(tagged, "Link")) >= len({(page, name) for page, name, _ in links(tagged)})


@pytest.mark.render
def test_pdfa_and_pdfua_together_give_tagged_pdfa_3a_with_the_built_classes_sources(project: Path, tmp_path: Path):
    other = EVIDENCE.replace("car-x", "car-y").replace("CAR-X", "CAR-Y").replace("demo-", "other-")
    (project / "seeds" / "evidence" / "car-y.yaml").write_text(other, encoding="utf-8")
    out = tmp_path / "both.pdf"
    result = CliRunner().invoke(cli, ["--project", str(project), "build", "--class", "car-x", "--pdfa", "--pdfua",
                                      "--date", FIXED_DATE, "-o", str(out)])
    assert result.exit_code == 0, result.output
    both = pypdf.PdfReader(out)
    xmp = xmp_properties(both)
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "A")
    assert "/StructTreeRoot" in both.trailer["/Root"] and both.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True
    assert "/OutputIntents" in both.trailer["/Root"]
    assert sorted(both.attachments) == ["articles.yaml", "car-x.yaml"]  # not car-y.yaml: that class was not built


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.render
def test_the_same_inputs_and_date_give_the_same_bytes(seed_pdfa: Path, tmp_path: Path):
    """PDF/A-3b: the plain briefing's pages, fonts, charts and QR codes, and besides them the
    attached sources, the XMP metadata and the output intent; one more render of the seeds, not two."""
    first = seed_pdfa
    # Built again elsewhere, by the command line in another process, with another hash seed and folder.
    again = tmp_path / "again" / "other-name.pdf"
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-m", "reports", "--project", str(ROOT), "build", "--pdfa",
                             "--date", FIXED_DATE, "-o", str(again)],
                            capture_output=True, text=True, check=False, cwd=tmp_path,
                            env={**environment, "PYTHONHASHSEED": "7"})
    assert result.returncode == 0, result.stderr
    assert again != first and sha256(again) == sha256(first)


def test_the_landscape_charts_print_every_figure_once_as_numbered_figures(seed_briefing: Path):
    """The series marked chart: true are drawn as bars with every figure printed on its bar, and
    no table under them repeats the figures (issue 16): each figure is printed once, numbered
    图 1-3 with a caption that says what, of whom and the source, and the alt text lists them."""
    # -raw: in drawing order; two figures side by side have lines at the same height (a scale beside a
    # caption), which poppler's reading order would interleave.
    pages = pdftotext(seed_briefing, "-raw").split("\f")
    first = next(i for i, page in enumerate(pages) if "图 1" in page and "适应症分布" in page)
    last = next(i for i, page in enumerate(pages) if "图 3" in page and "实体瘤主要靶点" in page)
    landscape = "".join(pages[first:last + 1])  # the charts may run on to the next page
    landscape = landscape[landscape.index("数据来源"):]  # the summary above quotes some figures too
    third = landscape.index("图 3")
    landscape = landscape[:landscape.index("来源：[3]", third) + len("来源：[3]")]  # not the notes after the charts
    for figure in ("71.6%", "24.6%", "2.75%", "1.05%", "54.41%", "16.12%", "9.60%"):
        assert landscape.count(figure) == 1, figure
    flat = re.sub(r"\s+", "", landscape)
    for number, title in enumerate(("适应症分布", "血液瘤主要靶点", "实体瘤主要靶点"), start=1):
        assert f"图{number}{title}纳入分析的CAR-T临床试验1580项（ClinicalTrials.gov注册信息）" in flat, title
    # 71.6% beside 2.75%: one precision per chart, or the reason in its caption (issue 24); 图 2 and 3 are all in hundredths
    assert flat.count("数值照录原文，小数位数不一。") == 1
    assert flat.index("数值照录原文") < flat.index("图2")
    assert "来源：[3]" in flat
    assert "条形图，数值见下表" not in flat
    html = seed_briefing.with_suffix(".html").read_text(encoding="utf-8")
    assert 'alt="条形图：血液瘤主要靶点，血液瘤试验所涉靶点中的占比；原文未给出分母（血液瘤靶点共 62 个，这是靶点的个数，不是' \
        '占比的分母）。CD19 54.41%；BCMA 16.12%；' in html
    assert html.count('<figure class="series-chart">') == 3  # not the phases, not the publication rates
    assert html.count('<table>') == 2  # the phases and the publication rates keep their tables


def test_each_landscape_chart_has_a_scale_printed_as_text(seed_briefing: Path):
    """Issue 24: 图 1-3 had figures on their bars but no scale. Each percentage chart now runs from 0 to
    100 on a scale whose figures are text in one line under its bars."""
    root = ET.fromstring(subprocess.run(["pdftotext", "-bbox", str(seed_briefing), "-"], capture_output=True,
                                        check=True).stdout)
    scales = []
    for page in root.iter(XHTML + "page"):
        lines: dict[float, list[tuple[float, str]]] = {}
        for word in page.iter(XHTML + "word"):
            lines.setdefault(round(float(word.get("yMin")), 1), []).append((float(word.get("xMin")), word.text))
        for line in lines.values():
            texts = [text for _, text in sorted(line)]
            if all(re.fullmatch(r"\d+", text) for text in texts):
                scales.append(" ".join(texts))
    assert " ".join(scales).count("0 20 40 60 80 100") == 3, scales


def test_figures_no_source_states_are_marked_with_a_dagger_and_their_reason(seed_briefing: Path):
    """The curator's own and computed figures (own_figures, derived) are printed with †, and the
    section says where each comes from; no other figure carries the mark."""
    text = re.sub(r"\s+", "", pdftotext(seed_briefing))
    assert "519项（32.8%）†原文未单列" in text  # the summary, then the landscape
    assert "32.8%†（519/1580）" in text  # the derived row of the phase series
    assert "约380†个试验-靶点条目" in text and "合计112.4%†，超过100%†" in text
    assert "其余（原文未单列，多为I/II期：编者推算）：编者计算，519=1580−891−170；32.8%=519/1580×100" in text
    assert "约380：编者推算：51项÷13.41%≈380" in text
    assert "四类合计100%†" in text and "至少占全部试验的28.6%†" in text
    # summary (mark, note), landscape summary, denominators (2), derived row, limitations (5), notes, method
    assert text.count("†") == 13, text.count("†")
