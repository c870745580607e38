"""What kind of thing a question asks for, read off its wh-phrase and the noun it governs.

"How many soldiers …" asks for a count of soldiers, "Which US city …" for a place, "Which
rapper …" for a person, "What soap opera …" for a named thing whose category is "soap opera".
The kind decides which spans of a sentence can be candidates (rag/answer/candidates.py); the
noun decides what a number must count and what a thing must be.

Rules, not a model: a table of category nouns per kind, applied to the head noun of the
wh-phrase (from the spaCy parse when there is one, else from the words after the wh-word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.lexicon import wordlist
from rag.text.tokens import STOPWORDS, stem, words
from rag.text.verbs import IRREGULAR_PAST

PERSON_NOUNS = frozenset(
    wordlist("""person people man woman men women boy girl author writer novelist poet singer
    rapper songwriter musician artist actor actress comedian comic star celebrity player coach
    manager president minister premier figure chancellor leader official officer politician lawmaker
    senator governor mayor candidate nominee justice judge prosecutor attorney lawyer ceo
    chief executive founder cofounder owner chairman chair billionaire entrepreneur investor
    tycoon athlete golfer quarterback driver boxer swimmer gymnast skater footballer cricketer
    sprinter runner cyclist champion winner legend icon host presenter anchor
    journalist reporter director producer filmmaker designer model chef scientist researcher
    astronaut doctor economist activist influencer personality monarch king queen prince
    princess pope royal heir daughter son child children wife husband mother father brother
    sister sibling member
    spokesperson spokesman spokeswoman general commander soldier suspect victim character
    dancer composer painter conductor drummer guitarist frontman band-member rival opponent
    successor predecessor replacement hero star striker goalkeeper pitcher batter superstar
    megastar popstar rockstar slugger republican democrat conservative liberal incumbent
    challenger assistant aide adviser advisor deputy secretary ambassador envoy diplomat captain
    pilot nurse teacher student farmer worker employee volunteer""")
)
PLACE_NOUNS = frozenset(
    wordlist("""place country nation state city town village region province county capital
    continent island territory location area neighborhood neighbourhood district suburb
    borough site venue airport port harbor harbour park stadium arena river lake mountain
    volcano sea ocean border destination spot resort beach coast peninsula desert valley
    municipality metropolis hometown homeland base camp reservoir bay gulf strait glacier canal""")
)
ORG_NOUNS = frozenset(
    wordlist("""company firm business corporation conglomerate giant startup team club side
    franchise airline carrier automaker carmaker manufacturer maker retailer chain brand
    restaurant supermarket store network channel broadcaster newspaper outlet publication
    magazine publisher studio label university college school institution party agency
    organization organisation group bank lender insurer platform service website site app
    league federation association union charity foundation ministry department government
    administration court committee council parliament regime militia army navy band
    orchestra church hospital developer operator provider utility exchange fund""")
)
# Creative works: their answers are titles ("Succession"), not the network that airs them.
WORK_NOUNS = frozenset(
    wordlist("""show series film movie documentary drama comedy sitcom musical play song single
    album book novel memoir biography poem podcast episode franchise sequel prequel spinoff
    spin-off opera ballet painting artwork sculpture exhibition""")
)
# Nouns that name a category the answer belongs to, and the kind each table stands for.
_KINDS = ((PERSON_NOUNS, "person"), (PLACE_NOUNS, "place"), (ORG_NOUNS, "org"))
_CATEGORY_NOUNS = PERSON_NOUNS | PLACE_NOUNS | ORG_NOUNS | WORK_NOUNS
# "On what date …" asks for a day of a month, like "on which day"; "when" for any date.
DATE_NOUNS = {"year": "year", "month": "month", "day": "day", "date": "day", "decade": "year"}
DURATION_UNITS = frozenset(
    wordlist("second minute hour day week month year decade century")
    + wordlist("seconds minutes hours days weeks months years decades centuries")
)

_WH = re.compile(
    r"\b(how many|how much|how long|how old|how far|how (?:tall|high|deep|wide|big|large|heavy|"
    r"fast|hot|cold|warm)|which|what|whose|whom|who|when|where|why|how)\b",
    re.I,
)
_MONEY = re.compile(
    r"\b(money|cost|costs|spend|spent|pay|paid|worth|budget|price|priced|raise|raised|fine|fined"
    r"|salary|fee|fees|revenue|sales|profit|loss|deal|contract|funding|fund|funds|award|awarded"
    r"|donate|donated|invest|invested|sell|sold|value|valued|charge|charged|jackpot|prize|bill)\b",
    re.I,
)
# "What did … pay / cost / spend …": the verb, not a noun, says the answer is an amount.
_PAID = re.compile(
    r"\s*(?:did|does|do|will|would|could|has|have|had|is|was|were)\b[^?]*?"
    r"\b(?:pay|paid|spend|spent|cost|costs|charge|charged|fine|fined)\b",
    re.I,
)
# "How much did Barbie make / earn / take in?": with no noun after "how much", money.
_EARNED = re.compile(
    r"\s*(?:did|does|do|will|would|could|has|have|had)\b[^?]*?"
    r"\b(?:make|makes|made|earn|earns|earned|gross|grosses|grossed|net|netted"
    r"|(?:bring|brings|brought|take|takes|took|rake|rakes|raked)\s+in)\b",
    re.I,
)
# "How much did the shares fall / prices increase?": how much something changed.
_CHANGE = re.compile(
    r"\b(?:rise|rose|risen|fall|fell|fallen|drop|dropped|increase|increased|decrease|decreased"
    r"|grow|grew|grown|climb|climbed|jump|jumped|decline|declined|gain|gained|shrink|shrank"
    r"|surge|surged|soar|soared|plunge|plunged|slump|slumped|tumble|tumbled"
    r"|hike|hiked|cut|lower|lowered|reduce|reduced|slash|slashed|boost|boosted)\b",
    re.I,
)
_BY_HOW_MUCH = re.compile(r"\bby how much\b", re.I)
# "raise its price" is a change; "raise money" is a sum collected.
_RAISED_LEVEL = re.compile(
    r"\braised?\b[^?]*\b(?:prices?|rates?|fees?|fares?|costs?|target|taxe?s?|wages?|salar(?:y|ies)"
    r"|limit|cap|forecast|outlook|guidance)\b",
    re.I,
)
_PERCENT = re.compile(r"\b(percentage|percent|per cent|share|proportion|rate)\b", re.I)
# "What is the name of the new cartoon series …": the category is in the "of" phrase.
_NAME_OF = re.compile(
    r"\b(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:name|title|term|word)s?\s+"
    r"(?:of|for|given to)\s+(?:the\s+|a\s+|an\s+|this\s+|its\s+|their\s+|his\s+|her\s+)?",
    re.I,
)
_WHICH_OF = re.compile(
    r"\s*(?:one\s+)?of\s+(?:(?:the|these|those|his|her|their|its|our|your)\s+"
    r"|(?:[A-Z][\w.\-]*\s+){0,3}[A-Z][\w.\-]*['’]s?\s+)"
)
# "children’s show", "women’s sport": a possessive that says who a thing is for.
_GROUP_MODIFIERS = frozenset(wordlist("children women men people girls boys kids"))
_NO_CATEGORY = frozenset(wordlist("following above option options choice choices answer"))
_KIND_OF = re.compile(r"^(?:type|kind|sort|form|variety|brand|piece|pair|name)s?$", re.I)
_ASKS_A_KIND = re.compile(r"\b(?:kind|type|sort)\s+of\b", re.I)
_SKIP = frozenset(
    wordlist("the a an of this that these those new former recent major popular famous")
)


@dataclass(frozen=True)
class Expected:
    kind: str | None  # person place org count money percent date duration thing, or None
    noun: str | None = None  # the category word, stemmed: "soldier", "disease", "citi"
    noun_text: str | None = None  # as written: "soldiers", "disease"
    date_part: str | None = None  # year / month / day / date for "when" questions
    blank: bool = False  # "… has been raised to:" — the answer follows the question's words
    # "Which country's president …", "the leader of which country": the answer is whose title
    # the question names, so "French President Macron" names it.
    owner: bool = False
    # "Where is Boulikessi?": where a place the question names lies, so its neighbours answer.
    locate: bool = False
    # "How did the army describe …?": the words someone used, so a quotation answers.
    quoted: bool = False
    # "What kind of group is JNIM?": which kind of the category, so "al-Qaeda-linked" answers.
    kind_of: bool = False
    # "How much caffeine …", "How much did shares fall?": an amount of anything, so a sum of
    # money, a percentage or a measure ("390 mg", "41 pounds") answers, a bare count less.
    amount: bool = False
    # "How much did shares fall?": by how much something changed, not the level it reached.
    change: bool = False
    # "What was the final score?", "What is the Pistons' record?": a result as "116-102".
    score: bool = False
    # "How old is she?": an age ("Palmer, 29, said"), not any count of years.
    age: bool = False
    # "Who is the chair of …?" → "chair"; "Who co-founded …?" → "co-founder": the title a
    # sentence may put before the person's name ("chair Sophie Chandauka").
    roles: frozenset[str] = frozenset()
    # "How did the army describe the situation?" → "situation" (a stem): the words said of it.
    described: str | None = None


def expected_answer(question: str, parse=None) -> Expected:
    """The expected answer of ``question``; ``parse`` is its spaCy Doc when one is at hand."""
    q = question.strip()
    low = q.lower()
    m = _pick_wh(q)
    blank = bool(
        re.search(r"(?::|\b(?:to|as|is|was|by|since|titled|called|named))\s*[:…_-]*\s*$", q)
    ) and (m is None or q.rstrip().endswith(":"))
    if m is None:
        this = _this_noun(q, parse)
        if this is not None:
            return this
        return _blank(q) if blank else Expected(None)
    wh = m.group(1).lower()
    if wh == "how" and (said := DESCRIBED.match(q[m.end() :])):
        # "How did the army describe the situation?": its words, about the situation.
        what = _DESCRIBED_WHAT.match(q[m.end() + said.end() :])
        noun = None
        if what is not None:
            noun = (
                what.group(2)
                if what.group(2) and what.group(2).lower() not in STOPWORDS
                else what.group(1)
            )
        return Expected("thing", quoted=True, described=stem(noun) if noun else None)
    if wh in {"why", "how"}:
        return Expected(None)  # reasons and manners are sentences, not spans
    after = q[m.end() :]
    if wh == "what" and (_WHAT_DO.match(after) or _WHAT_SAID.match(after)):
        # "What did the army do after …?", "What did Langley warn about?": an action or what
        # was said, told by a sentence.
        return Expected(None)
    owned = _COPULA_OWNER.match(after) if wh in {"which", "what"} else None
    if owned is not None and _a_noun_phrase(after[owned.end() :]):
        # "What was the bank's annual profit?": the profit is asked, the bank says whose.
        after = " " + after[owned.end() :]
    elif re.match(r"\s*(?:is|are|was|were)\s+the\b", after) and wh in {"which", "what"}:
        after = re.sub(r"^\s*(?:is|are|was|were)\s+the\s+", " ", after)
    if wh == "how many":
        noun = _head_noun(after, parse, m.end())
        return Expected("count", stem(noun) if noun else None, noun)
    if wh == "how much":
        if _CHANGE.search(after) or _RAISED_LEVEL.search(after) or _BY_HOW_MUCH.search(q):
            # A rise or a fall: by a percentage or a sum.
            return Expected("count", amount=True, change=True)
        if (
            _money_word(q)
            or _EARNED.match(after)
            or re.search(r"\b(?:dollars?|euros?|pounds?|\$|£|€)", low)
        ):
            return Expected("money")
        return Expected("count", amount=True)
    if wh == "how long":
        return Expected("duration")
    if wh == "how old":
        return Expected("count", "year", "years", age=True)
    if wh.startswith("how "):
        return Expected("count", amount=True)  # "how far", "how tall": a measure
    if wh in {"who", "whom", "whose"}:
        return Expected("person", blank=blank, roles=asked_roles(q))
    if wh == "where":
        if _WHERE_WORKS.search(after):
            return Expected("org")  # "Where does Matheson teach?": a college, a firm, a club
        return Expected("place", locate=bool(_WHERE_IS.match(after)))
    if wh == "when":
        return Expected("date", date_part="date")
    # which / what
    of = _WHICH_OF.match(after) if wh == "which" else None
    if of is not None:
        # "Which of Donald Trump’s children …", "Which one of these golfers …": the category is
        # the noun of the "of" phrase; "Which of the Beatles …" names none.
        rest = after[of.end() :]
        noun = _head_noun(rest, parse, m.end() + of.end())
        if noun is None or not re.search(rf"\b{re.escape(noun)}", rest):  # a name, no noun
            return Expected("thing", blank=blank)
    else:
        named = _NAME_OF.search(q)
        noun = _head_noun(q[named.end() :], parse, named.end()) if named else None
        if noun is None:
            noun = _head_noun(after, parse, m.end())
    if noun is None and wh == "what" and _PAID.match(after):
        return Expected("money")  # "What did Castell pay for the plant?" asks how much
    if noun is None or noun.lower() in _NO_CATEGORY:
        return Expected("thing", blank=blank)  # "Which of the following …" names no category
    n = singular(noun)
    # "What was Burger King's order accuracy?": a share, told in percent.
    if _PERCENT.fullmatch(n) or n in {"percentage", "percent", "accuracy"}:
        return Expected("percent")
    if n in DATE_NOUNS:
        return Expected("date", date_part=DATE_NOUNS[n])
    if n in {"number", "total", "toll", "amount", "count", "tally"}:
        if _MONEY.search(q):
            return Expected("money")
        counted = _counted_after_of(q, parse)
        if counted is None and n in {"total", "amount"}:
            return Expected("count", amount=True)  # "the domestic total of …": a sum, maybe money
        return Expected("count", stem(counted) if counted else None, counted)
    if n in {"score", "scoreline"} or (
        n == "record" and wh == "what" and not _RECORD_SET.search(q)
    ):
        return Expected("count", stem(n), noun, score=True)
    if n in _MONEY_NOUNS:
        return Expected("money")
    if n in _MEASURE_NOUNS:
        return Expected("count", amount=True)  # "What is the lake's water level?": a measure
    owner = bool(
        re.search(rf"\b{re.escape(noun)}['’]s\s", q, re.I) or re.search(r"\bof\s*$", q[: m.start()])
    )
    kind_of = bool(_ASKS_A_KIND.search(q))
    return Expected(_category_kind(n), stem(n), noun, blank=blank, owner=owner, kind_of=kind_of)


_WHAT_DO = re.compile(
    r"\s+(?:did|does|do|will|would|should|could|can|is|are|was|were)\b[^?]*?\b(?:do|doing)\b"
    r"(?!\s*[-–])",
    re.I,
)


# "How did the army describe …", "how was it called": the words someone used, a span.
# "… describe the (new) situation": the thing described, after its determiner.
_DESCRIBED_WHAT = re.compile(r"\s+(?:the|its|his|her|their|this|that)\s+(\w+)(?:\s+(\w+))?")
DESCRIBED = re.compile(
    r"\s+(?:did|does|do|has|have|had|was|were|is|are)\b[^?]*?\b(?:describe|characteri[sz]e|"
    r"call|label|dub|term|described|called|labelled|labeled|dubbed|termed|characteri[sz]ed)\b",
    re.I,
)
_WHERE_IS = re.compile(
    r"\s+(?:is|are|was|were)\s+(?:the\s+)?(?:[A-Z][\w'’\-]*\s*)+(?:base|town|city|village|camp|region)?\s*\??\s*$"
)

# "What record did she break?" asks which record, not a team's wins and losses.
_RECORD_SET = re.compile(
    r"\b(?:break|breaks|broke|broken|breaking|set|sets|setting|hold|holds|held|tie|ties|tied"
    r"|equal(?:led|ed|s)?|claim(?:s|ed)?|world|all-time|new|high|low)\b",
    re.I,
)
# "Where does she work / teach / study?": whom for, more than in which town.
_WHERE_WORKS = re.compile(
    r"^\s*(?:does|did|do|is|was|will)\b[^?]*?\b(?:work(?:s|ed|ing)?|teach(?:es|ing)?|taught"
    r"|stud(?:y|ies|ied|ying)|play(?:s|ed|ing)?|coach(?:es|ed|ing)?|attend(?:s|ed|ing)?"
    r"|employed|enrolled)\s*(?:now\s*)?\??\s*$",
    re.I,
)

_WHAT_SAID = re.compile(
    r"\s+(?:did|does|do|has|have|had)\b[^?]*?\b(?:say|warn|pledge|promise|vow|claim|threaten|urge|"
    r"predict|argue|insist|acknowledge|admit|deny|tell|told|said|warned|pledged|promised|vowed|"
    r"claimed|threatened|urged|predicted|argued|insisted|acknowledged|admitted|denied)"
    r"(?:\s+(?:about|of|on|that|in|at|after|before|during|last|this)\b[^?]*)?\s*\??\s*$",
    re.I,
)


_COPULA_OWNER = re.compile(
    r"\s*(?:is|are|was|were)\s+(?:the\s+)?(?:[\w.&\-]+\s+){0,4}?[\w.&\-]+['’]s?\s+(?=[a-z])"
)


_ASKED_ROLE = re.compile(
    r"^\s*who\s+(?:is|was|are|were|will\s+be|has\s+been|had\s+been|became)\s+"
    r"(?:(?:the\s+)?(?:[A-Z][\w.\-’']*\s+){0,3}[\w.\-’']+['’]s?|the|an?)\s+"
    r"(?:(?:new|current|former|acting|interim|incoming|outgoing"
    r"|next)\s+)?((?:[a-z][a-z\-]*\s+)?[a-z][a-z\-]*)\s*(?:\b(?:of|at|for|in|on)\b|\?|$)",
    re.I,
)
# "Who is the Delaware State Police spokeswoman?": the title after the name of its body.
_ASKED_NAMED_ROLE = re.compile(
    r"^\s*[Ww]ho\s+(?:is|was|are|were)\s+the\s+(?:[A-Z][\w.\-’']*\s+){1,4}"
    r"((?:[a-z][a-z\-]*\s+)?[a-z][a-z\-]*)\s*\?"
)
_ASKED_DOER = re.compile(r"^\s*who\s+(?!(?:is|was|has|does)\b)([a-z][a-z\-]*(?:ed|s))\b", re.I)


def asked_roles(question: str) -> frozenset[str]:
    """The title a person asked about holds: "Who is the chair of …?" → chair, "Who is the
    head coach …?" → head coach; "Who co-founded …?" → co-founder, "Who hosts …?" → host (and
    the verb's other agent nouns: "director", "creator")."""
    m = _ASKED_ROLE.match(question) or _ASKED_NAMED_ROLE.match(question)
    if m is not None:
        return frozenset({m.group(1).lower()})
    m = _ASKED_DOER.match(question)
    if m is None:
        return frozenset()
    verb = m.group(1).lower()
    bases = [b for b in (verb[:-2], verb[:-1]) if len(b) >= 3]
    # "founding member Mick Fleetwood" founded the band as surely as a "founder" did.
    members = (
        [f"{verb[:-2]}ing {n}" for n in ("member", "partner", "father")]
        if verb.endswith("ed")
        else []
    )
    return frozenset(b + end for b in bases for end in ("", "er", "or", "r")) | frozenset(members)


