"""Scale-out on a real `chroma run` server: several catalogs (machines) share one Chroma.

Each "machine" is a data dir of its own (catalog + BM25 + app state) pointed at the same
server by NEWSRAG_CHROMA_URL; rag/sync.py keeps each catalog caught up from Chroma.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest

from ingest.chunking import chunk_article
from rag.schema import Article
from rag.store.sync import Version, rebuild
from rag.store.vectors import article_metadata, chunk_metadata
from tests.conftest import SAMPLES, make_components
from tests.servers import (
    DIOURA,
    ChromaServer,
    NewsragServer,
    ask_json,
    base_env,
    log_problems,
    run_cli,
    unique_collection,
    wait_for,
)

pytestmark = pytest.mark.slow

FILES = [
    SAMPLES / "03-dioura-base-attack-claim.md",
    SAMPLES / "02-timbuktu-car-bomb-repelled.md",
    SAMPLES / "09-port-alder-tram-line-approved.md",
]


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma"))
    yield server
    server.stop()


def machine(root: Path, name: str, embeddings, chroma_url: str, collection: str, **kw):
    """Components of one "machine": its own data dir, the shared Chroma server."""
    kw.setdefault("sync_interval", 0)
    c = make_components(root / name, embeddings, chroma_url=chroma_url, collection=collection, **kw)
    c.store  # noqa: B018 - "start" the machine: build its store (and catch up, unless told not to)
    return c


def dump(c) -> tuple[list, list, list]:
    """Everything a catalog holds except when it was written (articles, chunks, BM25 rows)."""
    db = sqlite3.connect(c.settings.catalog_path)
    try:
        articles = db.execute(
            "SELECT id, title, url, published, published_day, source, authors, origin,"
            " fingerprint, text FROM articles ORDER BY id"
        ).fetchall()
        chunks = db.execute(
            'SELECT id, article_id, idx, start, "end" FROM chunks ORDER BY id'
        ).fetchall()
        fts = db.execute(
            "SELECT c.id, f.title, f.body FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid"
            " ORDER BY c.id"
        ).fetchall()
    finally:
        db.close()
    return articles, chunks, fts


def consistent(c) -> None:
    """Catalog chunks, BM25 rows and the article's Chroma chunks agree."""
    articles, chunks, fts = dump(c)
    assert [r[0] for r in fts] == [r[0] for r in chunks]
    ids = {r[0] for r in chunks}
    assert ids <= c.store.vectors.all_ids()


# --- exact rebuild (no server) ----------------------------------------------------------------


def _random_text(rng: random.Random) -> str:
    words = ["Mopti", "bridge", "rose", "2.4", "metres", "«quoted»", "l'armée", "café", "40", "—"]
    paragraphs = []
    for _ in range(rng.randint(1, 6)):
        sentences = []
        for _ in range(rng.randint(1, 8)):
            n = rng.choice([3, 8, 20, 70])  # 70: a run-on sentence, cut at words
            sep = rng.choice([" ", ", ", " ; "])
            sentences.append(sep.join(rng.choice(words) for _ in range(n)) + rng.choice(".!?"))
        paragraphs.append(rng.choice([" ", "  ", " \t"]).join(sentences))
    return rng.choice(["\n\n", "\n", "\n\n\n"]).join(paragraphs)


@pytest.mark.parametrize("size,overlap", [(50, 0), (50, 20), (220, 40)])
def test_an_article_is_rebuilt_exactly_from_its_chunk_metadata(size: int, overlap: int) -> None:
    rng = random.Random(size * 1000 + overlap)
    for i in range(40):
        article = Article(
            id=f"a{i}",
            title=f"Title {i} «x»",
            text=_random_text(rng),
            url=rng.choice([None, f"https://example.org/{i}"]),
            published=rng.choice([None, date(2025, 6, 2)]),
            source=rng.choice([None, "Sahel Monitor"]),
            authors=rng.choice([[], ["A. Writer", "B. Writer"]]),
            origin=f"/tmp/{i}.md",
        )
        chunks = chunk_article(article, size, overlap)
        version = Version(article.fingerprint, len(chunks), 1.0)
        for chunk, extra in zip(chunks, article_metadata(article, chunks, 1.0), strict=True):
            meta = chunk_metadata(
                article.id,
                article.title,
                article.published,
                article.source,
                chunk.index,
                chunk.start,
                chunk.end,
            )
            version.chunks[chunk.index] = (chunk.id, meta | extra, chunk.text)
        rebuilt, rebuilt_chunks = rebuild(article.id, version)
        assert rebuilt == article
        assert rebuilt_chunks == chunks


