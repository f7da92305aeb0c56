"""Clinical words are claims: the lexicon of claim words, and whether the curator's text is backed.

A figure is checked against its excerpt by ``figures`` (this room); the words around it carry
as much meaning for a reader: 复发或难治性 or 初治, 患儿 or 成人, 单臂 or 随机对照, I 期 or III 期,
获批, 优于. ``lexicon.yaml`` (beside this module) groups such words by what they claim; each word
of the curator's own text must be stated, by a word of its group, in the excerpts of its scope (a
row's own excerpts; for an overview, the table's), or follow from a checked field of the row (the
design, the phase). The design fields themselves must be stated in the row's excerpts or be
``not-reported``. ``words`` applies this to a table's pieces of text, at their places.

Texts are compared in simplified script (OpenCC ``t2s``), lower-cased, without the spaces between
Chinese characters; a longer word consumes the shorter ones inside it, so that 非随机 never states
随机 and 无对照 never states 对照.

Written by hand: no library we know of tags clinical-trial wording in Chinese (the trial-NLP
tools, e.g. Trialstreamer's taggers, read English abstracts only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Iterable

import yaml

from reports.text.figures import IDENTIFIER, figures_in, sentences_of

LEXICON_FILE = "lexicon.yaml"
KINDS = ("plain", "anchored", "adjacent", "refused")
CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Names too general to tie an approval or a comparison to anything: the therapy classes themselves.
GENERIC_NAMES = frozenset({"car", "car-t", "car-nk", "car-m", "nk", "t", "b", "cd", "mhc", "scfv"})
ROMAN_PHASE = {"i": "I", "ⅰ": "I", "一": "I", "ii": "II", "ⅱ": "II", "二": "II", "iii": "III", "ⅲ": "III",
               "三": "III", "iv": "IV", "ⅳ": "IV", "四": "IV"}
_PHASE_NUMERAL = r"iv|iii|ii|i|ⅳ|ⅲ|ⅱ|ⅰ"
# A phase or stage as written: I 期, 早期 I 期, I/II 期, 一期临床试验 (Chinese numerals only before 临床/试验).
PHASE_TOKEN = re.compile(
    rf"(?<![a-z/／])(早期\s*)?({_PHASE_NUMERAL})(?:\s*[/／]\s*({_PHASE_NUMERAL}))?\s*期"
    r"|(?<![第同])([一二三四])(?:\s*[/／]\s*([一二三四]))?期(?=\s*(?:临床|试验|研究))"
    r"|\b(early\s+)?phase\s*(iv|iii|ii|i|[1-4])(?:\s*/\s*(iv|iii|ii|i|[1-4]))?\b"
)
PHASE_OF_CODE = {"early-phase-1": {"早期I"}, "phase-1": {"I"}, "phase-1-phase-2": {"I/II", "I", "II"},
                 "phase-2": {"II"}, "phase-2-phase-3": {"II/III", "II", "III"}, "phase-3": {"III"},
                 "phase-4": {"IV"}}
CERTAINTY_WORDS = re.compile(r"确定性(?:均为|均属|均|为|仅为|属)?\s*(极低|低|中等|中|高)")
CERTAINTY_CODES = {"极低": "very-low", "低": "low", "中等": "moderate", "中": "moderate", "高": "high"}
CERTAINTY_NAMES = {"very-low": "极低", "low": "低", "moderate": "中等", "high": "高"}


@dataclass(frozen=True)
class WordGroup:
    """Words that make the same claim (复发, 难治, relapsed ...), what they claim, and how strictly."""

    id: str
    category: str
    words: tuple[str, ...]
    kind: str = "plain"
    implied_by: tuple[str, ...] = ()


@dataclass
class Lexicon:
    groups: dict[str, WordGroup]
    neutral: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    owner: dict[str, str | None] = field(default_factory=dict)
    pattern: re.Pattern | None = None
    seen: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False, compare=False)  # found's answers
    clauses: dict[str, list] = field(default_factory=dict, repr=False, compare=False)  # found_with_clauses' answers

    def __post_init__(self) -> None:
        for phrase in self.neutral:
            self.owner[fold(phrase)] = None
        for group in self.groups.values():
            for word in group.words:
                self.owner.setdefault(fold(word), group.id)
        words = sorted(self.owner, key=len, reverse=True)
        alternatives = [rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if re.search(r"[a-z]", w) else re.escape(w)
                        for w in words]
        self.pattern = re.compile("|".join(alternatives))

    def found(self, folded: str) -> list[tuple[str, str]]:
        """(group id, word) of each claim word of a folded text, longest words first, neutral phrases left out.
        Looked for once per text: a check asks again for the same excerpts."""
        if folded not in self.seen:
            if len(self.seen) >= 4096:  # a long-lived lexicon (the service's, the draft's) stays small
                self.seen.clear()
            self.seen[folded] = [(self.owner[match.group()], match.group()) for match in self.pattern.finditer(folded)
                                 if self.owner[match.group()] is not None]
        return list(self.seen[folded])

    def same_thing(self, form: str, name: str) -> bool:
        """True when a quoted_as form names what the printed name does: they share a word of two characters
        or more, in either script, synonyms counted as one word (離世 for 死亡, not 存活 for 失访患者)."""
        form, name = self._canonical(form), self._canonical(name)
        return any(form[i:i + 2] in name for i in range(len(form) - 1))

    def _canonical(self, text: str) -> str:
        text = fold(text).replace(" ", "")
        for words in self.synonyms:
            for word in sorted(words, key=len, reverse=True):
                text = text.replace(fold(word), f"\x00{words[0]}\x00")
        return text

    def stated(self, folded: str) -> set[str]:
        """The groups a folded text states, with the groups they imply (单臂 states 无对照 too)."""
        groups = {group for group, _ in self.found(folded)}
        for group in self.groups.values():
            if set(group.implied_by) & groups:
                groups.add(group.id)
        return groups


@lru_cache(maxsize=16384)
def simplified(text: str) -> str:
    """Text in simplified script (OpenCC t2s), so that a word matches in either script: 失訪 is 失访."""
    return _converter().convert(text)


@cache
def _converter():
    import opencc  # the official OpenCC; imported here so that importing this module stays cheap

    return opencc.OpenCC("t2s.json")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Text as claim words are looked for in it: simplified script, lower case, no space beside a Chinese
    character, other whitespace as one space."""
    text = " ".join(simplified(text).lower().split())
    return re.sub(rf"(?<=[{CJK}（）()，。、；：“”])\s+|\s+(?=[{CJK}（）()，。、；：“”])", "", text)