def _a_noun_phrase(rest: str) -> bool:
    """ "annual profit?", not "turkeys named?": what closes the question is a noun phrase."""
    tokens = rest.strip(" ?").split()
    return 0 < len(tokens) <= 3 and not tokens[-1].endswith(("ed", "en"))


# "What was the bank's annual profit?": nouns whose value is a sum of money.
_MONEY_NOUNS = frozenset(
    wordlist("""price cost fine salary fee budget sum wage fare ransom profit revenue sale loss
    earnings income deficit debt valuation payout bonus compensation damages funding investment""")
)
# "What is the water level?", "the storm's top speed": nouns whose value is a measure.
_MEASURE_NOUNS = frozenset(
    wordlist("""level height depth length weight temperature speed distance size area elevation
    altitude capacity volume rainfall snowfall""")
)


def _money_word(question: str) -> bool:
    """A word of money in the question, not inside a name ("Charged Lemonade", "Fine Gael")."""
    return any(m.start() == 0 or m.group()[0].islower() for m in _MONEY.finditer(question))


def _category_kind(noun: str) -> str:
    """ "rapper" → person, "city" → place, "retailer" → org, anything else a thing."""
    return next((kind for table, kind in _KINDS if noun in table), "thing")


_OF_COUNTED = re.compile(
    r"\b(?:number|total|toll|amount|count|tally) of\s+([A-Za-z][\w\-]*)(?:\s+([A-Za-z][\w\-]*))?",
    re.I,
)


