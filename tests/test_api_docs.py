"""/docs and /redoc work offline: their HTML loads only same-origin assets, which are served."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.api_support import LiveServer, copy_store, make_app

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def live(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("docs") / "data")
    server = LiveServer(make_app(data, shared_embeddings, rate_limit_per_minute=100_000)).start()
    yield server
    server.stop()


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(
        r"""url:\s*["']([^"']+)["']""", html
    )


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_only_served_same_origin_assets(live, page):
    with httpx.Client(base_url=live.url, timeout=60) as http:
        r = http.get(page)
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        assets = _asset_urls(r.text)
        assert any(a.endswith(".js") for a in assets), r.text
        for asset in assets:
            url = urljoin(f"{live.url}{page}", asset)
            assert urlsplit(url).netloc == urlsplit(live.url).netloc, f"third-party: {asset}"
            got = http.get(url)
            assert got.status_code == 200, (asset, got.status_code)
            assert got.content and b"cdn.redoc.ly" not in got.content
        assert "cdn.jsdelivr" not in r.text and "fonts.googleapis" not in r.text
        assert "validator.swagger.io" not in r.text


@pytest.mark.browser
def test_swagger_ui_renders_offline_in_chromium(live):
    """Every request the page makes stays on the server; the operations render."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            foreign: list[str] = []
            page.on(
                "request",
                lambda req: (
                    foreign.append(req.url)
                    if urlsplit(req.url).netloc != urlsplit(live.url).netloc
                    and not req.url.startswith(("data:", "blob:"))
                    else None
                ),
            )
            page.goto(f"{live.url}/docs")
            page.get_by_text("Chat completions (OpenAI-compatible)").first.wait_for(timeout=30_000)
            page.goto(f"{live.url}/redoc")
            page.get_by_text("Answer a question, with citations").first.wait_for(
                state="attached", timeout=30_000
            )
            assert not foreign, foreign
        finally:
            browser.close()
