"""How an extractive answer is worded: the short answer, then the quote that holds it.

One rule for every answer kind (docs/design.md, rule 3): what the answer states outside a
quote (a short answer, a yes/no verdict) carries the attribution of the clause it comes from,
with that clause's own verb class: a claim stays a claim ("40 soldiers, as claimed by JNIM: “…”"),
a denial a denial, "has not confirmed" is worded "unverified" and never as
"confirmed". The attribution is said once: a quote with nothing stated before it (a summary
sentence, a sentence answer) gets no lead at all, so nothing reads "According to X: “X said
…”". The one thing added after a quote is a hedge the article puts in the next sentence ("The
army has not confirmed that figure."), said as the article's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.dates import resolve_relative_dates
from rag.text.markers import neutralize_markers

UNCONFIRMED = re.compile(
    r"\b(?:could not|cannot|can't|couldn't) be (?:independently )?(?:verified|confirmed|checked)|"
    r"\b(?:not|never|yet to|declined to|did not|has not|have not|had not) (?:been )?"
    r"(?:independently )?(?:confirm|verif)\w*|\bunverified\b|\bunconfirmed\b|"
    r"\brests? on the group's word\b|\bits own statement\b|\bown statement\b",
    re.I,
)

# Attribution verbs by class; the class decides the framing.
_CLASSES = {
    "claim": ("claim", "assert", "allege", "insist", "boast"),
    "deny": ("deny", "dispute"),
    "confirm": ("confirm", "verify", "acknowledge", "admit"),
    "estimate": ("estimate",),
    "say": (
        "say",
        "tell",
        "state",
        "add",
        "note",
        "write",
        "explain",
        "warn",
        "report",
        "announce",
    ),
}
_IRREGULAR = {"say": ("said", "says"), "tell": ("told", "tells"), "write": ("wrote", "writes")}


def _forms() -> dict[str, str]:
    out: dict[str, str] = {}
    for cls, verbs in _CLASSES.items():
        for v in verbs:
            if v in _IRREGULAR:
                forms = _IRREGULAR[v]
            elif v.endswith("y"):
                forms = (v[:-1] + "ied", v[:-1] + "ies")
            else:
                forms = (v + "d" if v.endswith("e") else v + "ed", v + "s")
            out.update(dict.fromkeys(forms, cls))
    return out


_FORMS = _forms()
_VERB = rf"\b(?:{'|'.join(sorted(_FORMS, key=len, reverse=True))})\b"
_VERB_RE = re.compile(_VERB, re.I)
# What may stand between a speaker and its verb: "JNIM has also said", "the army has not
# confirmed", "the office declined to confirm".
_BETWEEN = re.compile(
    r"(?:\s+(?:has|have|had|also|later|again|earlier|previously|publicly|repeatedly|"
    r"not|never|yet to|declined to|refused to|did not|does not|would not|could not))*\s*$",
    re.I,
)
_NEGATED = re.compile(r"\b(?:not|never|yet to|declined to|refused to)\b|n't\b", re.I)
# "The group said its fighters killed …": a party's account of its own deeds is its word, said
# as such before the figure; a third party's "said" needs no such lead (the quote opens with it).
_OWN_DEED = re.compile(
    r"^(?:\s+(?:on|in|late|early|last|this)\s+\w+)*,?\s+(?:that\s+)?"
    r"(?:it|they|we|(?:its|their|our)\s+(?:own\s+)?\w+)\s",
    re.I,
)
_CLAUSE = re.compile(
    r";\s*|,\s+(?:and|but|while|whereas|although|though)\s+|\s+(?:but|while|whereas)\s+"
)
# The word before a verb form that makes it a noun or a passive, not a speaker's verb.
_NOT_A_SUBJECT = re.compile(
    r"(?:['’]s|s['’]|^(?:the|a|an|its|his|her|their|our|of|in|on|for|by|with|to|and|is|are|"
    r"was|were|be|been|being))$",
    re.I,
)
_PRONOUN = re.compile(r"^(?:he|she|it|they|we|i|you|this|that|these|those|who|which)$", re.I)
_DETERMINER = re.compile(r"^(?:the|a|an|its|his|her|their|our|one|two|three|several)\b", re.I)
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|been|being|be)\s+(?:widely\s+|also\s+)?"
    r"(?P<verb>estimated|believed|thought|alleged|claimed)\b|"
    r"\b(?P<adverb>reportedly|allegedly|purportedly)\b",
    re.I,
)
_DISPUTED = re.compile(
    r",\s*which\s+(?P<who>[^,;.]+?)\s+(?:has\s+|have\s+)?(?:denied|disputed|disputes|denies|rejected)",
    re.I,
)
MAX_SPEAKER_WORDS = 10


@dataclass(frozen=True)
class Frame:
    """How a clause holds what it states: as someone's claim, a denial, an estimate, something
    unverified, or plainly said (``kind="say"``, which needs no words outside the quote)."""

    kind: str  # claim | own (account) | deny | estimate | believe | report | unverified | say
    speaker: str | None = None
    disputed_by: str | None = None  # ", which the army denied"
    unverified: bool = False  # a claim the article says could not be verified

    def lead(self, what: str) -> str:
        """ "40 soldiers, as claimed by JNIM", "400 soldiers (estimated)", "40 (unverified)"."""
        by = {
            "claim": "as claimed by",
            "own": "according to",
            "deny": "denied by",
            "estimate": "as estimated by",
        }
        alone = {"claim": "claimed", "deny": "denied", "estimate": "estimated",
                 "believe": "believed", "report": "reportedly", "unverified": "unverified"}  # fmt: skip
        if self.kind in by and self.speaker:
            what = f"{what}, {by[self.kind]} {self.speaker}"
        elif self.kind in alone:
            what = f"{what} ({alone[self.kind]})"
        notes = [f"denied by {self.disputed_by}"] if self.disputed_by else []
        notes += ["unverified"] if self.unverified and self.kind != "unverified" else []
        return what + "".join(f" ({n})" for n in notes)

    @property
    def hedged(self) -> bool:
        """What the clause states is someone's word or doubtful, not a plain fact."""
        return self.kind != "say" or self.disputed_by is not None or self.unverified