def lexicon_from(data: dict, extra: dict[str, list[str]] | None = None) -> Lexicon:
    groups = {}
    for group_id, entry in (data.get("groups") or {}).items():
        groups[group_id] = WordGroup(group_id, entry["category"], tuple(entry["words"]), entry.get("kind", "plain"),
                                     tuple(entry.get("implied_by", ())))
    for group_id, words in (extra or {}).items():
        old = groups.get(group_id)
        groups[group_id] = (WordGroup(old.id, old.category, old.words + tuple(words), old.kind, old.implied_by)
                            if old else WordGroup(group_id, group_id, tuple(words)))
    synonyms = tuple(tuple(words) for words in data.get("synonyms") or ())
    return Lexicon(groups, tuple(data.get("neutral") or ()), synonyms)


@cache
def shipped_lexicon_data() -> dict:
    text = resources.files("reports.content.verify").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for group_id, entry in data["groups"].items():  # a slip in our own data file, not a user error
        if entry.get("kind", "plain") not in KINDS:
            raise ValueError(f"{LEXICON_FILE}: {group_id}: unknown kind {entry['kind']!r}")
    return data


def lexicon_for(extra: dict[str, list[str]] | None = None) -> Lexicon:
    """The shipped lexicon with a project's ``claim_words`` added."""
    key = tuple(sorted((group, tuple(words)) for group, words in (extra or {}).items()))
    return _lexicon_cached(key)


