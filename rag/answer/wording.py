"""How an extractive answer is worded: the short answer, then the quote that holds it.

One rule for every answer kind: the attribution is the article's own, inside the quote
("JNIM said its fighters killed 40 soldiers"), so nothing outside the quote restates who said
it (no "According to Gen. Langley: “Gen. Langley said …”"), and nothing outside the quote
can turn "has not confirmed" into "confirmed". The one thing added is a hedge the article puts
in the next sentence ("The army has not confirmed that figure."), said as the article's.
"""

from __future__ import annotations

import re

from rag.text.dates import resolve_relative_dates
from rag.text.markers import neutralize_markers

UNCONFIRMED = re.compile(
    r"\b(?:could not|cannot|can't|couldn't) be (?:independently )?(?:verified|confirmed|checked)|"
    r"\b(?:not|never|yet to|declined to|did not|has not|have not|had not) (?:been )?"
    r"(?:independently )?(?:confirm|verif)\w*|\bunverified\b|\bunconfirmed\b|"
    r"\brests? on the group's word\b|\bits own statement\b|\bown statement\b",
    re.I,
)


def statement(short: str | None, sentence: str, following: str, published, markers: str) -> str:
    """ "40 soldiers: “JNIM said its fighters killed 40 soldiers …” (the article adds that this
    was not independently confirmed) [1]"."""
    quote = "“" + neutralize_markers(sentence.strip()) + "”"
    dates = [
        f"{r.phrase} = {r.label}" for r in resolve_relative_dates(sentence, published) if r.label
    ]
    date_note = f" ({'; '.join(dates)}, from the article's date)" if dates else ""
    next_sentence = re.split(r"(?<=[.!?])\s", following.strip(), maxsplit=1)[0] if following else ""
    hedge = ""
    if not UNCONFIRMED.search(sentence) and UNCONFIRMED.search(next_sentence):
        hedge = " (the article adds that this was not independently confirmed)"
    lead = f"{short}: " if short and not _is_the_quote(short, sentence) else ""
    return f"{lead}{quote}{date_note}{hedge} {markers}"


def _is_the_quote(short: str, sentence: str) -> bool:
    return short.strip(" .").lower() == sentence.strip(" .").lower()
