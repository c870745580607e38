"""Words news uses for the same event or the same people: "assailants were killed" states
"attackers died". Each group is a general equivalence, never a fit to any question."""

from __future__ import annotations

from rag.text.tokens import stem

_GROUPS = [
    "die died dies kill killed kills dead death deaths perish perished",
    "wound wounded injure injured injuries hurt",
    "attacker attackers assailant assailants gunman gunmen militant militants",
    "arrest arrested detain detained",
    "linked affiliated allied aligned",
    "explode exploded explosion detonate detonated",
    "attack attacked attacks assault assaulted assaults raid raided ambush ambushed",
    "withdraw withdrew withdrawn withdrawal retreat retreated",
]


def _table(groups: list[str]) -> dict[str, frozenset[str]]:
    """Each stem of a group → the other stems of its group."""
    table: dict[str, frozenset[str]] = {}
    for group in groups:
        stems = frozenset(stem(w) for w in group.split())
        table.update({s: stems - {s} for s in stems})
    return table


KIN_STEMS = _table(_GROUPS)


def kin_of(term: str) -> frozenset[str]:
    """The other stems of ``term``'s group (a stem), if it has one."""
    return KIN_STEMS.get(term, frozenset())


def same_word(a: str, b: str) -> bool:
    """Two words (any form) for the same event or people: "killed" and "die"."""
    sa, sb = stem(a), stem(b)
    return sa == sb or sb in kin_of(sa)
