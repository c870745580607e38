"""Catalog catch-up from a shared Chroma server: several machines, one corpus.

With ``NEWSRAG_CHROMA_URL`` set, every API worker or ingest job, on any machine, writes its
chunks to the one Chroma server and commits them to its *own* SQLite catalog (articles, chunks,
BM25). The catalog is what a machine searches, so each must learn what the others wrote. Chroma
holds enough to rebuild any article exactly: each chunk's metadata carries the article's fields,
its fingerprint, the number of chunks of its version and the text between chunks
(``rag.store.vectors.article_metadata``).

An article *version* (one fingerprint) is committed once all of its ``n_chunks`` chunks are in
Chroma; when several complete versions exist (a replacement in flight, or two machines writing
the same article), the latest ``written_at`` wins. ``CatalogSync.run`` makes the local catalog
match that, one article per SQLite transaction, so a search never sees half an article:

1. list Chroma's chunk ids and the catalog's; ids only Chroma has, and catalog ids Chroma lost,
   name the articles that changed (nothing else is fetched, so a sync of an up-to-date catalog
   costs one id listing);
2. for each such article, read its chunks from Chroma and adopt its latest complete version,
   delete it locally if Chroma has no chunk of it any more, or leave it alone if Chroma only has
   an unfinished version (a write in progress, or an interrupted one).

Deletes go to Chroma first, then to the local catalog, so a crash in between cannot leave an
article that the next sync would bring back. ``prune`` (``newsrag repair`` in shared mode)
removes from Chroma the chunks no machine can use: unfinished versions and superseded ones,
once they are older than a grace period (a version being written right now is left alone).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from rag.schema import Article, Chunk
from rag.store.catalog import Catalog
from rag.store.vectors import VectorIndex

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Articles left as they are, with why: only an unfinished version in Chroma, or chunks
    # written before sync metadata existed (re-ingest those from their sources).
    skipped: dict[str, str] = field(default_factory=dict)
    chroma_chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.deleted)

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, replaced {len(self.replaced)}, deleted "
            f"{len(self.deleted)}, skipped {len(self.skipped)} "
            f"({self.chroma_chunks} chunks in Chroma, {self.seconds:.1f}s)"
        )


@dataclass
class Version:
    """The chunks of one article version (one fingerprint) found in Chroma."""

    fingerprint: str
    n_chunks: int
    written_at: float
    chunks: dict[int, tuple[str, dict, str | None]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.n_chunks > 0 and set(self.chunks) == set(range(self.n_chunks))

    @property
    def ids(self) -> list[str]:
        return [cid for cid, _, _ in self.chunks.values()]


def versions_of(got: dict) -> tuple[dict[str, Version], list[str]]:
    """Chunks of one article grouped by version; and the ids of chunks without sync metadata."""
    versions: dict[str, Version] = {}
    legacy: list[str] = []
    documents = got.get("documents") or [None] * len(got["ids"])
    for cid, meta, doc in zip(got["ids"], got["metadatas"], documents, strict=True):
        meta = meta or {}
        fp = meta.get("fingerprint")
        if not fp or "n_chunks" not in meta:
            legacy.append(cid)
            continue
        v = versions.get(fp)
        if v is None:
            v = versions[fp] = Version(fp, int(meta["n_chunks"]), 0.0)
        v.n_chunks = min(v.n_chunks, int(meta["n_chunks"]))
        v.written_at = max(v.written_at, float(meta.get("written_at") or 0.0))
        v.chunks[int(meta["index"])] = (cid, meta, doc)
    return versions, legacy


def latest(versions: dict[str, Version]) -> Version | None:
    complete = [v for v in versions.values() if v.complete]
    return max(complete, key=lambda v: (v.written_at, v.fingerprint)) if complete else None


def rebuild(article_id: str, version: Version) -> tuple[Article, list[Chunk]]:
    """The article and its chunks, exactly as they were written; ValueError if they do not
    add up (the fingerprint and every chunk's offsets are checked)."""
    parts: list[str] = []
    length = 0  # of the text rebuilt so far: the end of the previous chunk
    chunks: list[Chunk] = []
    first = version.chunks[0][1]
    for index in range(version.n_chunks):
        cid, meta, doc = version.chunks[index]
        if doc is None:
            raise ValueError("chunk text missing")
        start, end = int(meta["start"]), int(meta["end"])
        gap = meta.get("gap") or ""
        length += len(gap)
        # Chunks overlap: only the part after the previous chunk's end is new.
        new = doc[length - start :] if start < length else doc
        parts += [gap, new]
        length += len(new)
        if length != end:
            raise ValueError(f"chunk {index} ends at {length}, expected {end}")
        chunks.append(
            Chunk(id=cid, article_id=article_id, index=index, text=doc, start=start, end=end)
        )
    parts.append(version.chunks[version.n_chunks - 1][1].get("tail") or "")
    text = "".join(parts)
    for c in chunks:
        if text[c.start : c.end] != c.text:
            raise ValueError(f"chunk {c.index} does not match the rebuilt text")
    article = Article(
        id=article_id,
        title=first["title"],
        text=text,
        url=first.get("url") or None,
        published=date.fromisoformat(first["published"]) if first.get("published") else None,
        source=first.get("source") or None,
        authors=json.loads(first.get("authors") or "[]"),
        origin=first.get("origin") or "",
    )
    if article.fingerprint != version.fingerprint:
        raise ValueError("rebuilt article does not match its fingerprint")
    return article, chunks


class CatalogSync:
    def __init__(self, catalog: Catalog, vectors: VectorIndex) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self._lock = threading.Lock()  # one sync at a time per process

    # --- catch-up ----------------------------------------------------------------------------
    def run(self) -> SyncReport:
        """Bring the local catalog up to date with Chroma (see the module docstring)."""
        with self._lock:
            started = time.perf_counter()
            report = SyncReport()
            chroma_ids = self.vectors.all_ids()
            owners = self.catalog.chunk_owners()
            report.chroma_chunks = len(chroma_ids)
            unknown = sorted(chroma_ids.difference(owners))
            changed = {owners[cid] for cid in set(owners).difference(chroma_ids)}
            if unknown:
                got = self.vectors.get(ids=unknown)
                changed.update(
                    (m or {}).get("article_id") for m in got["metadatas"] if m is not None
                )
            changed.discard(None)
            for article_id in sorted(changed):
                self._resolve(article_id, report)
            report.seconds = time.perf_counter() - started
            if report.changed:
                log.info("catalog sync: %s", report.summary())
            return report

    def adopt(self, article_id: str, fingerprint: str) -> bool:
        """Commit this article version locally if Chroma holds it complete and as the latest
        (another machine, or an interrupted run, wrote it); True if the catalog now has it."""
        versions, _ = versions_of(
            self.vectors.get(where={"article_id": article_id}, documents=True)
        )
        best = latest(versions)
        if best is None or best.fingerprint != fingerprint:
            return False
        try:
            article, chunks = rebuild(article_id, best)
        except (ValueError, KeyError) as e:
            log.warning("cannot rebuild article %s from Chroma: %s", article_id, e)
            return False
        known = self.catalog.fingerprint(article_id)
        if known == fingerprint:
            return True
        return self.catalog.replace_article(article, chunks, expect=known) is not None

    def _resolve(self, article_id: str, report: SyncReport) -> None:
        known = self.catalog.fingerprint(article_id)
        got = self.vectors.get(where={"article_id": article_id}, documents=True)
        if not got["ids"]:
            if known is not None and self.catalog.delete_article(article_id, expect=known):
                report.deleted.append(article_id)
            return
        versions, legacy = versions_of(got)
        best = latest(versions)
        if best is None:
            report.skipped[article_id] = (
                "written without sync metadata; re-ingest it"
                if legacy and not versions
                else "only an unfinished version in Chroma (a write in progress, or an "
                "interrupted one: `newsrag repair` prunes it)"
            )
            return
        if best.fingerprint == known:
            report.unchanged += 1
            return
        try:
            article, chunks = rebuild(article_id, best)
        except (ValueError, KeyError) as e:
            report.skipped[article_id] = f"cannot rebuild from Chroma: {e}"
            return
        if self.catalog.replace_article(article, chunks, expect=known) is None:
            return  # written locally meanwhile; the next sync looks again
        (report.added if known is None else report.replaced).append(article_id)

    # --- deletes and pruning -----------------------------------------------------------------
    def delete_article(self, article_id: str) -> bool:
        """Chroma first, then the catalog: a crash in between cannot resurrect the article."""
        ids = set(self.vectors.get(where={"article_id": article_id})["ids"])
        ids.update(c.id for c in self.catalog.chunks_of(article_id))
        known = self.catalog.fingerprint(article_id) is not None
        if not ids and not known:
            return False
        self.vectors.delete(sorted(ids))
        self.catalog.delete_article(article_id)
        return True

    def delete_source(self, source: str) -> int:
        got = self.vectors.get(where={"source": source})
        article_ids = {(m or {}).get("article_id") for m in got["metadatas"]}
        article_ids.update(self.catalog.article_ids_of_source(source))
        article_ids.discard(None)
        return sum(self.delete_article(a) for a in sorted(article_ids))

    def prune(self, grace_seconds: float = 600.0) -> int:
        """Catch up, then delete the chunks of unfinished and superseded article versions
        written more than ``grace_seconds`` ago; returns how many chunks were deleted.
        Chunks without sync metadata are left alone: another machine's catalog may own them."""
        self.run()
        cutoff = time.time() - grace_seconds
        articles: dict[str, dict] = defaultdict(lambda: {"ids": [], "metadatas": []})
        for cid, meta in self.vectors.all_metadatas():
            group = articles[(meta or {}).get("article_id")]
            group["ids"].append(cid)
            group["metadatas"].append(meta)
        doomed: list[str] = []
        for group in articles.values():
            versions, _ = versions_of(group)
            best = latest(versions)
            for v in versions.values():
                if v is not best and v.written_at < cutoff:
                    doomed += v.ids
        self.vectors.delete(doomed)
        if doomed:
            self.run()  # a local catalog that still served a pruned version drops it
        return len(doomed)


class BackgroundSync:
    """Runs ``CatalogSync.run`` every ``interval`` seconds in a daemon thread (API workers)."""

    def __init__(self, sync: CatalogSync, interval: float) -> None:
        self.sync = sync
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundSync:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="catalog-sync", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def tick(self) -> bool:
        """One interval's work (subclasses may skip it when nothing changed); True if it ran."""
        self.sync.run()
        return True

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception as e:  # Chroma restarting, a network blip: try again next time
                log.warning("catalog sync failed (retrying in %gs): %s", self.interval, e)
