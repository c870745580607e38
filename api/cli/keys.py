"""``newsrag keys``: create, list and revoke API keys (stored hashed in the app database)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import DataDir, console, err, settings_from

app = typer.Typer(help="API keys for the HTTP API (create, list, revoke).", no_args_is_help=True)


def _keys(data_dir: Path | None):
    from api.auth import KeyStore
    from api.state.appdb import AppDB

    return KeyStore(AppDB.for_settings(settings_from(data_dir)))


@app.command()
def create(
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help="ask (questions, conversations, read articles), admin (everything), "
            "widget (public key for the chat widget, bound to --origin).",
        ),
    ],
    origin: Annotated[
        list[str] | None,
        typer.Option(
            "--origin", help="Site allowed to use a widget key, e.g. https://news.example.org."
        ),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="A label for `keys list`.")] = None,
    data_dir: DataDir = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the key as JSON.")] = False,
) -> None:
    """Create a key and print it (shown once: only its hash is stored)."""
    try:
        key, secret = _keys(data_dir).create(scope, origins=origin or [], name=name)
    except ValueError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(2) from None
    if json_out:
        print(json.dumps({"id": key.id, "key": secret, "scope": key.scope, "origins": key.origins}))
        return
    console.print(f"created {key.scope} key {key.id} ({key.name})", highlight=False)
    if key.origins:
        console.print(f"allowed origins: {', '.join(key.origins)}", highlight=False)
    console.print("\nkey (shown once; store it now):", style="bold")
    print(secret)
    console.print(
        f"\nuse it as: curl -H 'Authorization: Bearer {secret[:10]}…' …",
        style="dim",
        highlight=False,
    )


@app.command("list")
def list_keys(
    all_keys: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per key.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Keys (never their secrets): id, prefix, scope, name, origins, dates."""
    keys = _keys(data_dir).list(include_revoked=all_keys)
    if json_out:
        for k in keys:
            print(json.dumps(asdict(k)))
        return
    if not keys:
        console.print("no API keys: the server runs in local-only mode (127.0.0.1 only)")
        return
    for k in keys:
        state = (
            f"revoked {k.revoked_at}" if k.revoked_at else f"last used {k.last_used_at or 'never'}"
        )
        origins = f"  origins: {', '.join(k.origins)}" if k.origins else ""
        console.print(
            f"{k.id}  {k.prefix}…  {k.scope:<6}  {k.name}  (created {k.created_at}, {state}){origins}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@app.command()
def revoke(
    key: Annotated[str, typer.Argument(help="The key's id, or the prefix `keys list` shows.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a key (a running server stops accepting it within seconds)."""
    revoked = _keys(data_dir).revoke(key.rstrip("…"))
    if revoked is None:
        err.print(f"no active key {key!r}; `newsrag keys list` shows them")
        raise typer.Exit(1)
    console.print(f"revoked {revoked.scope} key {revoked.id} ({revoked.name})", highlight=False)
