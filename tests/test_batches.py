"""Batch semantics (ingest/batch.py): one id twice in a batch, and records the store refuses.

Two records with one id and the same text but another title, date, url or source used to make
Chroma raise DuplicateIDError (their chunks had the same ids), losing the whole batch. Now the
last version of an id wins, every earlier one is listed as rejected with the reason, and the
rest of the batch is stored, from every source: JSON Lines, JSON, folders, feeds, the API
(inline and as a job) and the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli_app
from ingest.chunking import chunk_article
from rag.schema import Article
from tests.api_support import LOOPBACK, make_app
from tests.servers import wait_for

TEXT = (
    "The river Niger rose two metres at Mopti on Tuesday, flooding the lower market. "
    "Traders moved their stalls to the old quay, and the town council opened two schools "
    "as shelters for the families whose houses were flooded overnight."
)


def _record(rid: str, title: str, **more) -> dict:
    return {"id": rid, "title": title, "text": TEXT, **more}


VERSIONS = [
    _record("dup", "Flood at Mopti", published="2025-06-02", source="River Post"),
    _record("other", "Another story", text="A second article about a bridge at Gao. " * 5),
    _record(
        "dup",
        "Mopti flood, updated",
        published="2025-06-03",
        source="Niger Wire",
        url="https://example.org/mopti",
        authors=["A. Writer"],
    ),
    {"title": "no text here"},
]


def _consistent(c) -> None:
    """Every committed chunk has its vector and no vector is left without its chunk."""
    assert c.store.vectors.all_ids() == c.store.catalog.all_chunk_ids()


def _check_last_wins(c, report, *, dup_origin_hint: str = "") -> None:
    assert sorted(report.added) == ["dup", "other"], report
    reasons = [r.reason for r in report.rejected]
    assert sum("superseded by a later record with the same id 'dup'" in r for r in reasons) == 1
    assert len(report.rejected) == 2, report.rejected  # the superseded one, the bad record
    article = c.store.catalog.get_article("dup")
    assert article.title == "Mopti flood, updated" and article.source == "Niger Wire"
    assert str(article.published) == "2025-06-03" and article.url == "https://example.org/mopti"
    _consistent(c)


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["jsonl", "json"])
def test_one_id_twice_in_a_file(components, tmp_path, kind) -> None:
    if kind == "jsonl":
        path = _write_jsonl(tmp_path / "batch.jsonl", VERSIONS)
    else:
        path = tmp_path / "batch.json"
        path.write_text(json.dumps({"articles": VERSIONS}), encoding="utf-8")
    report = components.ingestor.ingest([str(path)])
    _check_last_wins(components, report)
    again = components.ingestor.ingest([str(path)])  # a re-run: the same verdict, no writes
    assert again.added == [] and again.replaced == [] and "dup" in again.unchanged
    _consistent(components)


def test_one_id_twice_in_a_folder_and_a_feed(components, tmp_path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    front = "---\ntitle: {t}\nurl: https://example.org/same\npublished: {d}\nsource: {s}\n---\n\n"
    (folder / "a.md").write_text(front.format(t="Old title", d="2025-06-01", s="A") + TEXT)
    (folder / "b.md").write_text(front.format(t="New title", d="2025-06-02", s="B") + TEXT)
    (folder / "c.bin").write_bytes(b"\x00\x01\x02 binary")
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        "<item><title>Feed v1</title><link>https://example.org/item</link>"
        f"<description>{TEXT}</description></item>"
        "<item><title>Broken</title><link>https://example.org/broken</link></item>"
        "<item><title>Feed v2</title><link>https://example.org/item</link>"
        f"<pubDate>Tue, 03 Jun 2025 08:00:00 +0000</pubDate><description>{TEXT}</description>"
        "</item></channel></rss>"
    )
    (tmp_path / "feed.rss").write_text(rss)
    report = components.ingestor.ingest([str(folder), str(tmp_path / "feed.rss")])
    same_url, item = (
        Article.make_id("https://example.org/same", "", ""),
        Article.make_id("https://example.org/item", "", ""),
    )
    assert sorted(report.added) == sorted([same_url, item]), report
    superseded = [r for r in report.rejected if "superseded" in r.reason]
    assert len(superseded) == 2, report.rejected
    assert len(report.rejected) == 4, report.rejected  # + the binary file, the empty item
    assert components.store.catalog.get_article(same_url).title == "New title"
    assert components.store.catalog.get_article(item).title == "Feed v2"
    _consistent(components)


def test_one_id_twice_across_flushes(components, tmp_path) -> None:
    """The first version already written when the second arrives (a flush in between)."""
    filler = [
        _record(f"filler-{i}", f"Filler {i}", text=f"Filler story number {i} about Gao. " * 3)
        for i in range(70)
    ]
    records = [VERSIONS[0], *filler, VERSIONS[2]]
    report = components.ingestor.ingest([str(_write_jsonl(tmp_path / "b.jsonl", records))])
    assert report.added.count("dup") == 1 and "dup" not in report.replaced, report.added[:3]
    assert len(report.added) == 71 and len(report.rejected) == 1
    assert components.store.catalog.get_article("dup").title == "Mopti flood, updated"
    _consistent(components)


def test_a_record_the_store_refuses_does_not_stop_the_batch(components, tmp_path) -> None:
    store = components.store
    real_write = store.write

    def refusing_write(batch):
        if any(item.article.id == "poison" for item in batch):
            raise RuntimeError("the store refused this record")
        return real_write(batch)

    store.write = refusing_write
    records = [VERSIONS[1], _record("poison", "Poison"), _record("fine", "Fine", text=TEXT * 2)]
    report = components.ingestor.ingest([str(_write_jsonl(tmp_path / "p.jsonl", records))])
    assert sorted(report.added) == ["fine", "other"]
    assert [r.reason for r in report.rejected] == [
        "could not be stored (RuntimeError: the store refused this record); the rest of the "
        "batch was"
    ]
    assert store.catalog.get_article("poison") is None
    _consistent(components)


def test_chunk_ids_change_with_everything_stored_with_the_chunk() -> None:
    base = Article(id="a", title="T", text=TEXT, url="https://example.org/a", source="S")
    ids = {tuple(c.id for c in chunk_article(base))}
    for change in (
        {"title": "T2"},
        {"url": "https://example.org/b"},
        {"published": "2025-06-02"},
        {"source": "S2"},
        {"authors": ["Someone"]},
        {"origin": "elsewhere.jsonl:3"},
        {"text": TEXT + " One more sentence."},
    ):
        changed = tuple(c.id for c in chunk_article(base.model_copy(update=change)))
        assert changed not in ids, change
        ids.add(changed)
    assert tuple(c.id for c in chunk_article(base.model_copy())) in ids  # and are stable


def test_replacing_only_the_title_leaves_no_stale_vectors(components, tmp_path) -> None:
    first = components.ingestor.ingest_items([Article(id="t", title="One", text=TEXT)])
    second = components.ingestor.ingest_items([Article(id="t", title="Two", text=TEXT)])
    assert first.added == ["t"] and second.replaced == ["t"]
    _consistent(components)
    hits = components.store.vectors.get(where={"article_id": "t"})
    assert {m["title"] for m in hits["metadatas"]} == {"Two"}


# --- the ways in ------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path, shared_embeddings):
    app = make_app(tmp_path / "data", shared_embeddings, sync_ingest_max_articles=2)
    with TestClient(app, client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


def _api_records() -> list[dict]:
    # A record without a text field is a 422 for the request (the shape is wrong); an empty
    # text is a bad record, rejected on its own.
    return [r for r in VERSIONS if "text" in r] + [{"title": "no text here", "text": " "}]


def test_one_id_twice_in_one_request_and_one_job(api) -> None:
    records = _api_records()
    inline = api.post("/v1/articles", json={"articles": records[:1] + records[2:3]})
    assert inline.status_code == 200, inline.text[:500]
    assert inline.json()["added"] == ["dup"] and len(inline.json()["rejected"]) == 1
    job = api.post("/v1/articles", json={"articles": records})
    assert job.status_code == 202, job.text[:300]
    url = job.json()["status_url"]
    wait_for(lambda: api.get(url).json()["state"] in ("done", "failed"), 120, "the job")
    done = api.get(url).json()
    assert done["state"] == "done", done
    report = done["report"]
    # The stored version (from the first request) is the last one again: nothing to write.
    assert report["added"] == ["other"] and report["unchanged"] == ["dup"], report
    assert len(report["rejected"]) == 2
    detail = api.get("/v1/articles/dup").json()
    assert detail["article"]["title"] == "Mopti flood, updated"
    assert api.get("/v1/articles/other").status_code == 200


def test_one_id_twice_through_the_cli(tmp_path) -> None:
    path = _write_jsonl(tmp_path / "cli.jsonl", VERSIONS)
    data = tmp_path / "data"
    result = CliRunner().invoke(cli_app, ["ingest", str(path), "--data-dir", str(data), "--json"])
    assert result.exit_code == 0, result.output[-2000:]
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert sorted(report["added"]) == ["dup", "other"]
    assert any("superseded" in r["reason"] for r in report["rejected"])
