"""The default answerer: built from retrieved sentences, so grounded by construction.

It cannot invent an answer: the short answer is a span of a quoted sentence, and that sentence
is quoted verbatim with its citation. For a question that asks for a span (a person, a count,
a date …) every candidate of that type in the relevant sentences is scored, and the scores of
the same answer are pooled across sentences and articles: an answer that several sources give,
in sentences close to the question's words, wins over one a single sentence offers. The winner
is stated and the sentence holding it is quoted; a quote that does not contain the short answer
is never that answer's citation. When nothing clears the bar, the answer is ``not_found`` with
no citations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rag.answer import confidence
from rag.answer.answer_type import singular
from rag.answer.candidates import asks_for_a_state, headline, is_category, qualifier
from rag.answer.evidence import Evidence, Scored
from rag.answer.name_candidates import NAMED_AS
from rag.answer.number_candidates import counted_noun
from rag.answer.pooling import NUMERIC, Pooled, placed_here, pool_candidates
from rag.answer.question import ENTITY_LABELS, QuestionAnalysis
from rag.answer.relevance import relevance_problem
from rag.answer.spans import Candidate, coordinated
from rag.answer.wording import statement
from rag.schema import Citation
from rag.text.dates import resolve_relative_dates
from rag.text.facts import normalize_number, strip_possessive
from rag.text.lexicon import CALENDAR_WORDS, NUMBER_WORDS, WEEKDAYS, alternation
from rag.text.markers import strip_markers
from rag.text.places import is_country, is_us_state
from rag.text.tokens import STOPWORDS, stem, words

# Calibrated on rtqa dev questions (README "Measured"), never per question.
MIN_SCORE = 0.42  # a sentence quoted without a typed answer ("why", statements) needs this
MIN_SUPPORT = 0.22  # the winning candidate's best sentence: relevance x fit x proximity
SECOND_SOURCE_RATIO = 0.85
CANDIDATES_OFFERED = 3  # the best candidates a factoid answer (or refusal) lists, winner first
FULLER_NAME_RATIO = 0.3
HEADLINE_QUOTE_RATIO = 0.4  # a story's sentence this well supported is quoted before a headline
CROWDED_QUOTE_RATIO = 0.85  # a sentence this well supported naming fewer rivals is the quote
RIVALS_SEEN = 6  # the pooled candidates after the winner a quote should not name
DIFFER_RATIO = 0.8  # a rival value this close, from another article, is a reported disagreement

_QUALIFIER = re.compile(
    r"\b(more than|over|at least|upwards of|up to|about|around|nearly|almost|some|roughly|"
    r"fewer than|less than|as many as|approximately|an estimated|at most)\s*$",
    re.I,
)


@dataclass
class ExtractiveResult:
    status: str
    answer: str
    short_answer: str | None
    citations: list[Citation]
    notes: list[str]
    # The best pooled candidates of the asked-for type, winner first, also when refused: spans
    # of the sources, not answers (the multiple-choice picker reads them, rag/eval).
    candidates: list[str] = field(default_factory=list)


def refusal(reason: str, candidates: list[str] | None = None) -> ExtractiveResult:
    return ExtractiveResult(
        "not_found",
        "The articles I can search do not answer this question.",
        None,
        [],
        [reason],
        candidates or [],
    )


def answerable(q: QuestionAnalysis, e: Evidence) -> str | None:
    """None if ``e`` may be quoted as the answer to ``q``; else the reason it may not."""
    problem = relevance_problem(q, e)
    if problem:
        return problem
    if q.answer_type and e.candidate is None:
        return f"no retrieved sentence gives a {q.answer_type} for it"
    if e.score < MIN_SCORE:
        return f"the best supporting sentence is too weak (score {e.score:.2f} < {MIN_SCORE})"
    return None


# --- answering --------------------------------------------------------------------------------


def answer_from_evidence(
    q: QuestionAnalysis,
    ranked: list[Evidence],
    min_confidence: float | None = None,
    now: date | None = None,
) -> ExtractiveResult:
    """``min_confidence``: refuse a span answer less likely right than this (settings);
    ``now``: the question's present (``as_of``, else today), for "this week"."""
    if not ranked:
        return refusal("nothing relevant was retrieved")
    if q.answer_type:
        return answer_factoid(q, ranked, min_confidence, now)
    return answer_with_sentence(q, ranked)


