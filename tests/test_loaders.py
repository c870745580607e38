"""Loaders: every format, and every kind of bad input becoming a rejection with a reason."""

from __future__ import annotations

import gzip
import json
import os
import sys
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import count_hint, iter_articles, load_bytes
from ingest.loaders.base import html_to_text, normalise_text, parse_date
from rag.schema import Article, Rejection
from rag.settings import Settings

RTQA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "rtqa" / "articles.jsonl.gz"
if not RTQA.exists():
    RTQA = Path("/work/shared/eval/rtqa/articles.jsonl.gz")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def load(paths: list[Path] | Path, settings: Settings) -> list[Article | Rejection]:
    items = paths if isinstance(paths, list) else [paths]
    return list(iter_articles([str(p) for p in items], settings))


def articles(results: list[Article | Rejection]) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def rejections(results: list[Article | Rejection]) -> dict[str, str]:
    return {r.origin: r.reason for r in results if isinstance(r, Rejection)}


def only_article(results: list[Article | Rejection]) -> Article:
    assert len(results) == 1, results
    assert isinstance(results[0], Article), results[0]
    return results[0]


def only_rejection(results: list[Article | Rejection]) -> str:
    assert len(results) == 1, results
    assert isinstance(results[0], Rejection), results[0]
    return results[0].reason


# --- text and Markdown ------------------------------------------------------------------------


