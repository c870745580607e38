"""Verb forms without a lexicon: a verb's base form, and one matching key for a word's forms.

Rewriting "Who won the election?" + "Jane Doe" into "Why did Jane Doe win the election?" needs
"win" from "won" and "approve" from "approved". Irregular verbs come from a table; regular
ones from spelling rules that hold for most news verbs (a guess, never worse than the word
itself for search).
"""

from __future__ import annotations

import re

from rag.text.tokens import stem

IRREGULAR_PAST = {
    "won": "win",
    "held": "hold",
    "left": "leave",
    "fell": "fall",
    "fallen": "fall",
    "overran": "overrun",
    "went": "go",
    "gone": "go",
    "came": "come",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "made": "make",
    "said": "say",
    "told": "tell",
    "paid": "pay",
    "sold": "sell",
    "bought": "buy",
    "ran": "run",
    "began": "begin",
    "begun": "begin",
    "stood": "stand",
    "lost": "lose",
    "met": "meet",
    "fought": "fight",
    "shot": "shoot",
    "struck": "strike",
    "led": "lead",
    "fled": "flee",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "brought": "bring",
    "caught": "catch",
    "found": "find",
    "kept": "keep",
    "broke": "break",
    "broken": "break",
    "chose": "choose",
    "chosen": "choose",
    "rose": "rise",
    "risen": "rise",
    "saw": "see",
    "seen": "see",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "withdrew": "withdraw",
    "withdrawn": "withdraw",
    "beat": "beat",
    "beaten": "beat",
    "became": "become",
    "drove": "drive",
    "driven": "drive",
    "flew": "fly",
    "flown": "fly",
    "grew": "grow",
    "grown": "grow",
    "knew": "know",
    "known": "know",
    "threw": "throw",
    "thrown": "throw",
    "wore": "wear",
    "worn": "wear",
    "hid": "hide",
    "bit": "bite",
    "ate": "eat",
    "did": "do",
    "had": "have",
    "got": "get",
    "sat": "sit",
    "set": "set",
    "put": "put",
    "cut": "cut",
    "hit": "hit",
    "hurt": "hurt",
    "let": "let",
    "quit": "quit",
    "shut": "shut",
    "split": "split",
    "spread": "spread",
    "cost": "cost",
    "bet": "bet",
    "bid": "bid",
    "read": "read",
    "sank": "sink",
    "sunk": "sink",
    "swore": "swear",
    "sworn": "swear",
    "tore": "tear",
    "torn": "tear",
    "woke": "wake",
    "forgave": "forgive",
    "forgot": "forget",
    "froze": "freeze",
    "frozen": "freeze",
    "stole": "steal",
    "stolen": "steal",
    "swept": "sweep",
    "slept": "sleep",
    "felt": "feel",
    "dealt": "deal",
    "meant": "mean",
    "heard": "hear",
    "sought": "seek",
    "taught": "teach",
    "thought": "think",
    "understood": "understand",
    "overturned": "overturn",
    "oversaw": "oversee",
    "overtook": "overtake",
    "undertook": "undertake",
    "shook": "shake",
    "lit": "light",
    "lay": "lie",
    "laid": "lay",
    "lent": "lend",
    "bent": "bend",
    "bound": "bind",
    "wound": "wind",
    "hung": "hang",
    "rang": "ring",
    "sang": "sing",
    "swam": "swim",
    "drew": "draw",
    "drawn": "draw",
    "blew": "blow",
    "blown": "blow",
}

# After "-ed" is cut: endings whose base had a silent "e" ("decid" → "decide"). Unstressed
# endings ("visit", "open", "cover") keep none.
_SILENT_E_AFTER = re.compile(
    r"(?:[^aeiou]|^)(?:at|id|ud|ut|od|ad|os|as|is|iz|us|ur|ir|ar|iv|av|ov|uv|ac|ic|uc|am|im|um|"
    r"in|ul|al|ag|ak|ik|ok|uk|ot|ab|ib|ub|ap|ip|or)$"
    r"|(?:nc|rc|rg|lg|dg|lv|rv|ps|rs|ns|ev)$|[aeiou]{2}s$"
)
_UNSTRESSED = re.compile(r"(?:er|en|el|on|om|it|et)$")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def base_form(word: str) -> str:
    """ "won" → "win", "approved" → "approve", "died" → "die", "leads" → "lead"."""
    w = word.lower()
    if w in IRREGULAR_PAST:
        return IRREGULAR_PAST[w]
    if w.endswith("ed") and len(w) > 3:
        return _from_past(w)
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        if w.endswith("ies"):
            return w[:-3] + "y"
        if w.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
            return w[:-2]
        return w[:-1]
    return w


def is_past(word: str) -> bool:
    w = word.lower()
    return (w in IRREGULAR_PAST and IRREGULAR_PAST[w] != w) or (w.endswith("ed") and len(w) > 3)


def _from_past(w: str) -> str:
    if w.endswith("ied"):
        return w[:-1] if len(w) == 4 else w[:-3] + "y"  # died → die; carried → carry
    if w.endswith(("eed", "ued", "oed", "yed")):
        return w[:-1] if w.endswith(("eed", "ued", "oed")) else w[:-2]  # agreed, argued; played
    stem = w[:-2]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsfz":
        return stem[:-1]  # stopped → stop
    if _UNSTRESSED.search(stem) and len(_VOWEL_GROUPS.findall(stem)) > 1:
        return stem  # opened, covered, visited
    if len(_VOWEL_GROUPS.findall(stem)) == 1 and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", stem):
        return stem + "e"  # voted, closed, ruled
    if _SILENT_E_AFTER.search(stem):
        return stem + "e"
    return stem


# Words whose forms a stemmer cannot join: "dead" and "death" state "died".
_KEY_ALIASES = {"dead": "die", "death": "die", "deaths": "die", "died": "die", "dying": "die"}


def word_key(word: str) -> str:
    """One key for the forms of a word: "denied"/"deny", "won"/"win", "approves"/"approve"."""
    w = word.lower().replace("’", "'")
    w = _KEY_ALIASES.get(w) or IRREGULAR_PAST.get(w, w)
    if len(w) > 4 and w.endswith(("ied", "ies")):
        w = w[:-3] + "y"
    base = w if w.endswith("ss") else stem(w)  # "pass", not "pas"
    # "winning" → "winn", "stopped" → "stopp": one of a doubled final consonant.
    if base != w and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouls":
        base = base[:-1]
    # "approve" and "approved" stem apart ("approve", "approv"); "agree" and "agreed" by two
    # letters ("agree", "agre").
    while len(base) > 3 and base.endswith("e"):
        base = base[:-1]
    return base