def _counted_after_of(q: str, parse=None) -> str | None:
    """ "the number of soldiers killed" counts soldiers, "the number of Malian soldiers" too."""
    if parse is not None:
        for tok in parse:
            if tok.lower_ in {"number", "total", "toll", "amount", "count", "tally"}:
                of = next((c for c in tok.children if c.lower_ == "of"), None)
                obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
                if obj is not None and obj.pos_ == "PROPN" and not _a_people(obj.text):
                    return None  # "the domestic total of Mission: Impossible": whose total
                if obj is not None and obj.pos_ in {"NOUN", "PROPN"}:
                    return obj.text
    m = _OF_COUNTED.search(q)
    if m is None:
        return None
    first, second = m.group(1), m.group(2)
    # Without tags: a second word is the noun unless it reads as a verb or a function word.
    if second and second.lower() not in STOPWORDS and not second.lower().endswith(("ed", "ing")):
        return second
    if first[:1].isupper() and not _a_people(first):
        return None  # "the domestic total of Mission: Impossible": whose total
    return first


def _a_people(word: str) -> bool:
    """ "Americans", "Malians": a capitalised plural counts people; "Mission", "Apple" do not."""
    return word.endswith("s") and not word.endswith("ss")


_AUXILIARY = frozenset(
    wordlist("is are was were has have had will would could can did does do may")
)


