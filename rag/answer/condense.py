"""The rewriting of follow-ups into standalone questions.

Rule-based, so it works offline:

* an elliptic follow-up swaps the new name (or number) into the last substantive question:
  "and at Timbuktu?" after "How many soldiers died at Dioura?" becomes
  "How many soldiers died at Timbuktu?";
* "who said that?" asks for the source of the previous answer's claim: after
  "How many soldiers died at Dioura?" answered "40 soldiers" it becomes
  "Who said that 40 soldiers died at Dioura?";
* a bare question phrase ("why?", "when?", "by how many votes?") asks it of the previous
  question with its answer in the slot: after "Who won the mayoral election?" answered
  "Jane Doe", "by how many votes?" becomes "By how many votes did Jane Doe win the mayoral
  election?" and "why?" becomes "Why did Jane Doe win the mayoral election?";
* "he", "she" (and "they") stand for the previous answer when it was a name: "has she
  resigned?" becomes "Has Jane Doe resigned?";
* "where is that?" asks where the last name of the previous question is;
* any other short question that leans on the context ("when was it played?") carries the
  subject of the last substantive question along: "when was it played (regarding: won the cup
  final)?".

The conversations themselves are kept by the API (api/state/conversations.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.question import focus_terms
from rag.text.verbs import base_form, is_past


@dataclass
class Turn:
    question: str  # as the user asked it
    standalone: str  # as it was searched
    answer: str = ""
    short_answer: str | None = None  # the answer span alone, when there was one


# --- rewriting follow-ups ---------------------------------------------------------------------

_ELLIPTIC = re.compile(
    r"^\s*(?:and\s+what\s+about|and\s+how\s+about|what\s+about|how\s+about|same\s+for|"
    r"also|and)\b[\s,]*",
    re.I,
)
_QUESTION_START = re.compile(
    r"^(?:how|what|which|when|where|who|whom|whose|why|is|are|was|were|did|does|do|has|have|"
    r"had|can|could|will|would)\b",
    re.I,
)
_PRONOUN = re.compile(
    r"\b(?:he|she|they|them|it|its|that|this|those|these|there|his|her|their|then)\b", re.I
)
_WHO_SAID = re.compile(
    r"^\s*(?:(?:and\s+)?(?:who|which\s+\w+)\s+(?:said|says|claimed|claims|reported|reports|"
    r"stated|states|announced|confirmed|estimated|made)\s+(?:that|this|so|it|the\s+claim)|"
    r"according\s+to\s+whom|says\s+who|who\s+is\s+the\s+source(?:\s+of\s+(?:that|this))?|"
    r"what\s+is\s+the\s+source(?:\s+of\s+(?:that|this))?|who\s+says\s+so)\s*[?.!]*\s*$",
    re.I,
)
# The leading question phrase of a question: "How many soldiers", "When did", "Who".
_WH_LEAD = re.compile(
    r"^\s*(?:how\s+(?:many|much)|how\s+\w+|what|which|when|where|who(?:m|se)?|why|"
    r"is|are|was|were|did|does|do|has|have|had|can|could|will|would)\b\s*",
    re.I,
)
_AUX = re.compile(r"^(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could)\b\s*", re.I)
_HOW_MANY = re.compile(
    r"^\s*how\s+(?:many|much)\s+(?P<noun>[\w'-]+)\s+(?P<rest>.+?)\s*\??\s*$", re.I
)
_NUMBER = re.compile(r"\d")
_PREPOSITIONS = r"(?:at|in|on|for|from|of|near|against|by|to)"
_MAX_FOLLOWUP_WORDS = 8


def condense_question(question: str, history: list[Turn]) -> str:
    """The question as it should be searched, given the conversation so far."""
    q = " ".join(question.split())
    if not history or not q:
        return question
    base = _base_turn(history)
    previous = base.standalone.strip()
    new_focus = focus_terms(q)

    if _WHO_SAID.match(q):
        claim = _declarative(previous, base.short_answer)
        if claim:
            return f"Who said that {claim}?"
        return f"Who said that (regarding: {_subject(previous)})?"

    if _ELLIPTIC.match(q):
        rest = _ELLIPTIC.sub("", q, count=1).strip(" ?.!,")
        if _QUESTION_START.match(rest):
            # "and who said that?", "and when was it?": a question of its own after the "and".
            return condense_question(rest[0].upper() + rest[1:] + "?", history)
        names_only = _only_names(rest, new_focus)
        rewritten = _swap_focus(previous, rest, new_focus, names_only=names_only)
        if rewritten:
            return rewritten
        lead = _LEAD.match(previous)
        if not names_only and lead and new_focus:
            # "what about the tram line in Port Alder?": a new subject; keep what was asked.
            return f"{lead.group().strip().capitalize()} {rest}?"
        if rest:
            return f"{previous.rstrip(' ?.!')} {rest}?"
        return previous

    named = _WHAT_IS_THAT.match(q)
    previous_focus = focus_terms(previous)
    if named and previous_focus:
        # "where is that?" after "How many soldiers died at Boulikessi?": the place named last.
        return (
            f"{named.group('wh').capitalize()} {named.group('aux').lower()} {previous_focus[-1]}?"
        )

    bare = _BARE_WH.match(q)
    if bare:
        clause = _aux_clause(previous, base.short_answer)
        if clause:
            lead = _WH_ALIASES.get(bare.group("wh").lower(), bare.group("wh"))
            return f"{lead[0].upper()}{lead[1:]} {clause}?"

    name = _answer_name(base.short_answer)
    if name and _QUESTION_START.match(q) and _PERSONAL.search(q):
        rewritten = _PERSONAL.sub(lambda m: _name_for(m.group(), name), q)
        return rewritten[0].upper() + rewritten[1:]

    if not new_focus and _leans_on_context(q):
        return f"{q.rstrip(' ?.!')} (regarding: {_subject(previous)})?"
    return question


_WHAT_IS_THAT = re.compile(
    r"^\s*(?:(?:and|so|ok|okay)\s*,?\s+)?(?P<wh>where|what)\s+(?P<aux>is|was)\s+"
    r"(?:that|it|this)(?:\s+place)?\s*[?.!]*\s*$",
    re.I,
)
# "why?", "and when?", "by how many votes?", "how much exactly?": a question phrase alone.
_BARE_WH = re.compile(
    r"^\s*(?:(?:and|but|so|ok|okay)\s*,?\s+)?(?P<wh>why(?:\s+(?:is|was)\s+that|\s+so)?|"
    r"how\s+come|how\s+so|how|when|where|since\s+when|"
    r"(?:by|for|with|in|to|from|at|against)\s+(?:how\s+many|how\s+much|what|which|whom)"
    r"(?:\s+[a-z]+){0,2}|how\s+(?:many|much|long|often|far|big|badly)(?:\s+[a-z]+){0,2})"
    r"(?:\s+exactly)?\s*[?.!]*\s*$",
    re.I,
)
_WH_ALIASES = {
    "why is that": "why",
    "why was that": "why",
    "why so": "why",
    "how come": "why",
    "how so": "how",
}
_WH_SUBJECT = re.compile(
    r"^(?P<wh>who|what|which\s+[a-z]+|how\s+many\s+[\w'-]+|how\s+much\s+[\w'-]+)\s+"
    r"(?P<verb>[a-z]+)\b\s*(?P<rest>.*)$",
    re.I,
)
_WH_AUX = re.compile(
    r"^(?P<wh>when|where|why|how|what|which\s+[a-z]+|whom?|how\s+(?:many|much)\s+[\w'-]+)\s+"
    r"(?P<aux>did|does|do|is|are|was|were|has|have|had|will|would|can|could|should)\s+"
    r"(?P<rest>.+)$",
    re.I,
)
_AUX_WORDS = {
    "did", "does", "do", "is", "are", "was", "were", "has", "have", "had", "will", "would",
    "can", "could", "should", "may", "might", "must", "am", "be", "been",
}  # fmt: skip


def _aux_clause(question: str, short_answer: str | None) -> str | None:
    """The previous question as a clause a question phrase can lead, answer in its slot.

    "Who won the mayoral election?" + "Jane Doe" → "did Jane Doe win the mayoral election";
    "When did the bank cut its rate?" → "did the bank cut its rate";
    "How many soldiers were killed at Dioura?" + "40 soldiers" → "were 40 soldiers killed at
    Dioura". None when there is no safe clause ("Who is Michael Langley?").
    """
    body = " ".join(question.split()).rstrip(" ?.!")
    answer = (short_answer or "").strip().rstrip(".")
    if _AUX.match(body):
        return body[0].lower() + body[1:]  # a yes/no question is already a clause
    m = _WH_SUBJECT.match(body)
    if m and m.group("verb").lower() not in _AUX_WORDS:
        if not answer:
            return None
        subject = _amount(m.group("wh"), answer)
        verb = m.group("verb")
        aux = "did" if is_past(verb) else ("does" if verb.lower().endswith("s") else "do")
        return " ".join(x for x in (aux, subject, base_form(verb), m.group("rest")) if x)
    m = _WH_AUX.match(body)
    if not m:
        return None
    wh, aux, rest = m.group("wh").lower(), m.group("aux").lower(), m.group("rest")
    if wh.startswith("how ") and aux in {"is", "are", "was", "were"} and answer:
        return f"{aux} {_amount(wh, answer)} {rest}"  # "were 40 soldiers killed at Dioura"
    if wh in {"who", "what"} and aux in {"is", "are", "was", "were"}:
        return None  # "Who is X?": nothing happened to ask about
    if (wh in {"what", "whom", "who"} or wh.startswith("which ")) and aux in {"did", "does", "do"}:
        return f"{aux} {rest} {answer}" if answer else None  # "did the council approve X"
    if wh.startswith(("what", "which", "who")):
        return None
    return f"{aux} {rest}"


def _amount(wh: str, answer: str) -> str:
    """ "how many soldiers" + "40" → "40 soldiers"; other subjects are the answer itself."""
    m = re.match(r"how\s+(?:many|much)\s+([\w'-]+)", wh, re.I)
    if m and m.group(1).lower() not in answer.lower():
        return f"{answer} {m.group(1)}"
    return answer


_PERSONAL = re.compile(r"\b(?:he|she|him|her|his|hers)\b", re.I)
_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*)(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al|bin|da))*$")


def _answer_name(short_answer: str | None) -> str | None:
    """The previous answer when it is a person's name ("Jane Doe"), for "he"/"she"."""
    text = (short_answer or "").strip()
    if not text or not _NAME.match(text) or len(text.split()) > 4:
        return None
    if text.lower() in {"yes", "no"}:
        return None  # a yes/no verdict names no one
    return text


