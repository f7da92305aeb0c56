"""Abbreviations expanded at their first use: one pass over the finished HTML, before typesetting.

A reader meets each abbreviation of the glossary (seeds/glossary.yaml) first with its expansion,
细胞因子释放综合征（CRS）, and then alone; the briefing also lists them all (缩略语). The pass
runs in document order over the body's text. It leaves alone what is not the briefing's own
prose: the cover and contents, headings (their text is copied into bookmarks and running heads),
quotations (the source's words), titles and links, names (.name), a certainty's short form in
a table cell (.certainty: GRADE is spelled out at its first use outside such cells, in the
briefing's table legend or the handout's disclaimer), English text, the reference list and the
appendix. In a pair (CRS/ICANS) the expansion follows the abbreviation: CRS（细胞因子释放综合征）/
ICANS（…）. A use already in brackets (剂量限制性毒性（DLT）) counts as expanded; one joined to a
name by a hyphen (CAR-T) is a name, not a use.

It runs on ``reports.text.typeset.TextPass``, the same text-node pass as the typesetting.
"""

from __future__ import annotations

import re
from html import escape

from reports.content.model import Glossary
from reports.text.typeset import TextPass

SKIPPED_TAGS = {"head", "title", "style", "script", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "svg", "a"}
# .name: a publisher's or a person's name (CAR 细胞疗法证据简报编辑组), not prose that uses an abbreviation.
# .certainty: a rating's short form in a table cell (⊕⊕◯◯ 低, OCEBM 4 级): no cell spells out GRADE over four lines.
SKIPPED_CLASSES = {"cover", "toc", "references", "appendix", "abbreviations", "quote", "row-title", "name",
                   "certainty"}
HAN = r"\u3400-\u9fff"


def use_pattern(abbr: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9\-‐.]){re.escape(abbr)}(?![A-Za-z0-9]|[-‐])")


class Expander(TextPass):
    """Expands, in document order, the first use of each glossary abbreviation in the covered text."""

    def __init__(self, glossary: Glossary):
        super().__init__()
        self.pending = {entry.abbr: (entry.zh, use_pattern(entry.abbr)) for entry in glossary.abbreviations
                        if entry.expand}

    def covers(self, tag: str, attributes: dict[str, str | None], lang: str) -> bool:
        classes = set((attributes.get("class") or "").split())
        english = (attributes.get("lang") or "").lower().startswith("en")  # CAR T-cell therapy is English
        return tag not in SKIPPED_TAGS and not classes & SKIPPED_CLASSES and not english

    def rewrite(self, data: str) -> str:
        return escape(self.expand(data), quote=False)

    def expand(self, data: str) -> str:
        for abbr, (zh, pattern) in list(self.pending.items()):
            match = pattern.search(data)
            if match is None:
                continue
            del self.pending[abbr]
            head, after = data[:match.start()], data[match.end():]
            if head.rstrip().endswith(("（", "(")):
                continue  # already given in brackets after its name
            # In a pair (CRS/ICANS, CR/NED) the expansion follows each abbreviation instead.
            paired = head.endswith("/") or after.startswith("/")
            expansion = f"{abbr}（{zh}）" if paired else f"{zh}（{abbr}）"
            # The spaces around the abbreviation were there for Latin beside Han: none beside 全角 text.
            if re.match(rf" [{HAN}]", after) and expansion.endswith("）"):
                after = after[1:]
            if re.search(rf"[{HAN}] $", head) and not paired:
                head = head[:-1]
            data = head + expansion + after
        return data


def expand_abbreviations(html: str, glossary: Glossary | None) -> str:
    """The HTML with each glossary abbreviation expanded at its first use in the body's prose."""
    if glossary is None or not any(entry.expand for entry in glossary.abbreviations):
        return html
    return Expander(glossary).run(html)