# --- catalogs following each other through the server ----------------------------------------


@pytest.fixture(scope="module")
def machine_a(chroma, tmp_path_factory, shared_embeddings):
    """Machine A has ingested three sample articles into a collection of its own."""
    root = tmp_path_factory.mktemp("machines")
    a = machine(root, "a", shared_embeddings, chroma.url, unique_collection())
    report = a.ingestor.ingest([str(f) for f in FILES])
    assert len(report.added) == 3 and not report.rejected, report
    return root, a


def test_another_machine_ingesting_the_same_articles_adopts_them(machine_a, shared_embeddings):
    root, a = machine_a
    b = machine(
        root,
        "b",
        shared_embeddings,
        a.settings.chroma_url,
        a.settings.collection,
        sync_on_start=False,
    )
    report = b.ingestor.ingest([str(f) for f in FILES])
    assert len(report.unchanged) == 3 and report.chunks_added == 0, report
    assert dump(b) == dump(a)


def test_a_new_machine_catches_up_on_start_and_answers(machine_a, shared_embeddings):
    root, a = machine_a
    c = machine(root, "c", shared_embeddings, a.settings.chroma_url, a.settings.collection)
    assert dump(c) == dump(a)  # caught up when its store was built
    assert c.store.sync.run().changed == 0
    answer = c.chain.ask(DIOURA)
    assert answer.status == "answered"
    assert any("40" in x.quote and "Dioura" in x.quote for x in answer.citations)
    assert not (c.settings.data_dir / "chroma").exists()  # no embedded Chroma on the side


def _short(aid: str, text: str, source: str = "Test Wire") -> Article:
    return Article(
        id=aid,
        title=f"{aid} report",
        text=text,
        url=f"https://example.org/{aid}",
        published=date(2025, 8, 12),
        source=source,
    )


MOPTI = (
    "Flooding closed the main bridge in Mopti on Tuesday, officials said. "
    "The river rose 2.4 metres in two days, the highest level since 2020."
)
GAO = "A convoy reached Gao on Friday after a week on the road. Fuel prices fell by a third."


def test_replacements_and_deletes_reach_the_other_catalogs(
    chroma, tmp_path, shared_embeddings
) -> None:
    coll = unique_collection()
    a = machine(tmp_path, "a", shared_embeddings, chroma.url, coll)
    b = machine(tmp_path, "b", shared_embeddings, chroma.url, coll)
    a.ingestor.ingest_items([_short("mopti", MOPTI), _short("gao", GAO, source="Other Wire")])
    first = b.store.sync.run()
    assert sorted(first.added) == ["gao", "mopti"] and dump(b) == dump(a)

    a.ingestor.ingest_items([_short("mopti", MOPTI.replace("2.4", "3.1"))])
    second = b.store.sync.run()
    assert second.replaced == ["mopti"] and dump(b) == dump(a)
    assert "3.1 metres" in b.store.catalog.get_article("mopti").text

    assert a.store.delete_article("mopti")
    assert b.store.sync.run().deleted == ["mopti"]
    assert dump(b) == dump(a)

    assert b.store.delete_source("Other Wire") == 1  # the other way round
    assert a.store.sync.run().deleted == ["gao"]
    assert dump(a)[0] == [] and a.store.vectors.count() == 0


def test_background_sync_follows_the_other_machine(chroma, tmp_path, shared_embeddings) -> None:
    coll = unique_collection()
    a = machine(tmp_path, "a", shared_embeddings, chroma.url, coll)
    b = machine(tmp_path, "b", shared_embeddings, chroma.url, coll, sync_interval=0.2)
    b.start_background_sync()
    try:
        a.ingestor.ingest_items([_short("mopti", MOPTI)])
        wait_for(lambda: b.store.catalog.get_article("mopti"), 60, "B's background sync")
        assert a.store.delete_article("mopti")
        wait_for(lambda: b.store.catalog.get_article("mopti") is None, 60, "the delete on B")
    finally:
        b.stop_background_sync()


def _prepared(c, article: Article):
    from rag.store.newsstore import PreparedArticle

    chunks = chunk_article(article, c.settings.chunk_words, c.settings.chunk_overlap_words)
    vectors = c.embeddings.encode([ch.text for ch in chunks])
    return PreparedArticle(article, chunks, vectors)