def _name_for(pronoun: str, name: str) -> str:
    return f"{name}'s" if pronoun.lower() in {"his", "hers"} else name


def _base_turn(history: list[Turn]) -> Turn:
    """The last turn that named its own subject: follow-ups refer to it, not to each other.

    After "How many soldiers died at Dioura?", "who said that?", the next "and at Timbuktu?"
    is about soldiers at Timbuktu, not about who said something at Timbuktu.
    """
    for turn in reversed(history):
        asked = " ".join(turn.question.split())
        if _WHO_SAID.match(asked):
            continue
        if focus_terms(asked) or not _leans_on_context(asked):
            return turn
    return history[-1]


def _leans_on_context(q: str) -> bool:
    """Short, or pointing back with a pronoun: it cannot be searched on its own."""
    words = q.strip(" ?.!").split()
    return len(words) <= 4 or (len(words) <= _MAX_FOLLOWUP_WORDS and bool(_PRONOUN.search(q)))


_LEAD = re.compile(r"^\s*(?:how\s+(?:many|much)|when|where|who|whom|why)\b", re.I)
_FILLER = re.compile(rf"\b(?:{_PREPOSITIONS[3:-1]}|the|a|an)\b", re.I)


def _only_names(rest: str, focus: list[str]) -> bool:
    """True when the follow-up is just a place, name or number ("at Timbuktu", "2024")."""
    left = rest
    for f in focus:
        left = left.replace(f, " ")
    return not _FILLER.sub(" ", left).strip(" ,.?!")