def _pick_wh(q: str) -> re.Match[str] | None:
    """The wh-word that asks, not one opening a relative clause ("Briggs, who died …")."""
    found = list(_WH.finditer(q))
    if not found:
        return None
    last_stop = max(q.rfind(". ", 0, found[-1].start()), q.rfind("? ", 0, found[-1].start()))
    asking = [m for m in found if m.start() > last_stop] or found
    # "… at Dodger Stadium this week, where they first performed …": a clause, no question.
    asking = [m for m in asking if not _relative_where(q, m)]
    if not asking:
        return None
    kept = []
    for m in asking:
        before = q[: m.start()].rstrip()
        nxt = re.match(r"\s*(\w+)", q[m.end() :])
        nxt_word = nxt.group(1).lower() if nxt else ""
        relative = (
            m.group(1).lower() in {"who", "which"}
            and before[-1:] in {",", "—"} | set("abcdefghijklmnopqrstuvwxyz")
            and before.split()[-1].lower() not in _PREPOSITIONS
            and (nxt_word in _AUXILIARY or nxt_word.endswith(("ed", "ly")))
        )
        if not relative:
            kept.append(m)
    return (kept or asking)[0]


def _relative_where(q: str, m: re.Match[str]) -> bool:
    nxt = re.match(r"\s*(\w+)", q[m.end() :])
    return (
        m.group(1).lower() in {"where", "when"}
        and q[: m.start()].rstrip().endswith(",")
        and (nxt is None or nxt.group(1).lower() not in _AUXILIARY)
    )


