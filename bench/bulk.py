"""Bulk loading for the benchmarks: the rows ``meeting_store.import_meeting`` writes, without the ORM's flush.

A large province (500,000 members) built through ``import_meeting`` spends most of its time in
SQLAlchemy's unit of work (about 80 ms a meeting of 25 members). This loader builds each
meeting with the import's own code (``meeting_store.meeting_graph``: the same participants,
reviews, feedback, tallies, seal and seal summary), reads the rows off those objects by the
mappers' columns and relationships, gives them ids itself, and writes them a table at a time
(SQLAlchemy Core executemany; the audit entries with PostgreSQL ``COPY``), with the audit
entries the import's flush would have appended: one ``insert`` entry a row of an audited
table, chained by SHA-256, each seal anchored at the chain's head before its meeting's rows.

``tests/test_bench_bulk.py`` checks it on a sample: the meetings it writes export to the same
meeting files, fingerprints and summaries as the same files stored by ``import_meeting``, and
the audit chain verifies. It is a benchmark tool: it assumes it is the only writer while it
runs (it takes the chain's lock for each batch and moves the id sequences past its rows in each batch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, insert, inspect, select, text, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, RelationshipDirection
from sqlalchemy.orm import object_mapper as mapper_of

from review import audit, clock
from review.extensions import db
from review.meeting_store import _store_overrides, meeting_graph, new_member
from review.meetingfile import MeetingFile
from review.models import Cell, Instant, Organization, ReviewYear

TABLE_ORDER = {table.name: i for i, table in enumerate(db.metadata.sorted_tables)}
# The columns the database fills with its clock when the row is inserted (server_default=func.now()).
SERVER_NOW = {
    table.name: [c.name for c in table.c if c.server_default is not None and "now" in str(c.server_default.arg)]
    for table in db.metadata.sorted_tables
}


def _graph(root: Any, skip: set[int]) -> list[tuple[Any, Mapper]]:
    """Return the root and every new object its save-update cascade reaches, but those in ``skip``."""
    mapper = mapper_of(root)
    found = [(root, mapper)]
    seen = {id(root)} | skip
    for obj, obj_mapper, _state, _dict in mapper.cascade_iterator("save-update", inspect(root)):
        if id(obj) not in seen:
            seen.add(id(obj))
            found.append((obj, obj_mapper))
    return found


class BulkLoader:
    """Write meeting files as ``import_meeting`` would, many meetings at a time."""

    def __init__(self, connection: Connection, batch: int = 30) -> None:
        self.connection = connection
        self.batch = batch
        self.next_id: dict[str, int] = {}
        self.organizations: dict[str, tuple[Organization, ReviewYear]] = {}
        self.written: dict[int, Any] = {}  # objects written by an earlier meeting (organisations, review years)
        self.written_rows: dict[int, dict[str, Any]] = {}  # and their rows
        self.pending: list[list[tuple[str, dict[str, Any]]]] = []  # each meeting's rows, in insert order
        self.actor_id, self.actor = audit.current_actor()
        self.meetings: list[int] = []

    def _new_id(self, table: Table) -> int:
        if table.name not in self.next_id:
            self.next_id[table.name] = (self.connection.scalar(select(func.max(table.c.id))) or 0) + 1
        value = self.next_id[table.name]
        self.next_id[table.name] = value + 1
        return value

    def add(self, mf: MeetingFile) -> int:
        """Add one meeting file's rows (a new cell of its organisation); return the meeting's id."""
        if mf.parent not in self.organizations:
            organization = Organization(name=mf.parent, place=mf.place)
            review_year = ReviewYear(organization=organization, year=mf.year, profile=mf.rules.profile)
            _store_overrides(review_year, mf.rules)
            self.organizations[mf.parent] = (organization, review_year)
        organization, review_year = self.organizations[mf.parent]
        # As _store_meeting makes a cell its file brings.
        has_committee = any(review.subject == "committee" for review in mf.collective_reviews)
        cell = Cell(
            organization=organization,
            name=mf.cell,
            place="" if mf.place == organization.place else mf.place,
            has_committee=has_committee,
        )
        members = {data.id: new_member(cell, data) for data in mf.members}
        meeting = meeting_graph(mf, cell, review_year, members)
        objects = _graph(meeting, set(self.written))
        objects.sort(key=lambda pair: TABLE_ORDER[pair[1].local_table.name])
        rows: dict[int, dict[str, Any]] = dict(self.written_rows)
        for obj, mapper in objects:
            rows[id(obj)] = self._columns(obj, mapper)
        for obj, mapper in objects:
            self._foreign_keys(obj, mapper, rows)
        for obj in (organization, review_year):
            self.written.setdefault(id(obj), obj)
            self.written_rows.setdefault(id(obj), rows[id(obj)])
        # Detach the cell from its organisation's collection: the next cell's cascade must not reach it.
        organization.cells.remove(cell)
        self.pending.append([(mapper.local_table.name, rows[id(obj)]) for obj, mapper in objects])
        self.meetings.append(rows[id(meeting)]["id"])
        if len(self.pending) >= self.batch:
            self.flush()
        return rows[id(meeting)]["id"]

    def _columns(self, obj: Any, mapper: Mapper) -> dict[str, Any]:
        table = mapper.local_table
        loaded = inspect(obj).dict
        row: dict[str, Any] = {}
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if prop.key in loaded:
                row[column.name] = loaded[prop.key]
            elif column.default is not None:
                if not column.default.is_scalar:
                    raise ValueError(f"{table.name}.{column.name}: a callable default the loader does not run")
                row[column.name] = column.default.arg  # type: ignore[attr-defined]
        if "id" in table.c and table.c.id.primary_key and row.get("id") is None:
            row["id"] = self._new_id(table)  # type: ignore[arg-type]
        return row

    @staticmethod
    def _foreign_keys(obj: Any, mapper: Mapper, rows: dict[int, dict[str, Any]]) -> None:
        """Copy each related row's key into the foreign key, as the flush's dependency sync does."""
        loaded = inspect(obj).dict
        for prop in mapper.relationships:
            value = loaded.get(prop.key)
            if value is None:
                if prop.key in loaded and prop.direction is RelationshipDirection.MANYTOONE:
                    for local, _remote in prop.local_remote_pairs:  # set to nobody: the flush writes NULL
                        rows[id(obj)].setdefault(local.name, None)
                continue
            if prop.direction is RelationshipDirection.MANYTOONE:
                target = rows.get(id(value))
                if target is not None:
                    for local, remote in prop.local_remote_pairs:
                        rows[id(obj)][local.name] = target[remote.name]
            elif prop.direction is RelationshipDirection.ONETOMANY:
                for child in value if prop.uselist else [value]:
                    child_row = rows.get(id(child))
                    if child_row is not None:
                        for local, remote in prop.local_remote_pairs:
                            child_row[remote.name] = rows[id(obj)][local.name]

    def flush(self) -> None:
        """Write the pending meetings in one transaction, with their audit entries."""
        if not self.pending:
            return
        if self.connection.in_transaction():
            self.connection.commit()  # the reads of the largest ids
        with self.connection.begin():
            entry_id, prev_hash = audit.chain_head(self.connection)  # takes the chain's lock on PostgreSQL
            at = clock.utc_naive(clock.now())
            # The database's clock, for the columns it fills (Meeting.created_at): the flush reads them back.
            database_now = self.connection.scalar(select(type_coerce(func.now(), Instant())))
            by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
            entries = []
            for meeting_rows in self.pending:
                anchor = prev_hash  # the head before the meeting's rows, as anchor_seal records it
                meeting_id = next(row["id"] for name, row in meeting_rows if name == "meeting")
                for name, row in meeting_rows:
                    for column in SERVER_NOW.get(name, ()):
                        row.setdefault(column, database_now)
                    if name == "seal":
                        row["audit_anchor"] = anchor
                    by_table[name].append(row)
                    if name not in audit.AUDITED:
                        continue
                    entry_id += 1
                    after = audit.canonical(audit.inserted_columns(name, row))
                    belongs = row.get("meeting_id", meeting_id if name != "meeting" else row["id"])
                    if name in ("organization", "cell", "member", "review_year"):
                        belongs = None
                    payload = audit.entry_payload(
                        entry_id, at, self.actor_id, self.actor, name, row.get("id"), "insert", belongs, None, after
                    )
                    entry_hash = audit.chain_hash(prev_hash, payload)
                    entries.append(
                        {
                            "id": entry_id,
                            "at": at,
                            "actor_id": self.actor_id,
                            "actor": self.actor,
                            "table_name": name,
                            "row_id": row.get("id"),
                            "action": "insert",
                            "meeting_id": belongs,
                            "before": None,
                            "after": after,
                            "context": None,
                            "prev_hash": prev_hash,
                            "hash": entry_hash,
                        }
                    )
                    prev_hash = entry_hash
            for name in sorted(by_table, key=TABLE_ORDER.__getitem__):
                table = db.metadata.tables[name]
                groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
                for row in by_table[name]:
                    groups[tuple(sorted(row))].append(row)  # executemany wants the same columns a row
                for group in groups.values():
                    self.connection.execute(insert(table), group)
            audit.write_entries(self.connection, entries)
            self._move_sequences()  # in the batch's transaction: a load stopped halfway leaves them right
        self.pending = []

    def _move_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the rows written (SQLite takes max(id) + 1 by itself)."""
        if self.connection.dialect.name != "postgresql":
            return
        for name in self.next_id:
            self.connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
            )

    def finish(self) -> list[int]:
        """Write what is pending; return the meetings' ids."""
        self.flush()
        return self.meetings


def bulk_load(connection: Connection, meetings: Iterable[MeetingFile], batch: int = 30) -> list[int]:
    """Write the meeting files through a :class:`BulkLoader`; return the meetings' ids."""
    loader = BulkLoader(connection, batch)
    for mf in meetings:
        loader.add(mf)
    return loader.finish()