def frame(sentence: str, span: tuple[int, int] | None) -> Frame | None:
    """How ``sentence`` holds ``sentence[span]``: the verb that governs its clause ("JNIM said it
    killed 40"), a passive ("are estimated to have died"), "which the army denied", or a
    sentence the article says could not be verified. None: stated plainly."""
    found = _clause_frame(sentence, span) or Frame("say")
    disputed = _DISPUTED.search(sentence)
    disputed_by = None
    if disputed and (span is None or span[0] < disputed.start()):
        disputed_by = _speaker([disputed.group("who")])
    kind = found.kind
    unverified = _unverified(sentence, span)
    if kind in {"say", "believe", "report"} and unverified:
        kind = "unverified"
    found = Frame(kind, found.speaker, disputed_by, unverified)
    return None if not found.hedged else found


_CONCESSIVE = re.compile(r"^\s*(?:although|though|even though|while|whereas)\b[^,;]*,", re.I)


def _unverified(sentence: str, span: tuple[int, int] | None) -> bool:
    """The sentence says the span could not be verified: "Although exact casualty numbers
    remain unconfirmed, these strikes mark a sharp escalation" leaves the escalation as said."""
    aside = _CONCESSIVE.match(sentence)
    return any(
        not (aside and span is not None and m.end() <= aside.end() <= span[0])
        for m in UNCONFIRMED.finditer(sentence)
    )


def _clause_frame(sentence: str, span: tuple[int, int] | None) -> Frame | None:
    clauses = _clauses(sentence)
    if span is None:
        if len(clauses) != 1:
            return None  # which clause holds the answer is unknown
        span = (len(sentence), len(sentence))
    at = next((i for i, (a, b) in enumerate(clauses) if a <= span[0] < b), len(clauses) - 1)
    # A clause that starts "that …" continues the one before: "The army said 9 were killed,
    # and that the attackers were pushed back."
    for i in range(at, -1, -1):
        start, end = clauses[i]
        upto = min(span[0], end) if i == at else end
        # A passive governs its clause's subject, which stands before it: "more than 400
        # soldiers are estimated to have died".
        found = _verb_before(sentence, start, upto) or _passive(sentence[start:end])
        if found is not None or not re.match(r"\s*that\b", sentence[start:end], re.I):
            return found
    return None