_PREPOSITIONS = frozenset(
    wordlist("""in on at of for with by from to into onto over under about
    against between during after before behind near since than as via""")
)


def singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


_THIS = re.compile(r"\b(?:this|these)\s+((?:[\w’'\-]+\s*){1,3})", re.I)
_NOT_THE_ANSWER = frozenset(
    wordlist("""week weekend month year season summer winter spring fall autumn morning evening
    time day days past decade century""")
)


def _this_noun(q: str, parse=None) -> Expected | None:
    """ "This football star announced …", "… purchased this company for $44 billion": a quiz
    statement names its answer "this <noun>", and the noun is its category."""
    for m in _THIS.finditer(q):
        noun = _this_head(m, parse)
        if noun is None or singular(noun) in _NOT_THE_ANSWER or singular(noun) in DATE_NOUNS:
            continue
        n = singular(noun)
        return Expected(_category_kind(n), stem(n), noun)
    return None


def _this_head(m: re.Match[str], parse) -> str | None:
    """The noun "this" points at: from the parse (the determiner's head), else the first word
    a category table knows, else the last word before a stopword or a verb-looking word."""
    if parse is not None:
        det = next((t for t in parse if t.idx == m.start()), None)
        if det is not None and det.dep_ == "det" and det.head.pos_ in {"NOUN", "PROPN"}:
            return det.head.text.lower()
        if det is not None:
            return None
    run: list[str] = []
    for w in re.findall(r"[\w’'\-]+", m.group(1)):
        low = w.lower()
        if low in STOPWORDS or (run and low.endswith("ed")):
            break
        if singular(low) in _CATEGORY_NOUNS:
            return low
        run.append(low)
    return run[-1] if run and not run[-1].isdigit() else None