def _swap_focus(previous: str, rest: str, new_focus: list[str], *, names_only: bool) -> str | None:
    """Put the follow-up's name or number where the previous question had one of its kind."""
    if not new_focus:
        return None
    new = new_focus[0]
    old_focus = focus_terms(previous)
    is_number = bool(_NUMBER.match(new))
    same_kind = [f for f in old_focus if bool(_NUMBER.match(f)) == is_number]
    # "and at Timbuktu?" / "and in Burkina Faso?": replace the previous "at Dioura" whole.
    if re.match(rf"^{_PREPOSITIONS}\b", rest, re.I):
        for old in reversed(same_kind):
            pattern = re.compile(rf"\b{_PREPOSITIONS}\s+(?:the\s+)?{re.escape(old)}\b", re.I)
            if pattern.search(previous):
                return pattern.sub(lambda _m: rest, previous, count=1)
    if same_kind and names_only:
        old = same_kind[-1]
        rewritten = re.sub(rf"\b{re.escape(old)}\b", new, previous, count=1)
        if rewritten != previous:
            return rewritten
    return None


def _subject(question: str) -> str:
    """The question without its question phrase: "When did the bank cut its rate?" → "the
    bank cut its rate"."""
    body = question.strip().rstrip(" ?.!")
    stripped = _WH_LEAD.sub("", body, count=1)
    stripped = _AUX.sub("", stripped, count=1)
    return stripped or body


def _declarative(question: str, short_answer: str | None) -> str | None:
    """ "How many soldiers died at Dioura?" + "40 soldiers" → "40 soldiers died at Dioura";
    "Who won the mayoral election?" + "Jane Doe" → "Jane Doe won the mayoral election"."""
    if not short_answer:
        return None
    body = " ".join(question.split()).rstrip(" ?.!")
    who = _WH_SUBJECT.match(body)
    if (
        who
        and not who.group("wh").lower().startswith("how")
        and who.group("verb").lower() not in _AUX_WORDS
        and short_answer.strip().lower() not in {"yes", "no"}
    ):
        return f"{short_answer.strip().rstrip('.')} {who.group('verb')} {who.group('rest')}".strip()
    if not _NUMBER.search(short_answer):
        return None
    m = _HOW_MANY.match(question)
    if not m:
        return None
    noun, rest = m.group("noun"), m.group("rest")
    if re.match(r"(?:did|does|do|will|would|can|could|has|have|had)\b", rest, re.I):
        return None  # "how many soldiers did JNIM kill": no safe declarative
    amount = short_answer.strip().rstrip(".")
    if noun.lower() not in amount.lower():
        amount = f"{amount} {noun}"
    return f"{amount} {rest}"
