"""``[n]`` citation markers and the cited sentences of an answer (docs/design.md, "The answer
contract").

``MARKER_RE`` is the one marker pattern of newsrag: the answerers, the verifier, the stream
splitter and the Slack renderer all read markers through it. It accepts what models write
(``[1, 2]``, ``[1-3]``, ``【1】``, ``[Passage 2]``); newsrag itself writes only ``[1][2]``
(``format_markers``), which the widget and Slack parse.

``parse_claims`` splits an answer into sentences and the clauses each marker group vouches for.
Everything here is pure text: no model, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.text.tokens import sentence_spans

# "[1-3]" expands to 1, 2, 3; a wider range is taken as its two ends (a typo, not 40 passages).
MAX_RANGE = 10

_NUMBER_LIST = r"\d{1,3}(?:\s*(?:[,;]|[-–])\s*\d{1,3})*"
MARKER_RE = re.compile(
    r"[\[【]\s*(?:(?:passage|source|doc(?:ument)?|ref)\s*)?(" + _NUMBER_LIST + r")\s*[\]】]",
    re.IGNORECASE,
)
"""One marker: ``[1]``, ``[1, 2]``, ``[1,2]``, ``[1-3]``, ``【1】``, ``[Passage 2]``.

Group 1 is the number list; ``marker_numbers`` reads it. ``[sic]``, ``[Reuters]`` or
``[citation needed]`` never match."""
MARKER_GROUP_RE = re.compile(
    rf"(?:{MARKER_RE.pattern})(?:\s*(?:{MARKER_RE.pattern}))*", re.IGNORECASE
)
"""Adjacent markers at one place: ``[1][2]``, ``[1] [3]``."""


@dataclass(frozen=True)
class MarkerGroup:
    """Adjacent markers (``[1][2]``, ``[1] [3]``) at one place in the answer text."""

    start: int
    end: int
    numbers: tuple[int, ...]


def marker_numbers(body: str) -> list[int]:
    """The passage numbers of one marker's body: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body.strip()):
        rng = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if rng:
            lo, hi = int(rng[1]), int(rng[2])
            out.extend(range(lo, hi + 1) if 0 <= hi - lo < MAX_RANGE else (lo, hi))
        elif part:
            out.append(int(part))
    return out


def marker_groups(text: str) -> list[MarkerGroup]:
    """Every group of adjacent markers in ``text``, numbers deduplicated in order."""
    groups = []
    for g in MARKER_GROUP_RE.finditer(text):
        nums: list[int] = []
        for m in MARKER_RE.finditer(g.group()):
            nums.extend(n for n in marker_numbers(m.group(1)) if n not in nums)
        groups.append(MarkerGroup(g.start(), g.end(), tuple(nums)))
    return groups


def has_marker(text: str) -> bool:
    return MARKER_RE.search(text) is not None


def format_markers(numbers: Iterable[int]) -> str:
    """[1, 2] -> "[1][2]", the one form newsrag writes (the widget and Slack parse it)."""
    return "".join(f"[{n}]" for n in numbers)


def strip_markers(text: str) -> str:
    """The text without its markers: "40 soldiers [1]." -> "40 soldiers."."""
    return tidy(MARKER_GROUP_RE.sub("", text))


def blank_markers(text: str) -> str:
    """The text with its markers blanked to spaces, so offsets still point into the original."""
    return MARKER_GROUP_RE.sub(lambda m: " " * len(m.group()), text)


def neutralize_markers(text: str) -> str:
    """An article's own "[1]" would read as one of our markers: show it as "(1)"."""
    return MARKER_RE.sub(lambda m: "(" + m.group()[1:-1] + ")", text)