_BLANK_DATE = re.compile(r"\b(?:since|in|on|until|from)\s*[:…_-]*\s*$", re.I)
_BLANK_AGENT = re.compile(
    r"\b(?:(?:held|won|led|written|directed|played|owned|founded|replaced|succeeded|voiced|"
    r"performed|sung|hosted|coached)\s+by|(?:" + "|".join(sorted(PERSON_NOUNS)) + r")\s+(?:to|of))"
    r"\s*[:…_-]*\s*$",
    re.I,
)
_BLANK_NUMBER = re.compile(r"\b(?:to|by|at|of|about|nearly|than)\s*[:…_-]*\s*$", re.I)


def _blank(q: str) -> Expected:
    """ "… raised to:" wants a number, "… since:" a date, "… titled:" a name or title."""
    if re.search(r"\bsince\s*[:…_-]*\s*$", q, re.I):
        return Expected("date", date_part="year", blank=True)  # "… for the first time since:"
    if _BLANK_DATE.search(q):
        return Expected("date", date_part="date", blank=True)
    if re.search(
        r"\b(?:cost|price|worth|fine|salary|budget|wage|jackpot|prize amount)s?\b", q, re.I
    ):
        return Expected("money", blank=True)  # "… the estimated cost to rebuild will be:"
    if _BLANK_AGENT.search(q):
        # "… a record previously held by:", "… special assistant to:": someone.
        return Expected("person", blank=True)
    if _BLANK_NUMBER.search(q):
        return Expected("count", blank=True)
    return Expected("thing", blank=True)