@cache
def _lexicon_cached(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> Lexicon:
    return lexicon_from(shipped_lexicon_data(), {group: list(words) for group, words in extra})


# ---------------------------------------------------------------------------------------------
# Phases, anchors and certainty words.


@lru_cache(maxsize=8192)
def phase_tokens(text: str) -> frozenset[str]:
    """The phases (or stages) a text names, normalised: {'I'}, {'I/II'}, {'早期I'}, {'IV'}.

    Kept per text: a check asks again for every pair of numbers it compares."""
    found = set()
    for match in PHASE_TOKEN.finditer(fold(text)):
        early, first, second, zh_first, zh_second, en_early, en_first, en_second = match.groups()
        if first:
            token = ROMAN_PHASE[first] + (f"/{ROMAN_PHASE[second]}" if second else "")
            found.add(("早期" if early else "") + token)
        elif zh_first:
            found.add(ROMAN_PHASE[zh_first] + (f"/{ROMAN_PHASE[zh_second]}" if zh_second else ""))
        else:
            numbers = {"1": "I", "2": "II", "3": "III", "4": "IV"}
            first_token = numbers.get(en_first) or ROMAN_PHASE[en_first]
            token = first_token + (f"/{numbers.get(en_second) or ROMAN_PHASE[en_second]}" if en_second else "")
            found.add(("早期" if en_early else "") + token)
    return frozenset(found)


def anchors(sentence: str) -> set[str]:
    """What ties a sentence to its subject: the numbers it states and the names it gives (HER2, GD2, CT-0508)."""
    found = {str(figure.value.normalize()) for figure in figures_in(sentence) if figure.kind != IDENTIFIER}
    for name in re.findall(r"[A-Za-z][A-Za-z0-9.+\-]*[A-Za-z0-9+]|[A-Za-z]", sentence):
        if name.lower() not in GENERIC_NAMES:
            found.add(name.lower())
    return found


def certainty_words(text: str) -> list[str]:
    """The GRADE certainty a text states in words (证据确定性极低): as codes."""
    return [CERTAINTY_CODES[match.group(1)] for match in CERTAINTY_WORDS.finditer(fold(text))]


# ---------------------------------------------------------------------------------------------
# The scope a text is checked against.


@dataclass
class Scope:
    """The excerpts a piece of curated text may rest on, read once, and what the checked fields add."""

    texts: list[str]
    lexicon: Lexicon
    implied: set[str] = field(default_factory=set)
    phases: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)
    ids: list[str] = field(default_factory=list)  # the excerpts' ids, in the order of texts
    groups: set[str] = field(init=False)
    stated_phases: set[str] = field(init=False)
    sentences: list[tuple[str, set[str]]] = field(init=False)  # (folded sentence, its anchors)
    used: set[str] = field(init=False)  # ids of the excerpts that stated a word of the text checked
    words_checked: int = field(init=False)

    def __post_init__(self) -> None:
        self.groups, self.stated_phases, self.sentences, self.used = set(), set(), [], set()
        self.words_checked = 0
        self.by_text: list[set[str]] = []
        self.squeezed = [letters_and_digits(fold(text)) for text in self.texts]
        for text in self.texts:
            folded = PHASE_TOKEN.sub(" ", fold(text))
            stated = self.lexicon.stated(folded)
            self.by_text.append(stated)
            self.groups |= stated
            self.stated_phases |= phase_tokens(text)
            for start, end in sentences_of(text):
                self.sentences.append((fold(text[start:end]), anchors(text[start:end])))

    def note_use(self, group_id: str) -> None:
        self.used.update(id_ for id_, stated in zip(self.ids, self.by_text) if group_id in stated)

    def anchored(self, group: WordGroup, sentence_anchors: set[str]) -> bool:
        """True when a sentence of the scope states the group and shares a figure or a name with the curator's."""
        for folded, its_anchors in self.sentences:
            if group.id in self.lexicon.stated(folded) and its_anchors & sentence_anchors:
                return True
        return False

    def adjacent(self, group: WordGroup, following: str) -> bool:
        """True when an excerpt has a word of the group followed by the same name (自体 CAR-T, 异基因 CD19)."""
        if not following:
            return True
        words = [letters_and_digits(fold(word)) for word in group.words]
        for text in self.squeezed:
            for word in words:
                at = text.find(word)
                while at >= 0:
                    if text[at + len(word):].startswith(following):
                        return True
                    at = text.find(word, at + 1)
        return False


