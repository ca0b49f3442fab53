"""The database connection the loader and exporter use: one small interface over SQLite and PostgreSQL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from .urls import DatabaseURL, mask_text

STAGE_PREFIX = "nc_stage_"


class Database(ABC):
    """An open newsclaims database. SQL is written with `?` placeholders; never put '?' or '%' in SQL text.

    `raw` is the DB-API connection (sqlite3 or psycopg) for callers that need more; `url` is the masked URL.
    """

    dialect: ClassVar[str]
    errors: tuple[type[BaseException], ...]

    def __init__(self, raw: Any, url: DatabaseURL) -> None:
        self.raw = raw
        self._url = url

    @property
    def url(self) -> str:
        """The database URL with any password masked: safe to print and log."""
        return self._url.masked

    def describe(self, err: BaseException) -> str:
        """A one-line description of a driver error with URLs and passwords masked."""
        text = " ".join(str(err).split()) or type(err).__name__
        return mask_text(text, *self._url.secrets)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """All rows of a query."""
        return list(self.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def iter_rows(self, sql: str, params: Sequence[Any] | None = None, *, size: int = 2000) -> Iterator[Any]:
        """Rows of a query, fetched in batches so large results are never all in memory."""
        cursor = self.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield from batch

    def now(self) -> Any:
        """The current UTC time as the dialect stores timestamps."""
        return datetime.now(UTC).replace(microsecond=0)

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run one statement and return the cursor; `?` marks parameters."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit on success; roll back on any exception, KeyboardInterrupt included."""

    @abstractmethod
    def run_script(self, sql: str) -> None:
        """Run several statements inside the current transaction."""

    @abstractmethod
    def table_exists(self, name: str) -> bool:
        """Whether a table (not a temporary one) of this name exists."""

    @abstractmethod
    def lock_for_load(self) -> None:
        """Serialise loaders: hold the write lock until the transaction ends."""

    @abstractmethod
    def tune_for_load(self) -> None:
        """Apply the settings that speed up the load transaction just begun."""

    @contextmanager
    def bulk_load(self, tables: Sequence[str]) -> Iterator[None]:
        """Fill empty `tables` inside the current transaction, as fast as the database allows.

        PostgreSQL drops their secondary indexes and foreign keys and re-creates them (checked) at the end, as
        its manual advises for bulk loads. If the block fails, the transaction's rollback restores them.
        """
        yield

    @abstractmethod
    def insert_returning_id(self, sql: str, params: Sequence[Any], id_column: str) -> int:
        """Insert one row and return its generated integer id."""

    @abstractmethod
    def create_stage(self, table: str, columns: Sequence[str]) -> str:
        """Create an empty temporary copy of `table` with only `columns` and return its name."""

    @abstractmethod
    def index_stage(self, stage: str, key: Sequence[str]) -> None:
        """Index a filled stage table by its key (faster once than row by row while filling)."""

    @abstractmethod
    def create_temp_keys(self, name: str, column: str) -> None:
        """Create a temporary one-column table of text keys."""

    @abstractmethod
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append rows (values in `columns` order) to a table: the fastest way the database takes them."""

    @abstractmethod
    def drop_temp(self, names: Iterable[str]) -> None:
        """Drop temporary tables made during this transaction."""

    @abstractmethod
    def analyze(self, names: Iterable[str]) -> None:
        """Give the planner statistics about freshly filled temporary tables."""

    @property
    @abstractmethod
    def distinct_op(self) -> str:
        """The null-safe inequality operator: IS DISTINCT FROM, or IS NOT in SQLite."""
