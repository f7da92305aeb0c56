"""Abbreviations expanded at their first use: one pass over the finished HTML, before typesetting.

A reader meets each abbreviation of the glossary (seeds/glossary.yaml) first with its expansion,
细胞因子释放综合征（CRS）, and then alone; the briefing also lists them all (缩略语). The pass
runs in document order over the body's text. It leaves alone what is not the briefing's own
prose: the cover and contents, headings (their text is copied into bookmarks and running heads),
quotations (the source's words), titles and links, the reference list and the appendix. In a
pair (CRS/ICANS) the expansion follows the abbreviation: CRS（细胞因子释放综合征）/ICANS（…）. A use already in brackets
(剂量限制性毒性（DLT）) counts as expanded; one joined to a name by a hyphen (CAR-T) is a name,
not a use.

Written with the standard library's streaming HTML parser, as ``reports.typeset`` is: the
document is our own template output and only its text nodes change.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from reports.model import Glossary

SKIPPED_TAGS = {"head", "title", "style", "script", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "svg", "a"}
SKIPPED_CLASSES = {"cover", "toc", "references", "appendix", "abbreviations", "quote", "row-title"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def use_pattern(abbr: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9\-‐.]){re.escape(abbr)}(?![A-Za-z0-9]|[-‐])")


class Expander(HTMLParser):
    def __init__(self, glossary: Glossary):
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: whether its text is skipped
        self.pending = {entry.abbr: (entry.zh, use_pattern(entry.abbr)) for entry in glossary.abbreviations
                        if entry.expand}

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_decl(self, decl: str) -> None:
        self.parts.append(f"<!{decl}>")

    def handle_comment(self, data: str) -> None:
        self.parts.append(f"<!--{data}-->")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or "")
        if tag in VOID_TAGS:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        english = (attributes.get("lang") or "").lower().startswith("en")  # CAR T-cell therapy is English
        self.stack.append(tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES) or english)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        self.parts.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.parts.append(f"&#{name};")

    def handle_data(self, data: str) -> None:
        if self.skipping or not self.pending:
            self.parts.append(data)
            return
        self.parts.append(self.expand(data))

    def expand(self, data: str) -> str:
        for abbr, (zh, pattern) in list(self.pending.items()):
            match = pattern.search(data)
            if match is None:
                continue
            del self.pending[abbr]
            before = data[:match.start()].rstrip()
            if before.endswith(("（", "(")):
                continue  # already given in brackets after its name
            zh = escape(zh, quote=False)
            # In a pair (CRS/ICANS, CR/NED) the expansion follows each abbreviation instead.
            paired = data[match.start() - 1:match.start()] == "/" or data[match.end():match.end() + 1] == "/"
            expansion = f"{abbr}（{zh}）" if paired else f"{zh}（{abbr}）"
            head, after = data[:match.start()], data[match.end():]
            # The spaces around the abbreviation were there for Latin beside Han: none beside 全角 text.
            if re.match(r" [\u3400-\u9fff]", after) and expansion.endswith("）"):
                after = after[1:]
            if re.search(r"[\u3400-\u9fff] $", head) and not paired:
                head = head[:-1]
            data = head + expansion + after
        return data


def expand_abbreviations(html: str, glossary: Glossary | None) -> str:
    """The HTML with each glossary abbreviation expanded at its first use in the body's prose."""
    if glossary is None or not glossary.abbreviations:
        return html
    expander = Expander(glossary)
    expander.feed(html)
    expander.close()
    return "".join(expander.parts)