def answer_factoid(
    q: QuestionAnalysis,
    ranked: list[Evidence],
    min_confidence: float | None = None,
    now: date | None = None,
) -> ExtractiveResult:
    """A span answer: the best pooled candidate, stated, with the sentence that holds it."""
    pooled = pool_candidates(q, ranked, now)
    if not pooled:
        problem = next((relevance_problem(q, e) for e in ranked[:1]), None)
        return refusal(problem or f"no retrieved sentence gives a {q.answer_type} for it")
    pooled = placed_here(pooled)
    if not pooled:
        return refusal(f"every {q.answer_type} found belongs to a place the question does not name")
    offered = [p.top[2].candidate.text for p in pooled[:CANDIDATES_OFFERED]]
    win = pooled[0]
    support, best, scored = win.top
    if support < MIN_SUPPORT:
        return refusal(
            f"the best {q.answer_type} found is too weakly supported "
            f"(“{scored.candidate.text}”, {support:.2f} < {MIN_SUPPORT})",
            offered,
        )
    # How likely the winner is right (rag/answer/confidence.py, fitted by `make train`): told
    # in the notes; a refusal below the operator's bar (settings.min_confidence), if one is set.
    p = confidence.probability(q, pooled)
    notes = [] if p is None else [f"confidence {p:.2f}"]
    if p is not None and min_confidence is not None and p < min_confidence:
        return refusal(
            f"the best {q.answer_type} found is too uncertain "
            f"(“{scored.candidate.text}”, confidence {p:.2f} < {min_confidence:.2f})",
            offered,
        )
    # The fullest form of a pooled name ("Cara Delevingne", not "Delevingne"), if a relevant
    # sentence says it: the quote must hold the short answer, so that sentence is quoted.
    fuller = None if q.answer_type in NUMERIC else _fuller_name(q, win, support, scored)
    if fuller is not None:
        _, best, scored = fuller
    elif headline(best.text):
        # A headline says what the article is about: a sentence of the story that gives the
        # same answer is the better quote ("Losing 30 Soldiers" / "killing more than 30").
        told = next(
            (
                (e, s)
                for w, e, s in win.support
                if w >= HEADLINE_QUOTE_RATIO * support and not headline(e.text)
            ),
            None,
        )
        if told is not None:
            best, scored = told
    else:
        best, scored = _least_crowded(win, pooled[1:RIVALS_SEEN], support, (best, scored))
    short = short_answer(q, best, scored)
    citations = [_citation(1, best)]
    rival = _rival(q, win, [p for p in pooled if p is not win])
    if rival is not None:
        r_support, r_e, r_scored = rival.top
        citations.append(_citation(2, r_e))
        text = (
            "The sources differ. "
            + _statement(short, best, "[1]")
            + " "
            + _statement(short_answer(q, r_e, r_scored), r_e, "[2]")
        )
        notes.append(
            f"{len(win.articles)} article(s) give {short}, {len(rival.articles)} another value"
        )
        return ExtractiveResult("answered", text, short, citations, notes, offered)
    # A second article's sentence holding the same answer backs it too.
    second = next(
        (
            e
            for _, e, _ in win.support[1:]
            if e.passage.article_id != best.passage.article_id and e.text != best.text
        ),
        None,
    )
    markers = "[1]"
    if second is not None:
        citations.append(_citation(2, second))
        markers = "[1][2]"
    return ExtractiveResult(
        "answered", _statement(short, best, markers), short, citations, notes, offered
    )