def test_text_with_front_matter(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "floods.md"
    path.write_text(
        "---\n"
        "title: Floods hit Bamako\n"
        "published: 2025-06-02\n"
        "source: Sahel Times\n"
        "url: https://saheltimes.example/floods\n"
        "id: floods-1\n"
        "authors: [Awa Traoré, Moussa Diallo]\n"
        "---\n"
        "Heavy rains flooded Bamako on Sunday.   \r\n"
        "\r\n"
        "At least 12 people died.\r\n\r\n\r\n",
        encoding="utf-8",
    )
    a = only_article(load(path, settings))
    assert a.id == "floods-1"
    assert a.title == "Floods hit Bamako"
    assert a.published == date(2025, 6, 2)
    assert a.source == "Sahel Times"
    assert a.url == "https://saheltimes.example/floods"
    assert a.authors == ["Awa Traoré", "Moussa Diallo"]
    # Newlines normalised and trailing whitespace stripped; nothing else touched.
    assert a.text == "Heavy rains flooded Bamako on Sunday.\n\nAt least 12 people died."
    assert a.origin == str(path)


def test_text_first_line_is_title(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "note.txt"
    path.write_text("\n\n  Ceasefire talks resume in Doha\nDelegations met on Monday.\n")
    a = only_article(load(path, settings))
    assert a.title == "Ceasefire talks resume in Doha"
    assert a.text == "Delegations met on Monday."
    assert a.published is None and a.source is None and a.url is None
    assert a.id == Article.make_id(None, a.title, a.text)


@pytest.mark.parametrize(
    ("body", "published"),
    [
        # Pasted copy: the dateline glued to the outlet's name, under a standfirst.
        ("Rebels took the ferry port on Sunday.\n\nJune 02, 2025Kesh Courier\n\nText.", date(2025, 6, 2)),
        ("Monday, 2 June 2025\nText.", date(2025, 6, 2)),
        ("2025-06-02 — Orlo\nText.", date(2025, 6, 2)),
        # A date inside prose is an event's, not the publication's; nor is one far down.
        ("The port fell on June 1, 2025, after a week of shelling by the rebels from the hills.",
         None),
        ("a\nb\nc\nd\ne\nf\nJune 2, 2025\nText.", None),
    ],
)  # fmt: skip
def test_a_dateline_near_the_top_dates_a_headerless_text(tmp_path, settings, body, published):
    path = tmp_path / "pasted.txt"
    path.write_text("Port falls to rebels\n" + body + "\n")
    a = only_article(load(path, settings))
    assert a.published == published
    # A date in the header wins.
    path.write_text("---\npublished: 2025-06-09\n---\nPort falls to rebels\n" + body + "\n")
    assert only_article(load(path, settings)).published == date(2025, 6, 9)


def test_front_matter_without_title_uses_first_line(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "x.md"
    path.write_text("---\npublished: June 2, 2025\n---\n# Market rally\n\nStocks rose 3%.\n")
    a = only_article(load(path, settings))
    assert (a.title, a.text, a.published) == ("Market rally", "Stocks rose 3%.", date(2025, 6, 2))


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("# Heading title\nBody text.", "Heading title"),
        ("### Closed heading ###\nBody text.", "Closed heading"),
        ("Setext title\n============\nBody text.", "Setext title"),
    ],
)
def test_markdown_heading_title(tmp_path: Path, settings: Settings, content: str, title: str):
    path = tmp_path / "a.markdown"
    path.write_text(content)
    a = only_article(load(path, settings))
    assert a.title == title
    assert a.text == "Body text."


def test_plain_text_keeps_hash(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.txt"
    path.write_text("#1 hit single\nBody.")
    assert only_article(load(path, settings)).title == "#1 hit single"


def test_title_only_text_is_rejected(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Just a title\n\n")
    assert "no text after the title line" in only_rejection(load(path, settings))


def test_malformed_front_matter(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\npublished: 2025-06-02\n---\nText.\n")
    reason = only_rejection(load(path, settings))
    assert reason.startswith("malformed YAML front matter at line")
    assert "flow sequence" in reason  # the YAML error itself


def test_utf8_bom_and_utf16(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffTitre\nL'été à Paris.".encode("utf-8"))
    (tmp_path / "u16.txt").write_bytes("Titre\nL'été à Paris.".encode("utf-16"))
    results = load(tmp_path, settings)
    assert [(a.title, a.text) for a in articles(results)] == [("Titre", "L'été à Paris.")] * 2


# --- HTML -------------------------------------------------------------------------------------

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Floods hit Bamako | Sahel Times</title>
<meta property="og:site_name" content="Sahel Times">
<meta property="article:published_time" content="2025-06-02T08:00:00Z">
<link rel="canonical" href="https://saheltimes.example/2025/06/02/floods">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/subscribe">Subscribe to our newsletter</a></li></ul></nav>
<header><h1>Floods hit Bamako</h1></header>
<article>
<p>Heavy rains flooded several districts of Bamako on Sunday, the civil protection agency
said in a statement released on Monday morning.</p>
<p>At least 12 people died and 3,000 were displaced, according to officials who toured the
worst-hit neighbourhoods along the river.<script>document.cookie='stolen'</script></p>
<p>The Niger river rose two metres above its usual level.<img src=x onerror="alert(1)">
Residents said the water reached their roofs within an hour.</p>
<p>Aid groups asked for clean water, tents and medicine.
<iframe src="https://evil.example/"></iframe><a href="javascript:alert(2)">Donate</a></p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Election results</a></li></ul></aside>
<footer><p>Copyright 2025 Sahel Times. All rights reserved.</p>
<p>Privacy policy | Cookie settings | Contact us</p></footer>
</body></html>"""


def test_html_article(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "floods.html"
    path.write_text(ARTICLE_HTML)
    a = only_article(load(path, settings))
    assert a.title == "Floods hit Bamako"
    assert a.published == date(2025, 6, 2)
    assert a.source == "Sahel Times"
    assert a.url == "https://saheltimes.example/2025/06/02/floods"
    assert a.id == Article.make_id(a.url, a.title, a.text)
    assert "At least 12 people died and 3,000 were displaced" in a.text
    assert "Residents said the water reached their roofs" in a.text
    for boilerplate in ("Subscribe to our newsletter", "Copyright", "Privacy policy", "Most read"):
        assert boilerplate not in a.text
    # Plain text only: no markup, nothing executable.
    for markup in ("<", ">", "script", "onerror", "alert", "javascript:", "cookie", "iframe"):
        assert markup not in a.text
    # One block per paragraph, separated by a blank line.
    assert "\n\n" in a.text and "\n\n\n" not in a.text


def test_html_escaped_markup_is_text(tmp_path: Path, settings: Settings) -> None:
    """Markup written *as text* in an article stays text (the widget must escape it)."""
    path = tmp_path / "xss.htm"
    path.write_text(
        "<html><head><title>Security notes</title></head><body><article>"
        "<p>The attacker posted &lt;img src=x onerror=alert(1)&gt; in the comment form, "
        "researchers said on Tuesday.</p></article></body></html>"
    )
    a = only_article(load(path, settings))
    assert "<img src=x onerror=alert(1)>" in a.text


def test_html_declared_charset_is_honoured(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "latin.html"
    page = (
        '<html><head><meta charset="iso-8859-1"><title>Café fermé</title></head><body>'
        "<article><p>Le café de la gare a fermé ses portes après quarante ans.</p></article>"
        "</body></html>"
    )
    path.write_bytes(page.encode("latin-1"))
    a = only_article(load(path, settings))
    assert a.title == "Café fermé"
    assert a.text == "Le café de la gare a fermé ses portes après quarante ans."


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><div><p",
        b"<html><head><title>Nothing</title></head><body><script>x()</script></body></html>",
    ],
)
def test_html_without_text_is_rejected(tmp_path: Path, settings: Settings, page: bytes):
    path = tmp_path / "broken.html"
    path.write_bytes(page)
    assert only_rejection(load(path, settings)) == "no article text found in HTML"


# --- JSON and JSON Lines ------------------------------------------------------------------------

RECORD = {
    "id": "r1",
    "url": "https://news.example/1",
    "title": "Record one",
    "published": "2025-06-02T10:00:00Z",
    "source": "Example News",
    "text": "First record text.",
    "authors": ["A. Writer"],
}


def test_json_list(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "list.json"
    second = {
        "url": "https://news.example/2",
        "title": "Two",
        "content": "Body.",
        "date": "2025-06-03",
    }
    path.write_text(json.dumps([RECORD, second]))
    a, b = load(path, settings)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert (a.id, a.title, a.text, a.published, a.source, a.authors) == (
        "r1",
        "Record one",
        "First record text.",
        date(2025, 6, 2),
        "Example News",
        ["A. Writer"],
    )
    assert a.origin == f"{path}#1"
    assert b.id == Article.make_id("https://news.example/2", "Two", "Body.")
    assert (b.text, b.published, b.origin) == ("Body.", date(2025, 6, 3), f"{path}#2")


def test_json_object_with_articles(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"articles": [RECORD, {"title": "No text"}, {"body": "No title"}]}))
    results = load(path, settings)
    assert [a.id for a in articles(results)] == ["r1"]
    assert rejections(results) == {
        f"{path}#2": "record has no text (expected a 'text', 'content' or 'body' field)",
        f"{path}#3": "record has no title (expected a 'title' field)",
    }


def test_json_single_object_and_bad_types(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "a.json").write_text(json.dumps(RECORD))
    (tmp_path / "b.json").write_text(json.dumps({"title": 5, "text": "x"}))
    (tmp_path / "c.json").write_text("42")
    (tmp_path / "d.json").write_text('{"title": "x", "text": ')
    results = load(tmp_path, settings)
    assert only_article(results[:1]).origin == str(tmp_path / "a.json")
    reasons = rejections(results)
    assert reasons[str(tmp_path / "b.json")] == "field 'title' should be a string, not int"
    assert reasons[str(tmp_path / "c.json")].startswith("expected a JSON object, a list")
    assert reasons[str(tmp_path / "d.json")].startswith("invalid JSON: Expecting value: line 1")


def test_jsonl_with_bad_lines(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps(RECORD),
        "",
        '{"title": "broken", ',
        json.dumps({"title": "Two", "text": "Second."}),
        '["not", "an", "object"]',
        json.dumps({"title": "Latin", "text": "x"})[:-2] + 'caf\xe9"}',
    ]
    path.write_bytes("\n".join(lines[:-1]).encode() + b"\n" + lines[-1].encode("latin-1") + b"\n")
    results = load(path, settings)
    assert [(a.title, a.origin) for a in articles(results)] == [
        ("Record one", f"{path}:1"),
        ("Two", f"{path}:4"),
    ]
    reasons = rejections(results)
    assert reasons[f"{path}:3"].startswith("invalid JSON: Expecting property name")
    assert reasons[f"{path}:5"] == "expected a JSON object, got a list"
    assert "not UTF-8 text: invalid byte 0xe9" in reasons[f"{path}:6"]
    assert "iconv -f latin1 -t utf-8" in reasons[f"{path}:6"]


def test_gzipped_jsonl_and_json(tmp_path: Path, settings: Settings) -> None:
    records = [dict(RECORD, id=f"r{i}", title=f"Title {i}") for i in range(3)]
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    with gzip.open(tmp_path / "b.json.gz", "wt", encoding="utf-8") as f:
        json.dump({"articles": records[:1]}, f)
    (tmp_path / "c.jsonl.gz").write_bytes(b"not gzip at all\n")
    results = load(tmp_path, settings)
    assert [a.origin for a in articles(results)] == [
        f"{tmp_path / 'a.jsonl.gz'}:{i}" for i in (1, 2, 3)
    ] + [f"{tmp_path / 'b.json.gz'}#1"]
    assert rejections(results)[str(tmp_path / "c.jsonl.gz")].startswith("not a valid gzip file")


def test_truncated_gzip_keeps_loaded_lines(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(
        "".join(json.dumps(dict(RECORD, id=str(i))) + "\n" for i in range(50)).encode()
    )
    path.write_bytes(data[: len(data) - 20])
    results = load(path, settings)
    assert articles(results)
    assert isinstance(results[-1], Rejection) and results[-1].origin == str(path)
    assert "ends early" in results[-1].reason


def test_deeply_nested_json(tmp_path: Path, settings: Settings) -> None:
    depth = sys.getrecursionlimit() * 2
    nested = "[" * depth + "]" * depth
    (tmp_path / "deep.json").write_text(nested)
    (tmp_path / "deep.jsonl").write_text(json.dumps(RECORD) + "\n" + nested + "\n")
    results = load(tmp_path, settings)
    reasons = rejections(results)
    assert reasons[str(tmp_path / "deep.json")] == "JSON nested too deeply"
    assert reasons[f"{tmp_path / 'deep.jsonl'}:2"] == "JSON nested too deeply"
    assert len(articles(results)) == 1


def test_jsonl_line_over_limit_is_skipped(tmp_path: Path) -> None:
    settings = Settings(max_file_bytes=1024)
    path = tmp_path / "big.jsonl"
    long = json.dumps(dict(RECORD, text="word " * 500))
    path.write_text("\n".join([json.dumps(RECORD), long, json.dumps(dict(RECORD, id="r2"))]))
    results = load(path, settings)
    assert [a.id for a in articles(results)] == ["r1", "r2"]
    assert "over the 1,024 byte limit" in rejections(results)[f"{path}:2"]


@pytest.mark.skipif(not RTQA.exists(), reason="rtqa eval corpus not present")
def test_rtqa_corpus_first_records(settings: Settings) -> None:
    results = []
    for result in iter_articles([str(RTQA)], settings):
        results.append(result)
        if len(results) == 50:
            break
    assert all(isinstance(r, Article) for r in results), rejections(results)
    with gzip.open(RTQA, "rt", encoding="utf-8") as f:
        first = json.loads(f.readline())
    a = results[0]
    assert (a.id, a.title, a.url) == (first["id"], first["title"], first["url"])
    assert a.text == first["text"]  # offsets in the corpus stay valid
    assert a.published == date.fromisoformat(first["published"])
    assert a.origin == f"{RTQA}:1"


# --- feeds ------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Sahel Times</title><link>https://saheltimes.example/</link>
<item><title>Floods hit Bamako</title><link>https://saheltimes.example/floods</link>
<pubDate>Mon, 02 Jun 2025 00:30:00 +0200</pubDate>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>Heavy rains flooded Bamako.</p><script>alert(1)</script>
<p>At least <b>12</b> people died.<img src=x onerror="alert(2)"></p>]]></content:encoded>
</item>
<item><title>Summary only</title><link>https://saheltimes.example/2</link>
<description>&lt;p&gt;A market reopened in Mopti.&lt;/p&gt;</description></item>
<item><title>Empty</title><link>https://saheltimes.example/3</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
<entry><title>Atom one</title><link href="https://atom.example/1"/><id>urn:1</id>
<updated>2025-06-03T10:00:00Z</updated><published>2025-06-01T23:00:00-05:00</published>
<author><name>Jane Doe</name></author>
<content type="html">&lt;p&gt;Para one.&lt;/p&gt;&lt;p&gt;Para two.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_feed(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "sahel.rss"
    path.write_text(RSS)
    results = load(path, settings)
    first, second = articles(results)
    assert first.title == "Floods hit Bamako"
    assert first.url == "https://saheltimes.example/floods"
    assert first.source == "Sahel Times"
    assert first.published == date(2025, 6, 2)  # the publisher's day, not UTC's (1 June)
    assert first.text == "Heavy rains flooded Bamako.\n\nAt least 12 people died."
    assert first.origin == f"{path}#1"
    assert first.id == Article.make_id(first.url, first.title, first.text)
    assert second.text == "A market reopened in Mopti."
    assert rejections(results) == {f"{path}#3": "entry has no content or summary"}


def test_atom_feed(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "news.atom"
    path.write_text(ATOM)
    a = only_article(load(path, settings))
    assert (a.title, a.url, a.source) == ("Atom one", "https://atom.example/1", "Atom News")
    assert a.published == date(2025, 6, 1)
    assert a.text == "Para one.\n\nPara two."
    assert a.authors == ["Jane Doe"]


def test_big_feed(tmp_path: Path, settings: Settings) -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://n.example/{i}</link>"
        f"<description>Body {i}.</description></item>"
        for i in range(3000)
    )
    path = tmp_path / "big.xml"
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'
    )
    path.write_text(rss)
    results = load(path, settings)
    assert len(articles(results)) == 3000
    assert len({a.id for a in articles(results)}) == 3000


def test_xml_that_is_not_a_feed(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>'
    )
    assert only_rejection(load(path, settings)).startswith("not an RSS or Atom feed")


def test_feed_content_is_never_read_as_a_file_name(tmp_path: Path, settings: Settings) -> None:
    """feedparser opens bytes as a path if such a file exists; we must hand it a stream."""
    secret = tmp_path / "secret.xml"
    secret.write_text(ATOM)
    path = tmp_path / "trick.rss"
    path.write_text(str(secret))
    assert only_rejection(load(path, settings)).startswith("not an RSS or Atom feed")


# --- folders and bad files ----------------------------------------------------------------------


def test_folder_with_good_and_bad_files(tmp_path: Path, settings: Settings) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config.txt").write_text("Hidden\nnot loaded")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "a_good.txt").write_text("Good title\nGood text.")
    (root / "sub" / "b_good.md").write_text("# Sub title\nSub text.")
    (root / "c_good.html").write_text(ARTICLE_HTML)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("  \n\n ")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (root / "latin1.txt").write_bytes("Titre\nLe café est fermé.".encode("latin-1"))
    (root / "cp1252.md").write_bytes("Title\n\u201cQuoted\u201d text.".encode("cp1252"))
    (root / "broken.html").write_bytes(b"<html><body><div><p")
    (root / "lines.jsonl").write_text(json.dumps(RECORD) + "\n{oops\n")
    (root / "bad_yaml.md").write_text("---\ntitle: x: y\n---\nText.\n")
    (root / "report.pdf").write_bytes(b"%PDF-1.4")
    (root / "README").write_text("no extension")

    results = load(root, settings)
    titles = [a.title for a in articles(results)]
    assert titles == ["Good title", "Floods hit Bamako", "Record one", "Sub title"]
    reasons = {k.removeprefix(f"{root}/"): v for k, v in rejections(results).items()}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert reasons["binary.txt"] == "binary file, not text"
    assert reasons["latin1.txt"].startswith("not UTF-8 text: invalid byte 0xe9 at byte offset 12;")
    assert "iconv -f latin1 -t utf-8" in reasons["latin1.txt"]
    assert "iconv -f windows-1252 -t utf-8" in reasons["cp1252.md"]
    assert reasons["broken.html"] == "no article text found in HTML"
    assert reasons["lines.jsonl:2"].startswith("invalid JSON")
    assert reasons["bad_yaml.md"].startswith("malformed YAML front matter at line 2:")
    assert reasons["report.pdf"].startswith("unsupported file type '.pdf'; supported: .txt .md")
    assert reasons["README"].startswith("unsupported file without an extension")
    assert not any(".git" in k or "DS_Store" in k for k in rejections(results))
    assert len(results) == 4 + 10  # every bad file reported once, nothing else
    # Sorted, depth-first order: the origin of each result says where it came from.
    origins = [r.origin for r in results]
    assert origins.index(str(root / "a_good.txt")) < origins.index(str(root / "sub" / "b_good.md"))


def test_oversized_file_is_rejected_without_reading(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as f:
        f.truncate(52_000_000)  # sparse: no data written, and none may be read

    def no_open(self: Path, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"{self} was opened")

    monkeypatch.setattr(Path, "open", no_open)
    reason = only_rejection(load(path, settings))
    assert reason == "file is 52 MB, over the 20 MB limit (NEWSRAG_MAX_FILE_BYTES)"


def test_oversized_gzip_content_is_capped(tmp_path: Path) -> None:
    settings = Settings(max_file_bytes=4096)
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * 3_000_000 + b"]"))
    assert path.stat().st_size < 4096
    reason = only_rejection(load(path, settings))
    assert reason == "content is over the 4.1 KB limit (NEWSRAG_MAX_FILE_BYTES)"


def test_article_over_char_limit(tmp_path: Path) -> None:
    settings = Settings(max_article_chars=100)
    path = tmp_path / "long.txt"
    path.write_text("Title\n" + "x" * 150)
    reason = only_rejection(load(path, settings))
    assert (
        reason == "article text is 150 characters, over the 100 limit (NEWSRAG_MAX_ARTICLE_CHARS)"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Title\nText.")
    path.chmod(0o000)
    try:
        assert only_rejection(load(path, settings)) == "cannot read file: Permission denied"
    finally:
        path.chmod(0o600)


def test_open_error_is_a_rejection(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title\nText.")

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    assert only_rejection(load(path, settings)) == "cannot read file: Permission denied"


def test_missing_path_and_fifo(tmp_path: Path, settings: Settings) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    results = load([tmp_path / "nope.txt", fifo], settings)
    assert rejections(results) == {
        str(tmp_path / "nope.txt"): "no such file or folder",
        str(fifo): "not a regular file",
    }


def test_non_http_url_is_refused(settings: Settings) -> None:
    results = list(iter_articles(["file:///etc/passwd", "ftp://example.com/x"], settings))
    assert [r.reason for r in results] == [
        "refused: only http and https URLs can be fetched, not file",
        "refused: only http and https URLs can be fetched, not ftp",
    ]


def test_count_hint(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\nB")
    (tmp_path / "b.html").write_text("<p>x</p>")
    (tmp_path / ".hidden.txt").write_text("A\nB")
    assert count_hint([str(tmp_path)]) == 2
    (tmp_path / "c.jsonl").write_text("{}")
    assert count_hint([str(tmp_path)]) is None
    assert count_hint(["https://example.com/"]) is None


def test_load_bytes_sniffs_content(settings: Settings) -> None:
    feed = only_article(list(load_bytes(ATOM.encode(), "upload", settings)))
    assert feed.title == "Atom one"
    record = only_article(list(load_bytes(json.dumps(RECORD).encode(), "upload", settings)))
    assert record.id == "r1"
    text = only_article(list(load_bytes(b"T\nBody", "notes.txt", settings)))
    assert text.title == "T"
    reason = only_rejection(
        list(load_bytes(b"%PDF", "x", settings, content_type="application/pdf"))
    )
    assert reason.startswith("unsupported content type application/pdf")


# --- dates and text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-02", date(2025, 6, 2)),
        ("2025-06-02T10:00:00Z", date(2025, 6, 2)),
        ("2025-06-02T23:30:00-05:00", date(2025, 6, 2)),  # the publisher's day, not UTC's
        ("2025-06-02 10:00", date(2025, 6, 2)),
        ("Mon, 02 Jun 2025 00:30:00 +0200", date(2025, 6, 2)),
        ("Sun, 01 Jun 2025 22:30:00 GMT", date(2025, 6, 1)),
        ("June 2, 2025", date(2025, 6, 2)),
        ("2 June 2025", date(2025, 6, 2)),
        ("Monday, June 2, 2025 at 3:15 p.m. ET", date(2025, 6, 2)),
        ("13/06/2025", date(2025, 6, 13)),
        ("06/13/2025", date(2025, 6, 13)),
        ("02/06/2025", None),  # 2 June or February 6: no guess
        ("yesterday", None),
        ("3 days ago", None),
        ("June 2025", None),
        ("not a date", None),
        ("2025-13-45", None),
        ("", None),
        (None, None),
        (20250602, None),
        (date(2025, 6, 2), date(2025, 6, 2)),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_unparseable_date_loads_undated(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(dict(RECORD, published="sometime soon")))
    assert only_article(load(path, settings)).published is None


def test_normalise_text() -> None:
    assert normalise_text("\n a \r\nb  \rc\t\n\n") == "a\nb\nc"


def test_html_to_text() -> None:
    fragment = "<div><p>One <b>bold</b>.</p><script>x()</script><ul><li>a</li><li>b</li></ul></div>"
    assert html_to_text(fragment) == "One bold.\n\na\n\nb"
    assert html_to_text("plain & simple") == "plain & simple"