def _upsert_only(c, item, written_at: float, indexes=None) -> None:
    """Step 1 of the write protocol alone (as if the process died right after it)."""
    a = item.article
    extra = article_metadata(a, item.chunks, written_at)
    rows = [
        (ch, v, m)
        for ch, v, m in zip(item.chunks, item.vectors, extra, strict=True)
        if indexes is None or ch.index in indexes
    ]
    c.store.vectors.upsert(
        [ch.id for ch, _, _ in rows],
        [v for _, v, _ in rows],
        [ch.text for ch, _, _ in rows],
        [
            chunk_metadata(a.id, a.title, a.published, a.source, ch.index, ch.start, ch.end) | m
            for ch, _, m in rows
        ],
    )


def test_interrupted_and_superseded_writes_on_a_shared_server(
    chroma, tmp_path, shared_embeddings
) -> None:
    coll = unique_collection()
    # Small chunks, so that one short article makes two chunks.
    a = machine(tmp_path, "a", shared_embeddings, chroma.url, coll, chunk_words=50)
    b = machine(tmp_path, "b", shared_embeddings, chroma.url, coll, chunk_words=50)
    long_text = " ".join(
        f"Sentence {i} says the Niger river crossed {i} markers near Segou today."
        for i in range(12)
    )

    hour_ago = time.time() - 3600
    # Died after step 1: the version is complete in Chroma, so it counts as written.
    ghost = _prepared(a, _short("segou", long_text))
    assert len(ghost.chunks) >= 2
    _upsert_only(a, ghost, written_at=hour_ago)
    assert b.store.sync.run().added == ["segou"]
    report = a.ingestor.ingest_items([ghost.article])
    assert report.unchanged == ["segou"] and report.chunks_added == 0

    # Died in the middle of step 1: an unfinished version is never adopted nor searched.
    torn = _prepared(a, _short("torn", long_text.replace("Segou", "Kayes")))
    _upsert_only(a, torn, written_at=hour_ago, indexes={0})
    result = b.store.sync.run()
    assert "torn" in result.skipped and b.store.catalog.get_article("torn") is None
    found = b.chain.retriever.retrieve(
        "Niger river markers near Kayes", b.chain.retriever.filters()
    )
    assert "torn" not in {p.article_id for p in found.passages}

    # A newer complete version whose writer died before deleting the old one: newest wins.
    newer = _prepared(a, _short("segou", long_text.replace("today", "on Sunday")))
    _upsert_only(a, newer, written_at=hour_ago + 60)
    assert b.store.sync.run().replaced == ["segou"]
    assert "on Sunday" in b.store.catalog.get_article("segou").text

    before = a.store.vectors.count()
    assert a.store.sync.prune(grace_seconds=7200) == 0  # not old enough to touch
    removed = a.store.sync.prune(grace_seconds=600)
    stale = {c.id for c in ghost.chunks} - {c.id for c in newer.chunks}
    assert removed == len(stale) + 1  # the superseded chunks and the torn one
    assert a.store.vectors.count() == before - removed
    assert a.store.catalog.get_article("segou").text == newer.article.text
    assert b.store.sync.run().changed == 0
    for c in (a, b):
        consistent(c)
        assert dump(c) == dump(a)


def test_repair_on_a_fresh_machine_never_deletes_what_others_wrote(machine_a, shared_embeddings):
    root, a = machine_a
    d = machine(
        root,
        "d",
        shared_embeddings,
        a.settings.chroma_url,
        a.settings.collection,
        sync_on_start=False,
    )
    vectors = a.store.vectors.count()
    assert d.store.repair() == 0
    assert a.store.vectors.count() == vectors
    assert dump(d) == dump(a)


# --- through the CLI --------------------------------------------------------------------------


def test_cli_ingest_and_ask_through_the_chroma_server(chroma, tmp_path) -> None:
    env = base_env(NEWSRAG_CHROMA_URL=chroma.url, NEWSRAG_COLLECTION=unique_collection())
    one, two = tmp_path / "one", tmp_path / "two"
    done = run_cli("ingest", str(SAMPLES), "--json", "--data-dir", str(one), env=env)
    report = json.loads(done.stdout)
    assert len(report["added"]) == 11 and report["rejected"] == [], report
    answer = ask_json(DIOURA, env, "--data-dir", str(one))
    assert answer["status"] == "answered"
    assert any("Dioura" in c["quote"] and "40" in c["quote"] for c in answer["citations"])

    # Another machine: an empty data dir, the same server. It catches up when it starts.
    elsewhere = ask_json(DIOURA, env, "--data-dir", str(two))
    assert elsewhere["status"] == "answered"
    assert elsewhere["citations"][0]["quote"] == answer["citations"][0]["quote"]
    again = run_cli("ingest", str(SAMPLES), "--data-dir", str(two), env=env)
    assert "added 0, unchanged 11" in again.stdout
    stats = run_cli("stats", "--data-dir", str(two), env=env)
    assert chroma.url in stats.stdout
    synced = run_cli("sync", "--data-dir", str(two), env=env)
    assert "added 0, replaced 0, deleted 0" in synced.stdout
    assert not (one / "chroma").exists() and not (two / "chroma").exists()