def _clauses(sentence: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _verb_before(sentence: str, start: int, upto: int) -> Frame | None:
    """The attribution verb nearest before ``upto`` in its clause, with its speaker."""
    for m in reversed(list(_VERB_RE.finditer(sentence, start, upto))):
        before = sentence[start : m.start()]
        between = _BETWEEN.search(before)
        head = before[: between.start()] if between else before
        last = head.split()[-1] if head.split() else ""
        if _NOT_A_SUBJECT.search(last):
            continue  # "the firm's claims", "have been reported": a noun, or a passive
        who = _speaker(head.split(","))
        if who is None and not _PRONOUN.match(last):
            continue
        cls = _FORMS[m.group().lower()]
        if _NEGATED.search(between.group() if between else ""):
            # "has not confirmed" is never worded as "confirmed"; "did not say" reports nothing.
            return Frame("unverified") if cls == "confirm" else None
        if cls == "say" and who and _OWN_DEED.match(sentence[m.end() :]):
            cls = "own"
        return Frame(cls if cls in {"claim", "deny", "estimate", "own"} else "say", who)
    return None


def _passive(clause: str) -> Frame | None:
    m = _PASSIVE.search(clause)
    if not m:
        return None
    if m.group("adverb"):
        return Frame("report" if m.group("adverb").lower() == "reportedly" else "claim")
    verb = m.group("verb").lower()
    return Frame(
        {"estimated": "estimate", "alleged": "claim", "claimed": "claim"}.get(verb, "believe")
    )


def _speaker(segments: list[str]) -> str | None:
    """A named speaker, or None for a pronoun, a number or something too long to be one.
    "Kallas, 59," is Kallas; "Gen. Langley, commander of …," is Gen. Langley."""
    for who in (s.strip(" ”\"'’") for s in reversed(segments)):
        if not who or re.fullmatch(r"[\d\s.,%-]+", who):
            continue
        if _PRONOUN.match(who) or len(who.split()) > MAX_SPEAKER_WORDS:
            return None
        if not (who[0].isupper() or _DETERMINER.match(who)):
            continue  # an appositive ("commander of …"), not the speaker
        # "as claimed by The group" reads wrong: the capital was sentence-initial.
        return "the" + who[3:] if who.startswith("The ") else who
    return None


def locate(short: str, sentence: str) -> tuple[int, int] | None:
    """Where the short answer stands in the sentence: itself, or its first word."""
    for probe in (short, short.split()[0] if short.split() else ""):
        if probe:
            i = sentence.find(probe)
            if i >= 0:
                return i, i + len(probe)
    return None


def statement(short: str | None, sentence: str, following: str, published, markers: str) -> str:
    """ "40 soldiers, as claimed by JNIM: “JNIM claimed it killed 40 soldiers …” (the article adds
    that this was not independently confirmed) [1]"."""
    quote = "“" + neutralize_markers(sentence.strip()) + "”"
    dates = [
        f"{r.phrase} = {r.label}" for r in resolve_relative_dates(sentence, published) if r.label
    ]
    date_note = f" ({'; '.join(dates)}, from the article's date)" if dates else ""
    hedge = ""
    if unconfirmed_after(sentence, following):
        hedge = " (the article adds that this was not independently confirmed)"
    lead = ""
    if short and not _is_the_quote(short, sentence):
        held = frame(sentence, locate(short, sentence))
        lead = (held.lead(short) if held else short) + ": "
    return f"{lead}{quote}{date_note}{hedge} {markers}"


def unconfirmed_after(sentence: str, following: str) -> bool:
    """The article's next sentence says that what this one states could not be confirmed."""
    next_sentence = re.split(r"(?<=[.!?])\s", following.strip(), maxsplit=1)[0] if following else ""
    # "Unverified footage showed …" tells of other evidence; "… remain unconfirmed" of this.
    next_sentence = _ATTRIBUTIVE.sub(" ", next_sentence)
    return not UNCONFIRMED.search(sentence) and bool(UNCONFIRMED.search(next_sentence))


_ATTRIBUTIVE = re.compile(r"\bun(?:verified|confirmed)\s+(?!by\b|and\b|or\b)[A-Za-z]+", re.I)


def _is_the_quote(short: str, sentence: str) -> bool:
    return short.strip(" .").lower() == sentence.strip(" .").lower()