def _fuller_name(
    q: QuestionAnalysis, win: Pooled, support: float, scored: Scored
) -> tuple[float, Evidence, Scored] | None:
    """The winner named in full by one of its supporting sentences: more capitalised words
    around the same name ("Elizabeth Debicki" for "Debicki", "New York City" for "New York"),
    or more of the same date ("Aug. 23, 2044" for "2044"), never a phrase around it ("year's
    Columbus Day", "zodiac sign Cancer") nor an article ("The Gorgosaurus"). The best supported
    full form wins: "Melania Trump" in a weaker sentence does not replace "Donald Trump". The
    sentence that says it in full becomes the quote, so the quote still holds the short answer."""
    labels = ENTITY_LABELS.get(q.answer_type or "")
    short = scored.candidate.text
    if not short[:1].isalnum():
        return None
    if asks_for_a_state(q.expected) and is_us_state(short):
        # "Which state": "Delaware" is the whole answer; "Delaware Seashore State Park" is not.
        return None
    fuller = re.compile(
        r"(?<![\w’'])(?:(?!(?:The|A|An)\s)[A-Z0-9][\w’'.,\-]*\s+)*"
        + re.escape(short)
        + r"(?:,?\s+[A-Z0-9][\w’'.\-]*)*\+?(?=['’]s\b|(?![\w’'+]))"
    )
    best: tuple[float, Evidence, Scored] | None = None
    for weight, e, s in win.support:
        if weight < FULLER_NAME_RATIO * support:
            break  # best first
        for m in fuller.finditer(e.text):
            found = m.group()
            if m.start() == 0:
                found = _OPENING_VERB.sub("", found)  # "Buying Parler could …"
            text = re.sub(r"['’]s$", "", _name_start(found.rstrip(".,"), short, q))
            text = _SCORE_AFTER.sub("", text)  # "the New York Rangers 2-1": a score, no name
            if len(text) <= len(short):
                continue
            if q.answer_type == "date" and not _all_calendar(text.replace(short, " ")):
                continue  # "Feb. 9 Academy Awards": a date's fuller form is a date
            if best is not None and (
                len(text) <= len(best[2].candidate.text) or best[2].candidate.text not in text
            ):
                continue  # only a longer form of the fuller name found first, not another one
            c = s.candidate
            at = m.start() + m.group().index(text)
            if _not_one_name(text, short, at, e, labels, q.answer_type == "place"):
                continue
            span = Candidate(text, at, at + len(text), c.fit, c.key, c.counts)
            best = (weight, e, Scored(span, s.score, s.proximity, s.elsewhere))
    return best


_SCORE_AFTER = re.compile(r"\s+\d{1,3}[-–]\d{1,3}$")


def _all_calendar(text: str) -> bool:
    """Only days, months, years and their punctuation ("Aug. 23,", "Saturday")."""
    return all(
        w.isdigit() or w.lower() in CALENDAR_WORDS for w in re.findall(r"[A-Za-z]+|\d+", text)
    )


def _least_crowded(
    win: Pooled, rivals: list[Pooled], support: float, chosen: tuple[Evidence, Scored]
) -> tuple[Evidence, Scored]:
    """Of the sentences nearly as good as the best, the one naming the fewest rival answers: "…
    her Seattle Storm lost to the Las Vegas Aces" says less surely which team is hers than a
    sentence naming the Storm alone, and a quote naming a rival reads as naming both."""
    keys = {p.key for p in rivals}

    def crowd(e: Evidence) -> int:
        return len(keys & {s.candidate.key for s in e.scored})

    first = chosen[0]
    best = crowd(first)
    for w, e, s in win.support:
        if w < CROWDED_QUOTE_RATIO * support or best == 0:
            break
        # Never a sentence about less of the question ("JNIM also claimed … Timbuktu" names no
        # rival but is no quote for the Dioura attack), nor one saying less of the answer.
        if e.focus < first.focus or e.lexical < first.lexical or headline(e.text):
            continue
        if len(s.candidate.text) < len(chosen[1].candidate.text):
            continue  # "Clark" for "Caitlin Clark", "April" for "April 8": a lesser answer
        if crowd(e) < best:
            chosen, best = (e, s), crowd(e)
    return chosen