# --- through the HTTP API ---------------------------------------------------------------------


def _records(*paths: Path) -> list[dict]:
    from ingest.loaders import load_file
    from rag.settings import Settings

    out = []
    for path in paths:
        (article,) = load_file(path, Settings())
        out.append(article.model_dump(mode="json", exclude={"origin"}))
    return out


def _ask(server: NewsragServer, question: str) -> dict:
    response = server.client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def test_two_servers_with_their_own_data_dirs_share_one_chroma(chroma, tmp_path) -> None:
    env = base_env(
        NEWSRAG_CHROMA_URL=chroma.url,
        NEWSRAG_COLLECTION=unique_collection(),
        NEWSRAG_SYNC_INTERVAL="0.5",
    )
    a = NewsragServer(tmp_path / "a" / "data", env)
    b = None
    try:
        posted = a.client.post("/v1/articles", json={"articles": _records(*FILES[:2])})
        assert posted.status_code == 200, posted.text
        assert len(posted.json()["added"]) == 2

        # B starts after the ingest: it catches up before serving.
        b = NewsragServer(tmp_path / "b" / "data", env)
        answer = _ask(b, DIOURA)
        assert answer["status"] == "answered", answer
        assert any("Dioura" in c["quote"] for c in answer["citations"])

        # Both running: what one ingests, the other answers from, once its sync has run.
        mopti = {"title": "Mopti bridge closed by floods", "text": MOPTI, "source": "Test Wire"}
        mopti |= {"url": "https://example.org/mopti", "published": "2025-08-12"}
        posted = b.client.post("/v1/articles", json={"articles": [mopti]})
        assert posted.status_code == 200 and len(posted.json()["added"]) == 1, posted.text
        question = "How much did the river rise in Mopti?"
        found = wait_for(
            lambda: (r := _ask(a, question))["status"] == "answered" and r,
            120,
            "server A to answer from the article ingested through B",
        )
        assert "2.4 metres" in found["citations"][0]["quote"]

        # A delete through A disappears from B too.
        dioura_id = answer["citations"][0]["article_id"]
        assert a.client.delete(f"/v1/articles/{dioura_id}").status_code == 200
        wait_for(
            lambda: b.client.get(f"/v1/articles/{dioura_id}").status_code == 404,
            120,
            "server B to drop the article deleted through A",
        )
        gone = _ask(b, DIOURA)
        assert all(c["article_id"] != dioura_id for c in gone["citations"])
    finally:
        logs = a.log() + (b.log() if b else "")
        a.stop()
        if b:
            b.stop()
    assert log_problems(logs) == []


def test_serve_with_two_workers_on_a_chroma_server(chroma, tmp_path) -> None:
    env = base_env(NEWSRAG_CHROMA_URL=chroma.url, NEWSRAG_COLLECTION=unique_collection())
    server = NewsragServer(tmp_path / "data", env, workers=2)
    try:
        posted = server.client.post("/v1/articles", json={"articles": _records(FILES[0])})
        assert posted.status_code == 200, posted.text
        # Two workers behind one port: the kernel picks one per connection; ask on fresh
        # connections so both answer, and every answer must be the same.
        quotes = set()
        for _ in range(6):
            with server.client.__class__(base_url=server.url, timeout=300) as fresh:
                r = fresh.post("/v1/ask", json={"question": DIOURA})
            assert r.status_code == 200 and r.json()["status"] == "answered", r.text
            quotes.add(r.json()["citations"][0]["quote"])
        assert len(quotes) == 1
    finally:
        server.stop()
    assert log_problems(server.log()) == []


def test_serve_refuses_several_workers_on_an_embedded_chroma(tmp_path) -> None:
    """Each worker process would hold its own copy of the embedded vector index."""
    done = run_cli(
        "serve", "--workers", "2", "--data-dir", str(tmp_path), env=base_env(), check=False
    )
    assert done.returncode == 2
    assert "NEWSRAG_CHROMA_URL" in done.stderr and "Traceback" not in done.stderr
