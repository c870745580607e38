"""Words news uses for the same event or the same people: "assailants were killed" states
"attackers died". Each group is a general equivalence, never a fit to any question."""

from __future__ import annotations

from rag.text.tokens import stem
from rag.text.verbs import IRREGULAR_PAST

_GROUPS = [
    "die died dies kill killed kills dead death deaths perish perished",
    "wound wounded injure injured injuries hurt",
    "attacker attackers assailant assailants gunman gunmen militant militants",
    "arrest arrested detain detained",
    "linked affiliated allied aligned",
    "explode exploded explosion detonate detonated",
]

# Irregular forms also say the same act ("fought" and "fighting", "worn" and "wear"), except
# those that are more often another word: "left", "found", "saw", "wound" (an injury) …
_NOT_A_VERB_FORM = frozenset(
    [
        "left",
        "found",
        "saw",
        "met",
        "rose",
        "wound",
        "bound",
        "lay",
        "laid",
        "lit",
        "bit",
        "felt",
        "fell",
        "shot",
        "led",
        "lead",
        "won",
        "beat",
        "set",
        "put",
        "cut",
        "hit",
        "hurt",
        "let",
        "quit",
        "shut",
        "split",
        "spread",
        "cost",
        "bet",
        "bid",
        "read",
        "did",
        "had",
        "got",
    ]
)


def _table(groups: list[str]) -> dict[str, frozenset[str]]:
    """Each stem of a group → the other stems of its group."""
    table: dict[str, frozenset[str]] = {}
    for group in groups:
        stems = frozenset(stem(w) for w in group.split())
        table.update({s: stems - {s} for s in stems})
    return table


def _with_irregular_forms(table: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """``table`` with each verb's irregular forms as one more group ("wear wore worn")."""
    forms: dict[str, set[str]] = {}
    for past, base in IRREGULAR_PAST.items():
        a, b = stem(past), stem(base)
        if past not in _NOT_A_VERB_FORM and a != b and a not in table and b not in table:
            forms.setdefault(b, {b}).add(a)
    out = dict(table)
    for group in forms.values():
        out.update({s: frozenset(group - {s}) for s in group})
    return out


KIN_STEMS = _with_irregular_forms(_table(_GROUPS))


def kin_of(term: str) -> frozenset[str]:
    """The other stems of ``term``'s group (a stem), if it has one."""
    return KIN_STEMS.get(term, frozenset())


def same_word(a: str, b: str) -> bool:
    """Two words (any form) for the same event or people: "killed" and "die"."""
    sa, sb = stem(a), stem(b)
    return sa == sb or sb in kin_of(sa)
