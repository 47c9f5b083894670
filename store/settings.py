"""Settings from the environment (prefix ``NT_``) through pydantic-settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the data lives and how the service behaves; every field is an ``NT_`` variable."""

    model_config = SettingsConfigDict(env_prefix="NT_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded SQLite file lives.")
    database_url: str = Field(
        "",
        description="sqlite:///path/to/file.db or postgresql://user@host:port/db; "
        "empty means a SQLite file in the data directory.",
    )
    load_demo_when_empty: bool = Field(True, description="serve loads the demo into an empty store")
    run_projections: bool = Field(
        True, description="serve follows the log itself; false when a separate worker runs"
    )
    follower: Literal["thread", "process"] = Field(
        "thread",
        description="where serve follows the log: a thread of its own process, or a worker"
        " process it starts, wakes and restarts (entrypoints/follower_process.py)",
    )
    read_wait_seconds: float = Field(
        5.0, gt=0, le=60, description="How long a read with min_position waits before 503"
    )
    max_read_waits: int = Field(
        64, ge=1, le=10_000, description="Reads waiting for min_position at once (503 beyond)"
    )
    max_expensive_reads: int = Field(
        4, ge=1, le=256, description="Time-travel reads, diffs and exports at once (503 beyond)"
    )
    poll_interval: float = Field(1.0, gt=0, le=60, description="Follower poll fallback, seconds")
    ready_max_lag_events: int = Field(
        1000, ge=0, description="/readyz fails while a view is further behind than this"
    )
    reads_require_key: bool = Field(
        False, description="Reads need an API key too (writes always do)"
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted (413 beyond)"
    )
    sse_ping_seconds: float = Field(
        15.0, gt=0, le=300, description="Heartbeat interval of /events/stream"
    )
    sse_max_per_key: int = Field(
        100, ge=1, le=100_000, description="Live streams open at once per API key (503 beyond)"
    )
    sse_max_per_address: int = Field(
        100, ge=1, le=100_000, description="Live streams open at once per client address"
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=300,
        description="A connection whose request head is not complete by then is closed",
    )
    keep_alive_seconds: float = Field(
        5.0, gt=0, le=300, description="An idle kept-alive connection is closed after this long"
    )
    limit_concurrency: int = Field(
        1024,
        ge=16,
        le=100_000,
        description="Connections and requests at once per API process (503 beyond)",
    )
    graceful_shutdown_seconds: float = Field(
        10.0, gt=0, le=300, description="On stop, how long open requests may finish"
    )
    threads: int = Field(
        8, ge=1, le=64, description="Request threads per API process; the pool is sized to them"
    )
    aggregate_cache_size: int = Field(
        1000,
        ge=0,
        le=1_000_000,
        description="Streams whose latest aggregate each process keeps in memory (0: none); "
        "a cached one is brought up to date from the store before each append",
    )
    group_commit: bool = Field(
        True,
        description="One writer per process commits the appends waiting together (one "
        "transaction per group, an answer only once it committed); false: each append "
        "commits alone",
    )
    connect_timeout_seconds: float = Field(
        30.0, ge=0, le=600, description="How long to retry an unreachable database on start"
    )

    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None when the database is PostgreSQL."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'timeline.db'}"
        parts = urlsplit(url)
        if parts.scheme != "sqlite":
            return None
        return Path(unquote(parts.path.removeprefix("/")) if parts.netloc == "" else parts.path)

    def is_postgres(self) -> bool:
        """True when the database is PostgreSQL."""
        return self.sqlite_path() is None

    def display_url(self) -> str:
        """The database URL without its password, for messages."""
        path = self.sqlite_path()
        if path is not None:
            return f"sqlite:///{path}"
        parts = urlsplit(self.database_url)
        host = f"{parts.hostname}:{parts.port or 5432}"
        return f"{parts.scheme}://{parts.username or 'postgres'}@{host}{parts.path}"

    def postgres_conninfo(self) -> str:
        """A libpq URL for psycopg (for LISTEN connections)."""
        return self.database_url.replace("postgresql+psycopg://", "postgresql://", 1)

    def _cache_env(self) -> dict[str, str]:
        """The library's aggregate cache, always fast-forwarded from the store (other processes
        append too) and copied on the way out (a failed command leaves the cache untouched)."""
        if not self.aggregate_cache_size:
            return {}
        return {
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
            "AGGREGATE_CACHE_FASTFORWARD": "y",
            "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
        }

    def eventsourcing_env(self, *, create_tables: bool = True) -> dict[str, str]:
        """The eventsourcing library's own environment for this database."""
        path = self.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "store.sqlite_pool:TimelineSQLiteFactory",
                "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "30",
                **self._cache_env(),
                "APPLICATION_RECORDER_TOPIC": "store.recorders:IndexingSQLiteRecorder",
            }
        parts = urlsplit(self.database_url)
        if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
            msg = (
                f"unsupported database URL scheme {parts.scheme!r}: use sqlite:/// or postgresql://"
            )
            raise ValueError(msg)
        return {
            "PERSISTENCE_MODULE": "store.postgres_pool:TimelinePostgresFactory",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": str(self.threads),
            "POSTGRES_MAX_OVERFLOW": "2",
            "CREATE_TABLE": "y" if create_tables else "n",
            "POSTGRES_LOCK_TIMEOUT": "10",
            **self._cache_env(),
            "APPLICATION_RECORDER_TOPIC": "store.recorders:IndexingPostgresRecorder",
        }