def letters_and_digits(folded: str) -> str:
    """A folded text with only its letters, digits and Chinese characters: CAR - t and CAR-T compare equal."""
    return re.sub(rf"[^0-9a-z{CJK}]+", "", folded)


def following_name(folded: str, end: int) -> str:
    """The name after a word: its Latin letters and digits (cd19, cart), else its next two Chinese characters."""
    rest = letters_and_digits(folded[end:])
    latin = re.match(r"[0-9a-z]+", rest)
    return latin.group()[:5] if latin else rest[:2]


# A clause that says what the source does not report claims nothing by the words it names.
NOT_REPORTED = re.compile(r"未报告|未报道|未給出|未给出|未说明|未提及|未标注|未明确|不明|未单列|not reported")


def found_with_clauses(lexicon: Lexicon, folded: str) -> list[tuple[str, str, bool, str]]:
    """(group, word, whether a clause around it says the source does not report it, the name after it) for
    each claim word of a folded sentence, once each. Read once per sentence and lexicon: the curated text
    is checked again with every check of the same project."""
    if folded not in lexicon.clauses:
        if len(lexicon.clauses) >= 4096:  # a long-lived lexicon stays small
            lexicon.clauses.clear()
        lexicon.clauses[folded] = _found_with_clauses(lexicon, folded)
    return list(lexicon.clauses[folded])


def _found_with_clauses(lexicon: Lexicon, folded: str) -> list[tuple[str, str, bool, str]]:
    found = []
    for match in lexicon.pattern.finditer(folded):
        group = lexicon.owner[match.group()]
        if group is None:
            continue
        left = max((m.end() for m in re.finditer(r"[，,；;：:（(）)]", folded[:match.start()])), default=0)
        # 原文未报告客观缓解 (the cue before the word), （如 ORR、CR 率）未标注 (the cue just after its brackets)
        negated = bool(NOT_REPORTED.search(folded[left:match.start()])
                       or NOT_REPORTED.search(folded[match.end():match.end() + 10]))
        found.append((group, match.group(), negated, following_name(folded, match.end())))
    return list({(g, w, f): (g, w, n, f) for g, w, n, f in reversed(found)}.values())[::-1]


