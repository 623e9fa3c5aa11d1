"""Back up and restore the database: SQLite through its backup API, PostgreSQL through pg_dump.

A backup is a consistent snapshot taken while the application runs. SQLite opens one read
transaction, counts the rows in it, and copies every page of it in one step of the backup API
(WAL: writers go on meanwhile, their commits not in the copy); PostgreSQL exports a snapshot,
counts the rows in it, and lets ``pg_dump`` dump that same snapshot. A restore puts a backup
back into the configured database whole: SQLite through the backup API again (one write
transaction on the live file), PostgreSQL through ``pg_restore --clean --single-transaction``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from .i18n import number_text

SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"
PG_CLIENT_PACKAGE = "postgresql-client"


class BackupError(RuntimeError):
    """A backup or a restore cannot be done; the message says why, in the interface's language."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds, or what a restore brought back."""

    path: Path
    size: int  # bytes of the backup file
    rows: dict[str, int]  # rows by table

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# ---------------------------------------------------------------------------
# SQLite


def sqlite_file(url: URL) -> Path:
    """Return the file of a SQLite database URL; refuse an in-memory database."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise BackupError(_("Cơ sở dữ liệu SQLite trong bộ nhớ: không có tệp để sao lưu hay phục hồi."))
    return Path(url.database)


def sqlite_rows(connection: sqlite3.Connection) -> dict[str, int]:
    """Return the rows of every table of a SQLite database, by table name."""
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a SQLite database that fails its integrity check."""
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(
            _("Tệp %(path)s hỏng hoặc không phải cơ sở dữ liệu SQLite (%(error)s).", path=path, error=error)
        ) from error
    if result != ["ok"]:
        raise BackupError(
            _("Tệp %(path)s hỏng (kiểm tra toàn vẹn của SQLite: %(found)s).", path=path, found="; ".join(result[:3]))
        )


def sqlite_backup(url: URL, path: Path, busy_timeout_ms: int) -> Summary:
    """Copy the live SQLite database into ``path`` in one step of the backup API."""
    source_path = sqlite_file(url)
    if not source_path.exists():
        raise BackupError(_("Không có tệp cơ sở dữ liệu %(path)s.", path=source_path))
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=busy_timeout_ms / 1000)
    try:
        target = sqlite3.connect(partial)
        try:
            # One read transaction on the source is the snapshot: its rows are counted first,
            # then the backup API copies every page of that same snapshot in one step (it keeps
            # a read transaction it finds open). Writers go on meanwhile (WAL) and are not in it.
            source.execute("BEGIN")
            rows = sqlite_rows(source)
            source.backup(target, pages=-1)
            source.rollback()
            # A backup is one self-contained file, whatever journal mode the live database uses.
            target.execute("PRAGMA journal_mode=DELETE")
            check_sqlite(target, path)
            copied = sqlite_rows(target)
            if copied != rows:
                raise BackupError(
                    _("Bản sao lưu %(path)s không khớp ảnh chụp cơ sở dữ liệu; chưa ghi tệp, hãy chạy lại.", path=path)
                )
        finally:
            target.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    fsync(partial)
    os.replace(partial, path)
    return Summary(path, path.stat().st_size, rows)


def sqlite_restore(url: URL, path: Path, busy_timeout_ms: int) -> Summary:
    """Copy the backup at ``path`` into the configured SQLite file, in one write transaction."""
    target_path = sqlite_file(url)
    with path.open("rb") as stream:
        header = stream.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        if header.startswith(PGDUMP_HEADER):
            raise BackupError(
                _("Tệp %(path)s không phải bản sao lưu SQLite (đây là bản sao lưu PostgreSQL).", path=path)
            )
        raise BackupError(_("Tệp %(path)s không phải bản sao lưu SQLite.", path=path))
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check_sqlite(source, path)
        target = sqlite3.connect(target_path, timeout=busy_timeout_ms / 1000)
        try:
            source.backup(target, pages=-1)
            rows = sqlite_rows(target)
        finally:
            target.close()
    finally:
        source.close()
    return Summary(path, path.stat().st_size, rows)


def sqlite_has_data(url: URL) -> bool:
    """Return whether the configured SQLite file holds any row."""
    target = sqlite_file(url)
    if not target.exists() or target.stat().st_size == 0:
        return False
    connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        return any(sqlite_rows(connection).values())
    finally:
        connection.close()


# ---------------------------------------------------------------------------
# PostgreSQL


def pg_tool(name: str) -> str:
    """Return the path of ``pg_dump`` or ``pg_restore``; refuse clearly when it is missing."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "Không tìm thấy lệnh %(command)s. Cài gói %(package)s của Debian "
                "(apt-get install %(package)s) rồi chạy lại.",
                command=name,
                package=PG_CLIENT_PACKAGE,
            )
        )
    return found


def pg_connection(url: URL) -> tuple[str, dict[str, str]]:
    """Return the libpq URI of ``url`` (without its password) and the environment carrying the password."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, environment


