"""An adverse event's grading system and version are stated where the event is named.

A grading (CTCAE 5.0, ASTCT) is stated in a cited excerpt, in a sentence that names the event, by
any of the names a source gives the system (``GRADING_NAMES``); a version is a number of that
sentence. Rule 8 of docs/rules.md; ``figures.check_part`` reports an event whose grading is not.
"""

from __future__ import annotations

import re
from decimal import Decimal

from reports.content.model import AdverseEvent
from reports.content.verify.quoted import Quoted, same_number
from reports.text.figures import IDENTIFIER

# How each grading system is named in a source, in Chinese and English.
GRADING_NAMES = {
    "CTCAE": r"CTCAE|不良事件通用术语标准|不良事件通用術語標準|Common Terminology Criteria",
    "ASTCT": r"ASTCT|美国移植和细胞治疗学会|美國移植和細胞治療學會|American Society (?:for|of) Transplantation and "
             r"Cellular Therapy",
}


def grading_stated(event: AdverseEvent, quoted: list[Quoted], terms: list[str]) -> bool:
    """The grading system and its version are named in a sentence of a cited excerpt that names the event."""
    system = GRADING_NAMES[event.grading.system]
    version = Decimal(event.grading.version) if re.fullmatch(r"\d+(\.\d+)?", event.grading.version or "") else None
    for excerpt in quoted:
        for index, sentence in enumerate(excerpt.sentences):
            if not re.search(system, sentence, re.IGNORECASE) or not excerpt.names(index, terms):
                continue
            numbers = [f.value for f in excerpt.figures if f.sentence == index and f.kind != IDENTIFIER]
            # v5.0 reads as an identifier (a letter before the digits), but after the system's name it is its version.
            written = event.grading.version and re.search(rf"\b[vV]\s*{re.escape(event.grading.version)}(?![\d.])", sentence)
            if version is None or written or any(same_number(number, version) for number in numbers):
                return True
    return False
