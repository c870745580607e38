"""BM25 over the catalog's FTS5 index, with the OR-query cut down to what is worth scoring.

FTS5 computes ``bm25()`` for every row that matches any term of an OR-query and then sorts them
all, so a question with common words ("set", "take", "place", "national") scores most of the
corpus: 114 ms of CPU a question (p50; 191 ms p95) at 229k chunks, growing with the store.
Reading a term's postings is cheap; scoring them is not (``python -m bench.bm25``: 33 / 44 ms
pruned, same hit@k; docs/measured.md). So the query runs in two steps, and the result is the
ranking of the whole OR-query except where a chunk would only rank by common words:

1. **Selective terms.** The question's words, rarest first by document frequency (FTS5's own
   vocabulary, cached), are kept while their postings add up to ``POSTINGS_BUDGET`` (and always
   the ``MIN_TERMS`` rarest). FTS5 ranks the chunks that hold one of them, with the filters, and
   keeps the best ``RESCORE_POOL``.
2. **The other terms** add their BM25 share to those candidates, computed here with FTS5's
   formula and statistics (same IDF, document lengths, average length and column weights), so a
   candidate's score is exactly its score under the full OR-query.

When all the terms' postings fit ``PLAIN_POSTINGS`` (most questions on a store of up to ~50k
chunks) step 1 is the full query and nothing is approximated. The statistics come from FTS5's shadow tables
(``_data`` averages record, ``_docsize``, ``_content``; their format is part of FTS5's
on-disk compatibility promise), the stems from an in-memory FTS5 table with the same tokenizer.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from rag.text.tokens import STOPWORDS, words

TOKENIZER = "porter unicode61 remove_diacritics 2"
TITLE_WEIGHT, BODY_WEIGHT = 0.5, 1.0  # a title is repeated in every chunk of its article
K1, B = 1.2, 0.75  # FTS5's bm25() constants
POSTINGS_BUDGET = 15_000
# Below this many postings in all, the plain OR-query is cheaper than the two steps (about
# 30 ms either way on 2 cores): pruning starts where it pays, past ~50k chunks.
PLAIN_POSTINGS = 60_000
MIN_TERMS = 3
RESCORE_POOL = 100
_DF_CACHE_MAX = 200_000  # terms; a few MB

# The one ranking query; {where} holds the filters (rag.store.filters via catalog._filter_sql).
SEARCH_SQL = (
    "SELECT c.rowid, c.id, bm25(chunks_fts, {title}, {body}) AS s FROM chunks_fts "
    "JOIN chunks c ON c.rowid = chunks_fts.rowid "
    "JOIN articles a ON a.id = c.article_id "
    "WHERE chunks_fts MATCH ? {where} ORDER BY s LIMIT ?"
)
VOCAB_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, 'row')"
)


def query_words(text: str) -> list[str]:
    """The question's content words, once each, in order."""
    return list(dict.fromkeys(w for w in words(text) if w not in STOPWORDS and len(w) > 1))


def or_query(terms: Sequence[str]) -> str:
    """An FTS5 OR-query of ``terms``, each quoted: user text is never query syntax."""
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


@dataclass
class Plan:
    selective: list[str]  # words FTS5 matches and ranks
    rest: list[str]  # stems of the common words, added to the candidates' scores


