"""The token ``newsrag serve`` leaves in its data dir (api/cli/instance.py) is an admin key for
``newsrag ingest``/``delete`` on this machine, keys or no keys, and nothing else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.cli.instance import AlreadyServed, Announcement, LocalWrite, running_server
from tests.api_support import LOOPBACK, copy_store, make_app


@pytest.fixture(scope="module")
def app(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("local-token") / "data")
    app = make_app(data, shared_embeddings)
    app.state.parts.keys.create("ask", name="reader")  # keys exist: local-only mode is off
    app.state.parts.auth.local_token = "the-token"
    return app


def test_the_token_is_an_admin_key_from_this_machine_only(app) -> None:
    record = {"articles": [{"id": "via-token", "title": "Token", "text": "Sent by the CLI."}]}
    auth = {"Authorization": "Bearer the-token"}
    with TestClient(app, client=LOOPBACK) as local:
        assert local.post("/v1/articles", json=record).status_code == 401
        assert local.post("/v1/articles", json=record, headers=auth).status_code == 200
        wrong = {"Authorization": "Bearer the-token-not"}
        assert local.delete("/v1/articles/via-token", headers=wrong).status_code == 401
        assert local.delete("/v1/articles/via-token", headers=auth).status_code == 200
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/v1/articles", headers=auth).status_code == 401


def test_the_lock_names_the_holder_and_dies_with_it(tmp_path) -> None:
    assert running_server(tmp_path) is None
    held = Announcement(tmp_path)
    try:
        found = running_server(tmp_path)
        assert found is not None and found.token == held.token
        assert (tmp_path / "server.token").stat().st_mode & 0o077 == 0  # owner only
        with pytest.raises(AlreadyServed, match="already serves"):
            Announcement(tmp_path, wait=0.2)
        with pytest.raises(AlreadyServed):
            LocalWrite(tmp_path)
    finally:
        held.close()
    assert running_server(tmp_path) is None
    writing = LocalWrite(tmp_path)  # a command writing: no server may start meanwhile
    try:
        assert running_server(tmp_path) is None
        with pytest.raises(AlreadyServed, match="wait for it"):
            Announcement(tmp_path, wait=0.2)
    finally:
        writing.close()
