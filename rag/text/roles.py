"""The role a sentence gives each of its numbers: the old or new value of a change, a bound of a
range, a part or the whole.

"raised the minimum age from 15 to 17" states 15 and 17, but 15 is what it was and 17 what it is;
a claim that it was "raised to 15" names a number of the sentence in the wrong role. Roles are read
from the words around a number, never from a model:

- ``old`` / ``new``: "from X" and "to Y" after a verb of change ("rose", "cut", "raised"), "up from
  X" / "down from X" (the number before it, if close, is then the new value), "previously X",
  "now Y";
- ``low`` / ``high``: "between X and Y", "X to Y", "X-Y", "from X to Y" without a verb of change;
- ``part`` / ``whole``: "X of Y", "X out of the Y", "X in Y";
- ``by``: the size of a change, "cut by 5% to $12".

``number_roles`` maps a number to its roles only when every mention of it has one: a sentence
that also states it plainly gives no role to check. Pure text: no model, no I/O.
"""

from __future__ import annotations

import re

from rag.text.facts import number_spans
from rag.text.lexicon import wordlist
from rag.text.markers import blank_markers

# A role's side: the value before a change or the lower bound ("start"), after it or the upper
# bound ("end"), and the two sides of a proportion. A claim "from 15" agrees with a quote "between
# 15 and 20" (both start) but not with "to 15".
ROLE_SIDE = {
    "old": "start",
    "low": "start",
    "new": "end",
    "high": "end",
    "part": "part",
    "whole": "whole",
    "by": "by",
}

# Verbs that move a quantity: after one, "from X" is the old value and "to Y" the new one.
# "went", "moved" are left out: "went to 3 schools" is not a change of a number.
CHANGE_VERBS = frozenset(
    wordlist("""rise rises rose risen rising raise raises raised raising increase increases
    increased increasing grow grows grew grown growing climb climbs climbed climbing jump jumps
    jumped jumping soar soars soared surge surges surged double doubles doubled triple tripled
    fall falls fell fallen falling drop drops dropped dropping decline declines declined
    decrease decreases decreased cut cuts cutting reduce reduces reduced reducing lower lowers
    lowered lowering slash slashed plunge plunged shrink shrinks shrank shrunk extend extends
    extended shorten shortened lift lifts lifted hike hiked boost boosted change changes changed
    revise revised adjust adjusted push pushed bump bumped trim trimmed""")
)
# Words that may stand between a role word and its number: "from a record 40", "to about $3".
_FILLER = frozenset(
    wordlist("""a an the about around nearly almost some roughly approximately just only over
    under more less fewer than at least most estimated record high low peak total of previous
    prior mere its their his her another us usd $ € £ ¥""")
)
_DETERMINERS = frozenset(wordlist("the its their his her our these those all"))
# A unit between two numbers of one range or change: "15 years to 17", "3% to 5%".
_UNIT_WORDS = 2
# "40 soldiers were killed, up from 25": how many tokens may separate a new value from the old.
_CLOSE = 7
# How many words after an old value may say when it held: "up from 25 in April last year".
_TIME_WORDS = 6
_TOKEN = re.compile(r"[A-Za-z]+|[^\sA-Za-z\d]")
_CLAUSE_END = re.compile(r"[.;:!?]")
# How far back a verb of change reaches: "raised the minimum age for senior players to 17".
_VERB_REACH = 12


def number_roles(sentence: str) -> dict[str, frozenset[str]]:
    """Normalised number -> the roles ``sentence`` gives it, for the numbers it never states
    without one ("rose from 15 to 17" -> {"15": {"old"}, "17": {"new"}})."""
    spans, roles = _read(blank_markers(sentence))
    out: dict[str, set[str]] = {}
    bare: set[str] = set()
    for (_a, _b, value), r in zip(spans, roles, strict=True):
        if r:
            out.setdefault(value, set()).update(r)
        else:
            bare.add(value)
    return {v: frozenset(r) for v, r in out.items() if v not in bare}