def _head_noun(text: str, parse, offset: int) -> str | None:
    """The category noun right after a wh-word: "US city" → "city", "MLB team’s owner" →
    "owner", "highly infectious disease" → "disease"."""
    if parse is not None:
        noun = _head_from_parse(parse, offset)
        if noun is not None:
            return noun
    text = re.sub(r"^\s*(?:type|kind|sort|form|variety)s?\s+of\s+", "", text, flags=re.I)
    tokens = re.findall(r"[\w’'\-]+|[“”\"]", text)[:7]
    # Without tags: the last word of the run before the first stopword or verb-looking word.
    run: list[str] = []
    for tok in tokens:
        t = tok.strip('“”"').lower()
        if not t:
            continue
        if t in DATE_NOUNS:
            return t
        if t in _SKIP:
            if run:
                break
            continue
        if (
            (t in STOPWORDS and t not in _NAME_WORDS)
            or (run and t.endswith("ed") and not run[-1].endswith("ly"))
            or (run and IRREGULAR_PAST.get(t, t) != t)
        ):
            # "which of these foods received …", "which hurricane made landfall": the verb
            # ends the noun phrase.
            break
        plain = re.sub(r"['’]s$", "", t)
        if plain != t and plain in _GROUP_MODIFIERS:
            continue  # "which children’s show": whose show it is for, not whose it is
        run.append(plain)
        if plain != t:
            return plain  # "which team’s owner …" asks which team
        if singular(t) in _CATEGORY_NOUNS and not _KIND_OF.match(t):
            return t
        if len(run) >= 3:
            break
    run = [w for w in run if not _KIND_OF.match(w)] or run
    return run[-1] if run else None