def unbacked_words(text: str, scope: Scope) -> list[str]:
    """What is wrong with the claim words of one piece of curated text, one message each (empty: all backed)."""
    problems: list[str] = []
    lexicon = scope.lexicon
    for start, end in sentences_of(text):
        sentence = text[start:end]
        folded = PHASE_TOKEN.sub(" ", fold(sentence))
        sentence_anchors = anchors(sentence)
        for group_id, word, negated, following in found_with_clauses(lexicon, folded):
            group = lexicon.groups[group_id]
            scope.words_checked += 1
            if group.kind != "refused" and negated:
                continue  # "原文未报告客观缓解": a statement about what the source leaves out
            if group.kind == "refused":
                problems.append(f"“{word}” is a cure word ({group.category}): the curator's own text never says a "
                                "therapy cures; state the result (无疾病证据, 完全缓解 and how long), or quote the source")
            elif group_id in scope.implied:
                continue
            elif group_id not in scope.groups:
                problems.append(f"“{word}” ({group.category}) is not stated in {{scope}}; quote where the source says "
                                "it, or write what the source says")
            elif group.kind == "anchored" and not scope.anchored(group, sentence_anchors):
                problems.append(f"“{word}” ({group.category}) is stated in {{scope}} only about something else (no "
                                "figure or name in common with this sentence); quote where the source says it of "
                                "this, or remove it")
            elif group.kind == "adjacent" and not scope.adjacent(group, following):
                problems.append(f"“{word}” ({group.category}) is stated in {{scope}} only of something else, never "
                                f"beside “{following}”; quote where the source says it of this, or correct it")
            else:
                scope.note_use(group_id)
    for token in sorted(phase_tokens(text) - scope.stated_phases - scope.phases):
        problems.append(f"“{token} 期” is not stated in {{scope}} and is not the row's phase; quote where the source "
                        "gives it, or correct it")
    for grade in certainty_words(text):
        if grade not in scope.grades:
            rated = "、".join(CERTAINTY_NAMES[g] for g in sorted(scope.grades)) or "none"
            problems.append(f"the text says the certainty is {CERTAINTY_NAMES[grade]} ({grade}), but the rating here "
                            f"is {rated}; say what the rating is")
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------------------------------------
# The design fields: stated in the row's excerpts, or not-reported.

# Which lexicon groups state a design field's value.
DESIGN_EVIDENCE: dict[tuple[str, str], tuple[str, ...]] = {
    ("allocation", "randomized"): ("randomised",),
    ("allocation", "non-randomized"): ("non-randomised", "single-arm"),
    ("masking", "none"): ("open-label",),
    ("masking", "single"): ("single-blind",),
    ("masking", "double"): ("double-blind",),
    ("masking", "triple"): ("triple-blind",),
    ("masking", "quadruple"): ("quadruple-blind",),
    ("intervention_model", "single-group"): ("single-arm",),
    ("intervention_model", "parallel"): ("parallel", "controlled", "randomised"),
    ("intervention_model", "crossover"): ("crossover",),
    ("intervention_model", "sequential"): ("sequential",),
    ("intervention_model", "factorial"): ("factorial",),
    ("study_type", "case-report"): ("case-report",),
    ("study_type", "interventional"): ("trial", "case-series", "first-in-human"),
    ("study_type", "observational"): ("observational",),
    ("study_type", "registry-analysis"): ("registry-analysis",),
}


def design_groups(design) -> set[str]:
    """The lexicon groups the design fields state (a checked single-group design states 单臂 and 无对照)."""
    implied: set[str] = set()
    for (name, value), groups in DESIGN_EVIDENCE.items():
        if getattr(design, name) == value and name != "study_type":
            implied.add(groups[0])
    if design.intervention_model == "single-group" or design.study_type == "case-report":
        implied.add("uncontrolled")
    if design.study_type == "case-report":
        implied.add("case-report")
    return implied


def design_problems(design, scope: Scope, people: Iterable[int]) -> list[tuple[str, str]]:
    """(field, message) for each design field that its row's excerpts do not state."""
    problems = []
    interventional = design.study_type == "interventional"
    for name in ("study_type", "allocation", "intervention_model", "masking"):
        value = getattr(design, name)
        if value == "not-reported":
            continue
        if value == "na":
            applies = not interventional or (name == "allocation"
                                             and design.intervention_model in ("single-group", "not-reported"))
            if not applies:
                problems.append((name, f"design.{name}: na (not applicable) is for studies without arms "
                                       "(case reports, observational studies) and single-group allocation; write "
                                       "what the source states, or not-reported"))
            continue
        groups = DESIGN_EVIDENCE.get((name, value))
        if groups is None:
            continue
        if name == "study_type" and value == "case-report" and 1 in set(people):
            continue
        if not set(groups) & scope.groups:
            words = "、".join(scope.lexicon.groups[g].words[0] for g in groups)
            problems.append((name, f"design.{name}: {value} is not stated in this row's excerpts (no {words}); quote "
                                   "where the source describes the design, or write not-reported"))
    return problems