def split_after_markers(text: str) -> list[str]:
    """``text`` cut after each marker group that more text follows: "A [1] B [2]" ->
    ["A [1]", "B [2]"], so a streamed piece never arrives without the marker behind it."""
    pieces: list[str] = []
    start = 0
    for g in MARKER_GROUP_RE.finditer(text):
        gap = re.match(r"\s+(?=\S)", text[g.end() :])
        if gap:
            pieces.append(text[start : g.end()])
            start = g.end() + gap.end()
    pieces.append(text[start:])
    return pieces


# --- claims ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """The part of a sentence that one or more marker groups vouch for.

    A sentence with one marker group is one clause. "JNIM said it killed 40 [1], the army said 12
    [2]." has two: each source is checked against the part it was put after."""

    text: str
    markers: tuple[int, ...]
    groups: tuple[MarkerGroup, ...]


@dataclass(frozen=True)
class Claim:
    """One sentence of a generated answer."""

    text: str  # the sentence without its markers
    markers: tuple[int, ...]  # every marker of the sentence, in order, without repeats
    start: int  # span in the answer text, markers after the sentence included
    end: int
    clauses: tuple[Clause, ...] = ()

    @property
    def cited(self) -> bool:
        return bool(self.markers)


def parse_claims(answer_text: str) -> list[Claim]:
    """Sentences of ``answer_text`` with their markers, in order.

    Markers are blanked before splitting, so "… soldiers.[1] Next" splits like "… soldiers. Next";
    a marker after the final punctuation ("… soldiers. [1]") belongs to the sentence before it.
    """
    groups = marker_groups(answer_text)
    blank = blank_markers(answer_text)
    spans = sentence_spans(blank)
    if not spans:
        return []
    owned: list[list[MarkerGroup]] = [[] for _ in spans]
    for g in groups:
        owner = 0
        for i, (s, _e) in enumerate(spans):
            if s <= g.start:
                owner = i
        owned[owner].append(g)

    claims = []
    for (s, e), gs in zip(spans, owned, strict=True):
        start = min([s] + [g.start for g in gs])
        end = max([e] + [g.end for g in gs])
        claims.append(
            Claim(
                text=tidy_line(blank[s:e]),
                markers=merge_numbers(gs),
                start=start,
                end=end,
                clauses=_clauses(blank, s, e, gs),
            )
        )
    return claims


def _clauses(blank: str, s: int, e: int, groups: list[MarkerGroup]) -> tuple[Clause, ...]:
    if not groups:
        return ()
    out: list[Clause] = []
    pending: list[MarkerGroup] = []
    cursor = s
    for i, g in enumerate(groups):
        stop = e if i == len(groups) - 1 else g.start
        part = tidy_line(blank[cursor:stop]) if stop > cursor else ""
        cursor = max(cursor, g.end)
        if not re.search(r"\w", part):
            if out:  # "… [1] — [2]": the stray group vouches for the clause before it
                prev = out[-1]
                out[-1] = Clause(prev.text, merge_numbers(prev.groups + (g,)), prev.groups + (g,))
            else:  # "[1] JNIM said …": a leading group vouches for what follows
                pending.append(g)
            continue
        gs = (*pending, g)
        pending = []
        out.append(Clause(part, merge_numbers(gs), gs))
    return tuple(out)  # empty when the sentence has no words to vouch for


def merge_numbers(groups: Sequence[MarkerGroup]) -> tuple[int, ...]:
    """The numbers of several groups, in order, without repeats."""
    nums: list[int] = []
    for g in groups:
        nums.extend(n for n in g.numbers if n not in nums)
    return tuple(nums)


def tidy_line(text: str) -> str:
    """One line with its runs of blanks collapsed and no space before punctuation (what is left
    after markers were cut out)."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" +([.,;:!?])", r"\1", text)
    return text.strip()


def tidy(text: str) -> str:
    """``tidy_line`` for every line; list bullets left empty are dropped, blank runs shortened."""
    lines = [tidy_line(line) for line in text.split("\n")]
    lines = [line for line in lines if not re.fullmatch(r"(?:[-*•]|\d+[.)])", line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