def pg_rows(connection) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the rows of every table of the public schema, by table name."""
    names = (
        connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
        .scalars()
        .all()
    )
    return {name: connection.execute(text(f'SELECT count(*) FROM public."{name}"')).scalar_one() for name in names}


def run_tool(arguments: list[str], environment: dict[str, str], what: str) -> None:
    """Run a PostgreSQL client tool; refuse with its own message when it fails."""
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        said = " / ".join(detail[-3:]) or _("mã lỗi %(code)d", code=done.returncode)
        raise BackupError(_("%(command)s không thành công: %(said)s", command=what, said=said))


def postgres_backup(engine: Engine, path: Path) -> Summary:
    """Dump the database with pg_dump -Fc, from a snapshot whose rows are counted first."""
    pg_dump = pg_tool("pg_dump")
    uri, environment = pg_connection(engine.url)
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # The exporting transaction stays open while pg_dump reads the same snapshot.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            rows = pg_rows(connection)
            try:
                run_tool(
                    [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}", f"--dbname={uri}"],
                    environment,
                    "pg_dump",
                )
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
    fsync(partial)
    os.replace(partial, path)
    return Summary(path, path.stat().st_size, rows)


def postgres_restore(engine: Engine, path: Path) -> Summary:
    """Restore a pg_dump -Fc file into the configured database, all of it or nothing."""
    pg_restore = pg_tool("pg_restore")
    with path.open("rb") as stream:
        header = stream.read(len(SQLITE_HEADER))
    if not header.startswith(PGDUMP_HEADER):
        if header == SQLITE_HEADER:
            raise BackupError(
                _(
                    "Tệp %(path)s không phải bản sao lưu PostgreSQL (pg_dump -Fc) (đây là bản sao lưu SQLite).",
                    path=path,
                )
            )
        raise BackupError(_("Tệp %(path)s không phải bản sao lưu PostgreSQL (pg_dump -Fc).", path=path))
    uri, environment = pg_connection(engine.url)
    engine.dispose()  # no connection of ours stays open on the tables being replaced
    run_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={uri}",
            str(path),
        ],
        environment,
        "pg_restore",
    )
    with engine.connect() as connection:
        rows = pg_rows(connection)
    return Summary(path, path.stat().st_size, rows)


def postgres_has_data(engine: Engine) -> bool:
    """Return whether the configured PostgreSQL database holds any row."""
    with engine.connect() as connection:
        return any(pg_rows(connection).values())


# ---------------------------------------------------------------------------
# Either


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def backup(engine: Engine, path: Path, busy_timeout_ms: int = 15000) -> Summary:
    """Write a consistent snapshot of the database behind ``engine`` to ``path``."""
    if path.is_dir():
        raise BackupError(_("%(path)s là một thư mục: ghi rõ tên tệp sao lưu.", path=path))
    if not path.parent.is_dir():
        raise BackupError(_("Không có thư mục %(path)s.", path=path.parent))
    if is_sqlite(engine):
        if path.resolve() == sqlite_file(engine.url).resolve():
            raise BackupError(_("%(path)s là chính tệp cơ sở dữ liệu: chọn tệp sao lưu khác.", path=path))
        return sqlite_backup(engine.url, path, busy_timeout_ms)
    return postgres_backup(engine, path)


def restore(engine: Engine, path: Path, busy_timeout_ms: int = 15000) -> Summary:
    """Replace the database behind ``engine`` with the backup at ``path``."""
    if not path.is_file():
        raise BackupError(_("Không có tệp sao lưu %(path)s.", path=path))
    if is_sqlite(engine):
        if path.resolve() == sqlite_file(engine.url).resolve():
            raise BackupError(_("%(path)s là chính tệp cơ sở dữ liệu: không có gì để phục hồi.", path=path))
        engine.dispose()
        return sqlite_restore(engine.url, path, busy_timeout_ms)
    return postgres_restore(engine, path)


def has_data(engine: Engine) -> bool:
    """Return whether a restore would overwrite rows."""
    if is_sqlite(engine):
        return sqlite_has_data(engine.url)
    return postgres_has_data(engine)


def describe(engine: Engine) -> str:
    """Return the configured database as a message names it (never with its password)."""
    if is_sqlite(engine):
        return f"SQLite {engine.url.database}"
    return f"PostgreSQL {engine.url.render_as_string(hide_password=True)}"


def fsync(path: Path) -> None:
    """Flush a written file to the disk before it takes its final name."""
    with path.open("rb") as stream:
        os.fsync(stream.fileno())


def report(summary: Summary) -> list[str]:
    """Return the lines that tell what a backup holds or a restore brought back."""
    size = ngettext("%(size)s byte", "%(size)s byte", summary.size, size=number_text(summary.size))
    tables = ngettext("%(num)d bảng", "%(num)d bảng", len(summary.rows))
    rows = ngettext("%(rows)s dòng", "%(rows)s dòng", summary.total_rows, rows=number_text(summary.total_rows))
    lines = [_("%(path)s: %(size)s, %(tables)s, %(rows)s.", path=summary.path, size=size, tables=tables, rows=rows)]
    lines += [f"  {name}: {number_text(count)}" for name, count in sorted(summary.rows.items()) if count]
    return lines
