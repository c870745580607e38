"""Where the app state lives: ``NEWSRAG_DATABASE_URL`` and ``NEWSRAG_REDIS_URL``.

Read like the core's Settings (explicit values, then NEWSRAG_* variables, then newsrag.toml),
but kept beside the app state: the core (rag/) knows nothing of the ways in and their state.

* ``database_url``: a SQLAlchemy URL. Unset = the SQLite file ``app.sqlite3`` in the data dir
  (one machine; several workers on it share the file). ``postgresql+psycopg://user@host/db``
  (``postgresql://`` is read the same way) = one database for every worker on every machine.
* ``redis_url``: ``redis://host:6379/0``. Unset = rate limits count per process; set = one
  bucket per key across all workers, Slack dedupe and the catalog sync's position shared.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rag.settings import Settings


class StateSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSRAG_", toml_file="newsrag.toml", extra="ignore"
    )

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the app database; unset = SQLite app.sqlite3 in the data "
        "dir. postgresql+psycopg://… for several machines.",
    )
    redis_url: str | None = Field(
        None, description="redis://host:port/db shared by all workers; unset = per process."
    )
    job_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="A running job's lease; a worker renews it while it runs, and another "
        "worker takes the job over once it has lapsed (the first one died).",
    )
    job_poll_seconds: float = Field(
        1.0, gt=0, description="How often an idle worker looks for queued jobs."
    )
    job_max_attempts: int = Field(
        3, ge=1, description="Workers that may take a job before it is marked failed."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def database_url(settings: Settings, state: StateSettings | None = None) -> str:
    """The app database's URL (the data dir's SQLite file unless one is configured)."""
    state = state or StateSettings()
    if state.database_url:
        return normalize_url(state.database_url)
    return f"sqlite:///{settings.app_db_path}"


def normalize_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver newsrag ships)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