def _not_one_name(
    text: str, short: str, at: int, e: Evidence, labels: set[str] | None, place: bool = False
) -> bool:
    """The longer span is a list ("Dr. Dre, Eminem, Snoop Dogg"), a name and a date ("2007,
    Pelosi", "Pennsylvania Tuesday"), or a name NER reads as another kind of thing
    ("Washington Post" for "which state"). A town with its state or country after a comma
    ("Plymouth, Massachusetts") is one place."""
    extra = text.replace(short, " ", 1)
    if place and _with_its_state(text, short):
        return False
    if "," in extra and not re.search(r",\s*\d{4}\b", text):
        return True
    if any(w.strip(".,").lower() in _NOT_IN_A_NAME for w in extra.split()):
        return True
    end = at + len(text)
    return bool(labels) and any(
        x.start < end and at < x.end and x.label not in labels and x.end - x.start > len(short)
        for x in e.entities
    )


def _with_its_state(text: str, short: str) -> bool:
    m = re.fullmatch(re.escape(short) + r",\s+([A-Z][\w.\- ]+)", text)
    if m is None or is_country(short):
        return False  # "Mali, Niger": two countries, not a town in one
    return is_us_state(m.group(1)) or is_country(m.group(1))


_OPENING_VERB = re.compile(r"^[A-Z][a-z]+ing\s+")


def _name_start(text: str, short: str, q: QuestionAnalysis) -> str:
    """ "On Tuesday Tom Brady" → "Tom Brady": capitalised words that open a sentence, name a
    day or name an owner the question says are not part of the name, nor is anything before a
    "then-" or "ex-" word (a photo credit's "Redux Then-Japanese Prime Minister Shinzo Abe")."""
    head = text[: text.index(short)].split()
    cut = max((i + 1 for i, w in enumerate(head) if _ends_a_name(head, i, q)), default=0)
    return " ".join(head[cut:] + [text[text.index(short) :]]) if cut else text


def _ends_a_name(head: list[str], i: int, q: QuestionAnalysis) -> bool:
    """Whether ``head[i]`` cannot be inside the name that follows: a stopword, a day, or an owner
    the question names ("London’s National Gallery" for "which London gallery" is the National
    Gallery)."""
    w = head[i]
    if re.search(r"['’]s$", w) and stem(strip_possessive(w)) in q.terms:
        return True
    word = w.lower().strip(".,")
    # "Al-Qaeda-linked JNIM": the name before the link is another's; "Boeing CEO Kelly Ortberg":
    # a company's title is no part of the person's name.
    return (
        word in _NOT_IN_A_NAME
        or word.startswith(("then-", "ex-"))
        or qualifier(word)
        or word in _ROLE_ACRONYMS
    )


_ROLE_ACRONYMS = frozenset({"ceo", "cfo", "coo", "cto", "cmo", "cio"})


# Capitalised only because they open the sentence ("Neither New Castle County nor Verizon …").
_SENTENCE_OPENERS = frozenset(
    {"neither", "either", "although", "though", "however", "meanwhile", "despite", "yet", "still"}
)
# "New" and "News" are stopwords of a question, but name words: "New York Mets", "Fox News".
_NOT_IN_A_NAME = (
    (STOPWORDS - {"new", "news"})
    | frozenset(WEEKDAYS)
    | frozenset({"former", "late", "then"})
    | _SENTENCE_OPENERS
)


def _rival(q: QuestionAnalysis, win: Pooled, others: list[Pooled]) -> Pooled | None:
    """Another value for the same quantity, from another article, nearly as well supported.

    Only numbers can differ this way ("40" against "12" soldiers); two names are two answers,
    and one outlier article against several that agree is reported, never preferred.
    """
    if q.answer_type not in NUMERIC:
        return None
    w_support, w_e, w_scored = win.top
    for other in others[:3]:
        support, e, scored = other.top
        if e.passage.article_id in win.articles:
            continue
        if support < DIFFER_RATIO * w_support or scored.candidate.fit < w_scored.candidate.fit:
            continue
        if _same_value(scored.candidate.text, w_scored.candidate.text):
            continue
        return other
    return None


