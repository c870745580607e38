"""What every ``newsrag`` command shares: the ``--data-dir`` option, settings from flags, output.

One definition, so every command spells the option and its default the same way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from api.components import Components
    from rag.settings import Settings

console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the store lives (default: NEWSRAG_DATA_DIR or ./data)."),
]


def settings_from(data_dir: Path | None = None, **flags: Any) -> Settings:
    """Settings from NEWSRAG_* and newsrag.toml, with the flags the user gave on top.

    A flag left out (None) keeps the configured value instead of overriding it with None."""
    from rag.settings import Settings

    given = {name: value for name, value in flags.items() if value is not None}
    if data_dir is not None:
        given["data_dir"] = data_dir
    return Settings(**given)


def components_from(data_dir: Path | None = None, **flags: Any) -> Components:
    from api.components import Components

    return Components(settings_from(data_dir, **flags))


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2025-06-02") from None