_NAME_WORDS = frozenset({"new", "news"})  # stopwords of a question, but words of a category


def _head_from_parse(doc, offset: int) -> str | None:
    i = next((t.i for t in doc if t.idx >= offset), None)
    if i is None:
        return None
    head = None
    stop = min(len(doc), i + 8)
    while i < stop:
        tok = doc[i]
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        if _KIND_OF.match(tok.text) and nxt is not None and nxt.lower_ == "of":
            i += 2  # "which type of cancer": the category is after "of"
            continue
        after = doc[i + 3] if i + 3 < len(doc) else None
        if nxt is not None and nxt.tag_ == "HYPH" and after is not None and after.is_alpha:
            i += 3  # "which Trump-backed Republican", "which state-owned bank": a modifier
            continue
        if tok.pos_ == "NOUN":
            head = tok.text
            if nxt is not None and nxt.tag_ == "POS":
                if tok.lower_ in _GROUP_MODIFIERS:
                    head = None  # "which children’s show": the show is asked for
                    i += 2
                    continue
                return head  # "which team’s owner …" asks which team
        elif tok.pos_ == "PROPN" or tok.tag_ == "POS" or tok.is_quote:
            pass  # "US city", "MLB team’s owner", "“Star Trek” character"
        elif tok.pos_ in {"ADJ", "ADV", "DET", "NUM", "PUNCT"} and head is None:
            pass
        elif (
            tok.tag_ == "VBG"
            and head is None
            and nxt is not None
            and nxt.pos_ in {"ADJ", "NOUN", "PROPN"}
        ):
            pass  # "which trailblazing Chinese American actress": a modifier, not the verb
        else:
            break
        i += 1
    return head


def question_stems(question: str) -> set[str]:
    return {stem(w) for w in words(question)}