def answer_with_sentence(q: QuestionAnalysis, ranked: list[Evidence]) -> ExtractiveResult:
    """No span asked for ("why …", a statement): the best relevant sentence, quoted."""
    eligible = [e for e in ranked if answerable(q, e) is None]
    if not eligible:
        return refusal(answerable(q, ranked[0]) or "nothing relevant was retrieved")
    # A headline or section heading says what an article is about, not what happened.
    eligible.sort(key=lambda e: headline(e.text))
    best = eligible[0]
    second = next(
        (
            e
            for e in eligible[1:]
            if e.passage.article_id != best.passage.article_id
            and e.score >= SECOND_SOURCE_RATIO * best.score
            and e.text != best.text
        ),
        None,
    )
    citations = [_citation(1, best)]
    markers = "[1]"
    if second is not None:
        citations.append(_citation(2, second))
        markers = "[1][2]"
    return ExtractiveResult("answered", _statement(None, best, markers), None, citations, [])


def short_answer(q: QuestionAnalysis, e: Evidence, scored: Scored | None = None) -> str | None:
    cand = scored.candidate if scored is not None else e.candidate
    if cand is None:
        return None
    sentence = e.text
    span = _whole_quotes(cand.text, cand.start, sentence)
    if q.answer_type == "place" and q.expected.locate:
        # "Where is Boulikessi?" → "near the Burkina Faso border", not "Burkina Faso".
        span = _with_its_relation(cand, sentence) or span
    if q.answer_type in _NAMED and _plural(q.expected.noun_text):
        # "Which countries …": every one the sentence lists with the winner ("Mali, Burkina
        # Faso, and Niger"), not the winner alone.
        span = _with_its_list(cand, e) or span
    if q.answer_type == "count" and q.expected.noun:
        # "40" → "40 Malian soldiers", "13" → "13 assailants": the noun it counts goes with it.
        noun = counted_noun(sentence, cand.end, q.expected)
        if noun:
            # "4,000-page" stays as the sentence joins it.
            span = f"{cand.text}{noun}" if noun.startswith("-") else f"{cand.text} {noun}"
    if q.answer_type == "thing" and q.expected.noun:
        # "Christchurch" → "Christchurch variant": the category the sentence names after it.
        after = re.match(r"\s+([A-Za-z][\w\-]*)\b(?!['’])", sentence[cand.end :])
        word = after.group(1).lower() if after else ""
        if word and not word.endswith(("ed", "ing")) and is_category(word, q.expected.noun):
            span = f"{cand.text} {after.group(1)}"
        named = _CALLED_BEFORE.search(sentence[: cand.start])
        if (
            named
            and is_category(named.group(1), q.expected.noun)
            and re.fullmatch(r"[A-Z]\w+", span)
        ):
            span = f"{span} {named.group(1)}"  # "a variant called Christchurch": its name, as said
    if q.answer_type in _NAMED and q.expected.kind_of:
        # "al-Qaeda" → "al-Qaeda-linked group" for "what kind of group": the link is the kind.
        linked = re.match(r"(-[a-z]+)\s+([A-Za-z]+)\b", sentence[cand.end :])
        if linked and is_category(linked.group(2), q.expected.noun):
            span = f"{cand.text}{linked.group(1)} {linked.group(2)}"
    if q.answer_type in NUMERIC:
        # Keep the hedge the article puts on a number: "more than 30", "upwards of 400".
        m = _QUALIFIER.search(sentence[: cand.start])
        if m and not _QUALIFIER.match(span + " "):
            span = m.group(1) + " " + span
    if q.answer_type == "date":
        for r in resolve_relative_dates(sentence, e.passage.published):
            if r.start < cand.end and cand.start < r.end and r.label:
                return r.label
    return span


_NAMED = frozenset({"person", "org", "place", "thing"})
_CALLED_BEFORE = re.compile(rf"\b([a-z][\w\-]*)\s+{NAMED_AS}\s+[“\"]?$")