class Bm25:
    """The pruned BM25 search of one catalog (thread-safe; one per Catalog)."""

    def __init__(self) -> None:
        self._local = threading.local()  # per thread: the in-memory tokenizer and pool tables
        self._df: dict[str, int] = {}
        self._df_rows = 0  # chunk count the cached frequencies were read at
        self._lock = threading.Lock()

    def search(
        self, db: sqlite3.Connection, query: str, where: str, args: list, limit: int
    ) -> list[tuple[str, float]]:
        """(chunk id, bm25; higher is better) of the best ``limit`` chunks passing ``where``."""
        terms = query_words(query)
        if not terms:
            return []
        stats = _averages(db)
        if stats is None:
            return []  # an empty index
        rows, avgdl = stats
        plan = self.plan(db, terms, rows)
        sql = SEARCH_SQL.format(title=TITLE_WEIGHT, body=BODY_WEIGHT, where=where)
        pool = max(limit, RESCORE_POOL) if plan.rest else limit
        found = db.execute(sql, [or_query(plan.selective), *args, pool]).fetchall()
        if not plan.rest or not found:
            return [(r[1], -r[2]) for r in found[:limit]]
        extra = self._rescore(db, [r[0] for r in found], plan.rest, rows, avgdl)
        scored = sorted(((-r[2] + extra.get(r[0], 0.0), r[1]) for r in found), key=lambda x: -x[0])
        return [(cid, score) for score, cid in scored[:limit]]

    def plan(self, db: sqlite3.Connection, terms: list[str], rows: int) -> Plan:
        stems = self.stems(terms)
        freq = self._frequencies(db, {s for group in stems.values() for s in group}, rows)
        # A word of several tokens ("covid-19") is a phrase: FTS5 matches it, never step 2.
        by_df = sorted(terms, key=lambda w: min((freq[s] for s in stems.get(w, ())), default=0))
        total = sum(min((freq[s] for s in stems.get(w, ())), default=0) for w in terms)
        if total <= PLAIN_POSTINGS:
            return Plan(list(terms), [])
        selective, rest, postings, kept = [], [], 0, 0
        for w in by_df:
            group = stems.get(w, [])
            df = min((freq[s] for s in group), default=0)
            if df == 0 or len(group) != 1:
                selective.append(w)  # matches nothing (costs nothing), or a phrase
            elif kept < MIN_TERMS or postings + df <= POSTINGS_BUDGET:
                selective.append(w)
                postings += df
                kept += 1
            else:
                rest.append(group[0])
        return Plan(selective, rest)

    # --- statistics --------------------------------------------------------------------------
    def _frequencies(self, db: sqlite3.Connection, stems: set[str], rows: int) -> dict[str, int]:
        """Document frequency of each stem, from FTS5's vocabulary; cached, and forgotten once
        the store has grown or shrunk by 5 % (pruning needs them roughly, scores closely)."""
        with self._lock:
            if abs(rows - self._df_rows) > 0.05 * max(rows, 1) or len(self._df) > _DF_CACHE_MAX:
                self._df.clear()
                self._df_rows = rows
            missing = [s for s in stems if s not in self._df]
        if missing:
            db.execute(VOCAB_SQL)
            marks = ",".join("?" * len(missing))
            got = dict(
                db.execute(
                    f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({marks})", missing
                ).fetchall()
            )
            with self._lock:
                for s in missing:
                    self._df[s] = int(got.get(s, 0))
        with self._lock:
            return {s: self._df.get(s, 0) for s in stems}

    def _mem(self) -> sqlite3.Connection:
        mem = getattr(self._local, "mem", None)
        if mem is None:
            mem = sqlite3.connect(":memory:", isolation_level=None)
            mem.executescript(
                f"CREATE VIRTUAL TABLE words USING fts5(t, tokenize='{TOKENIZER}');"
                "CREATE VIRTUAL TABLE words_v USING fts5vocab(words, 'instance');"
                f"CREATE VIRTUAL TABLE pool USING fts5(title, body, tokenize='{TOKENIZER}');"
                "CREATE VIRTUAL TABLE pool_v USING fts5vocab(pool, 'instance');"
            )
            self._local.mem = mem
        return mem

    def stems(self, terms: list[str]) -> dict[str, list[str]]:
        """Each word's tokens as the index holds them (FTS5's own tokenizer, not a copy)."""
        mem = self._mem()
        mem.execute("DELETE FROM words")
        mem.executemany("INSERT INTO words (rowid, t) VALUES (?, ?)", list(enumerate(terms)))
        out: dict[str, list[str]] = {}
        for doc, term in mem.execute("SELECT doc, term FROM words_v ORDER BY doc, offset"):
            out.setdefault(terms[doc], []).append(term)
        return out

    def _rescore(
        self, db: sqlite3.Connection, rowids: list[int], stems: list[str], rows: int, avgdl: float
    ) -> dict[int, float]:
        """Each candidate's bm25 share from ``stems``, as FTS5 would add it (fts5_aux.c)."""
        marks = ",".join("?" * len(rowids))
        mem = self._mem()
        mem.execute("DELETE FROM pool")
        mem.executemany(
            "INSERT INTO pool (rowid, title, body) VALUES (?, ?, ?)",
            db.execute(
                f"SELECT rowid, c0, c1 FROM chunks_fts_content WHERE rowid IN ({marks})", rowids
            ).fetchall(),
        )
        lengths = {
            r[0]: sum(_varints(r[1]))
            for r in db.execute(
                f"SELECT id, sz FROM chunks_fts_docsize WHERE id IN ({marks})", rowids
            )
        }
        unique = sorted(set(stems))
        freq: dict[tuple[int, str], float] = {}
        counts = mem.execute(
            "SELECT doc, term, col, count(*) FROM pool_v "
            f"WHERE term IN ({','.join('?' * len(unique))}) GROUP BY doc, term, col",
            unique,
        )
        for doc, term, col, n in counts:
            weight = TITLE_WEIGHT if col == "title" else BODY_WEIGHT
            freq[doc, term] = freq.get((doc, term), 0.0) + n * weight
        dfs = self._frequencies(db, set(unique), rows)
        idf = {s: _idf(rows, dfs[s]) for s in unique}
        out: dict[int, float] = {}
        for rowid in rowids:
            norm = K1 * (1 - B + B * lengths.get(rowid, 0) / avgdl)
            score = 0.0
            for s in stems:  # a stem twice in the question counts twice, as in the OR-query
                f = freq.get((rowid, s))
                if f:
                    score += idf[s] * f * (K1 + 1) / (f + norm)
            out[rowid] = score
        return out


def _idf(rows: int, df: int) -> float:
    idf = math.log((rows - df + 0.5) / (df + 0.5))
    return idf if idf > 0 else 1e-6


def _averages(db: sqlite3.Connection) -> tuple[int, float] | None:
    """(rows, average tokens per row over all columns) from FTS5's averages record."""
    got = db.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    if got is None:
        return None
    values = _varints(got[0])
    if not values or values[0] == 0:
        return None
    return values[0], max(1.0, sum(values[1:]) / values[0])


def _varints(blob: bytes) -> list[int]:
    """SQLite varints (big-endian 7-bit groups, the 9th byte whole), as FTS5 writes them."""
    out: list[int] = []
    i = 0
    while i < len(blob):
        value = 0
        for k in range(9):
            byte = blob[i]
            i += 1
            if k == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out
