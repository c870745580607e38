"""Verify the citations of a generated answer (docs/design.md, "The answer contract").

A generated answer is trusted only as far as it can be checked, so nothing the model writes
reaches the user unverified: a marker stays only if its passage backs its clause
(``rag.answer.support``), a claim stays only if every clause keeps a marker, and the survivors are
renumbered 1..n and become ``Citation`` objects whose offsets point into the article text, so the
user can read the supporting sentence. Markers and claims are read by ``rag.text.markers``.

What the model writes around the claims is judged here too: a NOT_FOUND reply, a trailing list of
sources, and sentences that only talk about the sources ("The passages disagree on the toll"),
which have nothing to cite and are kept.

Everything here is pure and deterministic: no model, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rag.answer.support import Support, supports
from rag.schema import Citation, Passage
from rag.text.facts import claim_facts
from rag.text.markers import Claim, format_markers, parse_claims, tidy

NOT_FOUND_TOKEN = "NOT_FOUND"
NOT_FOUND_MESSAGE = "I could not find the answer in the indexed articles."


@dataclass
class Verified:
    """An answer after verification: what the user may see."""

    answer: str
    citations: list[Citation]
    status: Literal["answered", "not_found"]
    notes: list[str] = field(default_factory=list)


_META = re.compile(r"\b(?:passages?|sources?|articles?|reports?|documents?)\b", re.IGNORECASE)
_META_VERB = re.compile(
    r"\b(?:not|no|neither|nor|disagree|differ|differs|conflict|conflicting|contradict|unclear|"
    r"vary|varies|only)\b|n't\b",
    re.IGNORECASE,
)
# A "Sources:" / "## References" heading that starts a list of sources after the answer.
_SOURCE_LIST = re.compile(
    r"^[ \t]*(?:[*_#]+[ \t]*)?(?:sources|references|citations)[ \t]*[*_]*[ \t]*(?::|$)",
    re.IGNORECASE | re.MULTILINE,
)


def is_not_found(answer_text: str) -> bool:
    """The model said it has no answer (it was told to reply NOT_FOUND).

    Any case: small models write "Not_FOUND" or "[not_found]" too (bench/real_llm.py); the
    underscore keeps the token from ever being prose."""
    return bool(re.search(rf"\b{NOT_FOUND_TOKEN}\b", answer_text, re.IGNORECASE))


def _is_meta(claim: Claim) -> bool:
    """ "The sources disagree on the toll." says something about the passages, not the world."""
    return bool(
        _META.search(claim.text) and _META_VERB.search(claim.text) and not claim_facts(claim.text)
    )


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _header(p: Passage) -> str:
    return " ".join(x for x in (p.title, p.source or "") if x)


_Key = tuple[int, tuple[int, int]]  # (passage index, supporting span in the passage)


def verify(answer_text: str, passages: Sequence[Passage]) -> Verified:
    """Check every claim of a generated answer against the passages its markers name.

    Markers are 1-based indexes into ``passages`` as numbered in the prompt. A marker whose
    passage does not support its clause (nor the whole sentence) is dropped; a sentence left
    with a clause that no marker supports is dropped, and so is a sentence with no marker at all
    unless it only talks about the sources ("The passages do not say who …"). Kept citations are
    renumbered 1..n by first appearance; one number per (passage, supporting sentence), so two
    claims backed by different sentences of one passage get two markers, each with its own quote.
    Nothing supported, or a NOT_FOUND reply, gives ``not_found`` with no citations.
    """
    notes: list[str] = []
    text = answer_text.strip()
    if is_not_found(text):
        return Verified(
            NOT_FOUND_MESSAGE, [], "not_found", ["the model found no answer (NOT_FOUND)"]
        )
    cut = _SOURCE_LIST.search(text)
    if cut and cut.start() > 0:
        text = text[: cut.start()].rstrip()

    claims = parse_claims(text)
    if not claims:
        # "[4]" alone: a small model names a passage but states nothing (bench/real_llm.py).
        return Verified(
            NOT_FOUND_MESSAGE,
            [],
            "not_found",
            ["the model's reply states nothing: " + _short(text)],
        )
    kept: list[tuple[Claim, list[dict[int, _Key]]]] = []
    dropped: list[Claim] = []
    any_cited = False
    for claim in claims:
        if not claim.clauses:
            if _is_meta(claim):
                kept.append((claim, []))
            else:
                dropped.append(claim)
                notes.append(f"dropped unsupported claim: {_short(claim.text)} (no citation)")
            continue
        per_clause: list[dict[int, _Key]] = []
        for clause in claim.clauses:
            ok: dict[int, _Key] = {}
            for n in clause.markers:
                if not 1 <= n <= len(passages):
                    notes.append(f"dropped marker [{n}]: no passage {n} was given")
                    continue
                p = passages[n - 1]
                support = supports(clause.text, p.text, published=p.published, header=_header(p))
                if not support.ok and clause.text != claim.text:
                    whole = supports(claim.text, p.text, published=p.published, header=_header(p))
                    support = whole if whole.ok else support
                if support.ok:
                    ok[n] = (n - 1, support.span)
                else:
                    notes.append(
                        f"dropped marker [{n}] on “{_short(clause.text, 80)}”: {_why(n, support)}"
                    )
            per_clause.append(ok)
        if all(per_clause):
            kept.append((claim, per_clause))
            any_cited = True
        else:
            dropped.append(claim)
            notes.append(f"dropped unsupported claim: {_short(claim.text)}")

    if not any_cited:
        return Verified(NOT_FOUND_MESSAGE, [], "not_found", notes)

    numbering: dict[_Key, int] = {}
    citations: list[Citation] = []
    edits: list[tuple[int, int, str]] = []
    for claim, per_clause in kept:
        for clause, ok in zip(claim.clauses, per_clause, strict=True):
            for g in clause.groups:
                new: list[int] = []
                for n in g.numbers:
                    if n not in ok:
                        continue
                    key = ok[n]
                    if key not in numbering:
                        numbering[key] = len(numbering) + 1
                        citations.append(_citation(numbering[key], passages[key[0]], key[1]))
                    if numbering[key] not in new:
                        new.append(numbering[key])
                edits.append((g.start, g.end, format_markers(new)))
    for claim in dropped:
        edits.append((*_line_aware(text, claim.start, claim.end), ""))
    for start, end, repl in sorted(edits, reverse=True):
        text = text[:start] + repl + text[end:]
    return Verified(tidy(text), citations, "answered", notes)


def _line_aware(text: str, a: int, b: int) -> tuple[int, int]:
    """Widen a deletion to its whole line when it is all the line holds (a list item)."""
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:a].strip() or text[b:line_end].strip():
        return a, b
    return line_start, min(line_end + 1, len(text))


def _why(n: int, support: Support) -> str:
    if support.missing:
        return f"passage {n} does not state " + ", ".join(support.missing)
    return f"passage {n} is not about it (word overlap {support.overlap:.2f})"


def _citation(marker: int, p: Passage, span: tuple[int, int]) -> Citation:
    return p.cite(marker, *span)