_RELATION_BEFORE = re.compile(
    r"\b(?:near|close to|outside|just outside|across from|bordering|(?:north|south|east|west)"
    r"(?:-?(?:east|west))?\s+of)\s+(?:the\s+)?$",
    re.I,
)
_BORDER_AFTER = re.compile(r"^['’]?s?\s+(?:border|frontier)s?\b", re.I)


def _with_its_relation(cand: Candidate, sentence: str) -> str | None:
    """The place with the words that tie another to it: "near the Burkina Faso border"."""
    before = _RELATION_BEFORE.search(sentence[: cand.start])
    after = _BORDER_AFTER.match(sentence[cand.end :])
    if before is None and after is None:
        return None
    start = before.start() if before else cand.start
    return sentence[start : cand.end + (after.end() if after else 0)]


def _plural(noun: str | None) -> bool:
    return bool(noun) and noun.isalpha() and singular(noun.lower()) != noun.lower()


LISTED_FIT = 0.6  # of the winner's fit, for a name listed with it


def _with_its_list(cand: Candidate, e: Evidence) -> str | None:
    """The coordination of candidates ``cand`` stands in, as the sentence writes it, if any."""
    # Only names are listed, of the winner's kind: a thing's noun phrases coordinate with
    # anything ("a military airport and Russian mercenaries"), and "America" is no company.
    spans = sorted(
        {
            (s.candidate.start, s.candidate.end)
            for s in e.scored
            if s.candidate.text[:1].isupper() and s.candidate.fit >= LISTED_FIT * cand.fit
        }
    )
    if (cand.start, cand.end) not in spans:
        return None
    listed = coordinated(e.text, spans, (cand.start, cand.end))
    return e.text[listed[0][0] : listed[-1][1]] if len(listed) > 1 else None


_QUOTES = '"“”'
_OPENING_BEFORE = re.compile(r"(?:[A-Z][\w.\-]*\s+)?[\"“]$")


def _whole_quotes(text: str, start: int, sentence: str) -> str:
    """A span without half a quotation: "Delta Air Lines’" → "Delta Air Lines", "“Super Heavy"
    → "Super Heavy", "Maverick" Mitchell" → "Pete "Maverick" Mitchell" (the sentence's opening
    quote and the word before it). Always a piece of the sentence, so the quote still holds it."""
    whole = text
    text = text.rstrip("’'") or text
    if _unpaired(text) and text[-1:] in _QUOTES:
        text = text[:-1].rstrip()
    if _unpaired(text) and text[:1] in _QUOTES:
        text, start = text[1:].lstrip(), start + 1 + (len(text[1:]) - len(text[1:].lstrip()))
    if _unpaired(text):
        opening = _OPENING_BEFORE.search(sentence[:start])
        if opening is not None and sentence[start : start + len(text)] == text:
            return sentence[opening.start() : start + len(text)]
        stray = max(text.rfind(ch) for ch in _QUOTES)
        text = text[stray + 1 :].strip()
    return text or whole


def _unpaired(text: str) -> bool:
    return sum(text.count(ch) for ch in _QUOTES) % 2 == 1


def _statement(short: str | None, e: Evidence, markers: str) -> str:
    following = e.passage.text[e.end : e.end + 300]
    return statement(short, e.text, following, e.passage.published, markers)


_HAS_NUMBER = re.compile(rf"\d|\b(?:{alternation(NUMBER_WORDS)})\b", re.I)


def answers_the_type(q: QuestionAnalysis, answer_text: str) -> bool:
    """A generated answer to "how many"/"how much" must at least contain a number."""
    if q.answer_type in {"count", "money", "percent"}:
        return _HAS_NUMBER.search(strip_markers(answer_text)) is not None
    return True


def _citation(marker: int, e: Evidence) -> Citation:
    return e.passage.cite(marker, e.start, e.end)


def _same_value(a: str, b: str) -> bool:
    """ "40" and "forty" are the same count; different names are not comparable here."""
    na, nb = normalize_number(a), normalize_number(b)
    if na is not None and nb is not None:
        return na == nb
    return _norm(a) == _norm(b)


def _norm(text: str) -> str:
    return " ".join(words(text)).replace(",", "")