def old_value_times(sentence: str) -> dict[str, str]:
    """Old value -> the words after it that say when it held, up to the next number or the end of
    the clause ("up from 25 in April" -> {"25": " in April"}): a claim "25 in April" is the old
    value told as a past one."""
    text = blank_markers(sentence)
    spans, roles = _read(text)
    out: dict[str, str] = {}
    for k, ((_a, b, value), r) in enumerate(zip(spans, roles, strict=True)):
        if "old" in r:
            stop = spans[k + 1][0] if k + 1 < len(spans) else len(text)
            tail = _CLAUSE_END.split(text[b:stop].replace(",", "."))[0]
            out[value] = (out.get(value, "") + " " + " ".join(tail.split()[:_TIME_WORDS])).strip()
    return out


def _read(text: str) -> tuple[list[tuple[int, int, str]], list[set[str]]]:
    spans = number_spans(text)
    roles: list[set[str]] = [set() for _ in spans]
    for k, (a, _b, _value) in enumerate(spans):
        gap = _tokens(text[spans[k - 1][1] : a]) if k else None
        lead = _strip(_tokens(text[spans[k - 1][1] if k else 0 : a]), _FILLER)
        last, last2 = lead[-1:], lead[-2:]
        # "compared with X" and "versus X" are left out: "49% against 34% for her rival" sets
        # two values side by side, neither of them old.
        if last2 in (["up", "from"], ["down", "from"]):
            roles[k].add("old")
            if gap is not None and len(gap) <= _CLOSE and not roles[k - 1]:
                roles[k - 1].add("new")  # "40 soldiers, up from 25": 40 is the new toll
        elif last == ["from"]:
            roles[k].add("old" if _changed(text, a) else "low")
        elif last in (["previously"], ["formerly"]):
            roles[k].add("old")
        elif last == ["by"] and _changed(text, a):
            roles[k].add("by")  # "raised by 2 to 17": 2 is neither the old age nor the new
        elif last in (["now"], ["currently"]):
            roles[k].add("new")
        elif last == ["between"]:
            roles[k].add("low")
        elif gap is not None and roles[k - 1] & {"old", "low", "by"} and _joins(gap, "to"):
            roles[k].add("high" if "low" in roles[k - 1] else "new")  # "from 15 years to 17"
        elif gap is not None and _joins(gap, "to", unit=0):
            roles[k - 1].add("low")  # "15 to 20 minutes", even after a verb: "drop 1 to 2 inches"
            roles[k].add("high")
        elif gap is not None and _joins(gap, "and") and "low" in roles[k - 1]:
            roles[k].add("high")  # "between 10 and 20"
        elif last == ["to"] and last2 != ["up", "to"] and _changed(text, a):
            roles[k].add("new")  # "up to 80" is a bound, even after a verb
        elif gap in (["-"], ["–"]):
            roles[k - 1].add("low")
            roles[k].add("high")
        elif gap is not None and _proportion(gap, _value):
            roles[k - 1].add("part")
            roles[k].add("whole")
    return spans, roles


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _strip(tokens: list[str], words: frozenset[str]) -> list[str]:
    end = len(tokens)
    while end and tokens[end - 1] in words:
        end -= 1
    return tokens[:end]


def _changed(text: str, pos: int) -> bool:
    """A verb of change stands shortly before ``pos``, in the same clause."""
    clause = _CLAUSE_END.split(text[:pos])[-1]
    return any(t in CHANGE_VERBS for t in _tokens(clause)[-_VERB_REACH:])


def _joins(gap: list[str], word: str, unit: int = _UNIT_WORDS) -> bool:
    """``gap`` (the text between two numbers) is ``word`` after at most ``unit`` unit words:
    "from 15 years to 17", "10 and 20"; a percent sign always may ("3% to 5%"). Without "from",
    a word between the numbers is more often a new phrase than a unit ("three weeks to 300")."""
    body = _strip(gap, _FILLER - {word})
    if not body or body[-1] != word:
        return False
    words = [t for t in body[:-1] if t not in ("%", "percent")]
    return len(words) <= unit and all(t.isalpha() for t in words)


def _proportion(gap: list[str], whole: str) -> bool:
    """ "3 of the 5", "4 out of 12", "1 in 7"; not "49 in 2015" (a year)."""
    body = _strip(gap, _DETERMINERS)
    if body in (["of"], ["out", "of"]):
        return True
    return body == ["in"] and not re.fullmatch(r"1[89]\d\d|20\d\d", whole)
