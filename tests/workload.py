"""A workload of real browsers against a served application: counters' tallies, secretaries' reviews.

Shared by the concurrency, crash and backup tests: the world they run in (meetings still to
count, their counters and secretaries), one person's browser (own cookies, no redirects
followed), the saves each person makes round after round, and the checks that the database
is consistent afterwards. Run as a script, it serves the application on a free loopback port
(a separate process that a test can kill).
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "mật-khẩu-đủ-dài"
PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "review" / "data" / "thuong-thanh-2020.json"
HIDDEN_INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([a-zA-Z_-]+)="([^"]*)"')
LOCKED = "database is locked"


# ---------------------------------------------------------------------------
# The world


def seed_document() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def tally_form(round_: int | None, who: str) -> dict[str, str]:
    """Return the seed's ballot as the tally form posts it, marked with who saved it and when.

    Without a round, the seed's ballot as it is: two counters typing it agree.
    """
    ballot = seed_document()["ballot"]
    data = {name: str(ballot[name]) for name in ("issued", "returned", "invalid")}
    data["invalid_reasons"] = ballot["invalid_reasons"] if round_ is None else f"{who}, lần lưu {round_}"
    for key, row in ballot["rows"].items():
        for name, value in row.items():
            data[f"rows-{key}-{name}"] = str(value)
    return data


def review_form(round_: int, who: str) -> dict[str, str]:
    """Return an individual review as its form posts it, marked with who saved it and when."""
    return {
        "summary": f"Bản tự kiểm điểm, {who}, lần lưu {round_}",
        "self_level": "good",
        "feedback-0-speaker": "",
        "feedback-0-text": "",
        "response": "Tiếp thu ý kiến góp ý.",
        "conclusion": f"Kết luận, {who}, lần lưu {round_}",
    }


@dataclass
class Person:
    """A signed-in worker of the workload: a counter typing an entry, or a secretary writing a review."""

    username: str
    kind: str  # "counter" or "secretary"
    meeting_id: int
    participant_id: int | None = None  # the review a secretary edits

    @property
    def path(self) -> str:
        if self.kind == "counter":
            return f"/meetings/{self.meeting_id}/tally"
        return f"/meetings/{self.meeting_id}/reviews/{self.participant_id}"

    def form(self, round_: int) -> dict[str, str]:
        return tally_form(round_, self.username) if self.kind == "counter" else review_form(round_, self.username)


@dataclass
class World:
    """What :func:`build_world` made: the people, and the sealed seed meeting."""

    people: list[Person]
    sealed_meeting_id: int
    counted_meeting_ids: list[int]


def build_world(app, meetings: int) -> World:  # type: ignore[no-untyped-def]
    """Import the sealed seed meeting and ``meetings`` copies still to count, each in its own cell.

    Each copy gets a committee (m06 chief, m07, m08), two counter accounts (m06, m07) and a
    secretary, who edits the review of m02 (each in their own meeting).
    """
    from review import meetingfile
    from review.cli import create_user
    from review.counting import set_committee
    from review.extensions import db
    from review.meeting_store import import_meeting
    from review.models import Participant, Role

    people: list[Person] = []
    with app.app_context():
        parsed, problems = meetingfile.loads(SEED.read_bytes())
        assert parsed is not None, problems
        sealed_id = import_meeting(parsed).id
        counted: list[int] = []
        for index in range(1, meetings + 1):
            document = seed_document()
            del document["ballot"]
            document["organization"]["cell"] = f"Chi bộ Khu dân cư số {index}"
            parsed, problems = meetingfile.loads(json.dumps(document, ensure_ascii=False).encode())
            assert parsed is not None, problems
            meeting = import_meeting(parsed)
            by_code = {p.member.code: p for p in meeting.participants}
            set_committee(meeting, [by_code[c].member_id for c in ("m06", "m07", "m08")], by_code["m06"].member_id)
            secretary = f"bithu{index}"
            create_user(secretary, Role.SECRETARY, PASSWORD, cell_id=meeting.cell_id)
            for letter, code in (("a", "m06"), ("b", "m07")):
                user = create_user(f"kiemphieu{index}{letter}", Role.COUNTER, PASSWORD, cell_id=meeting.cell_id)
                user.member_id = by_code[code].member_id
                people.append(Person(user.username, "counter", meeting.id))
            people.append(Person(secretary, "secretary", meeting.id, by_code["m02"].id))
            counted.append(meeting.id)
            db.session.commit()
        assert all(db.session.get(Participant, p.participant_id) for p in people if p.participant_id)
        db.session.remove()
    return World(people, sealed_id, counted)


# ---------------------------------------------------------------------------
# One person's browser


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class Browser:
    """One person's browser: its own cookies; redirects are answers, not followed."""

    def __init__(self, base: str, timeout: float = 120) -> None:
        self.base = base
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect())

    def request(self, path: str, data: dict[str, str] | None = None) -> Answer:
        """GET ``path``, or POST ``data`` to it; a connection failure raises OSError."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            return Answer(error.code, text, error.headers.get("Location", ""))

    def hidden_fields(self, path: str) -> dict[str, str]:
        """Return the hidden inputs of the form on the page at ``path`` (the CSRF token, and any other)."""
        page = self.request(path)
        assert page.status == 200, (path, page.status, page.body[:500])
        fields = {}
        for tag in HIDDEN_INPUT.findall(page.body):
            attributes = dict(ATTRIBUTE.findall(tag))
            if attributes.get("type") == "hidden" and "name" in attributes:
                fields.setdefault(attributes["name"], html.unescape(attributes.get("value", "")))
        assert "csrf_token" in fields, f"no CSRF token at {path}"
        return fields

    def submit(self, path: str, data: dict[str, str], form_path: str | None = None) -> Answer:
        """Fill the form on the page at ``form_path`` (default ``path``) as a browser does, and post it to ``path``.

        The page's hidden inputs (the CSRF token, and any other) are kept; ``data`` fills the rest.
        """
        return self.request(path, self.hidden_fields(form_path or path) | data)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        answer = self.submit("/auth/login", {"username": username, "password": password})
        assert answer.status == 302, (username, answer.status, answer.body[:500])


@dataclass
class Log:
    """What one person's saves got: the rounds acknowledged, and every answer that was wrong."""

    person: Person
    acknowledged: list[int] = field(default_factory=list)
    attempted: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def save_round(browser: Browser, person: Person, round_: int, log: Log) -> bool:
    """Save one round; record it as acknowledged on a redirect. Return False once the server is gone."""
    log.attempted.append(round_)
    try:
        answer = browser.submit(person.path, person.form(round_))
    except (OSError, AssertionError) as error:
        log.failures.append(f"round {round_}: {type(error).__name__}: {error}")
        return False
    if answer.status in (301, 302, 303):
        log.acknowledged.append(round_)
    else:
        log.failures.append(f"round {round_}: HTTP {answer.status}: {answer.body[:300]}")
    if LOCKED in answer.body:
        log.failures.append(f"round {round_}: {LOCKED}")
    return True


# ---------------------------------------------------------------------------
# What the database must hold


def stored_marks(app, world: World) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the mark of the last save each person's record holds (tally reasons, review summary)."""
    from sqlalchemy import select

    from review.extensions import db
    from review.models import IndividualReview, Tally, User

    marks: dict[str, str] = {}
    with app.app_context():
        for person in world.people:
            if person.kind == "counter":
                user_id = db.session.scalar(select(User.id).where(User.username == person.username))
                tally = db.session.scalar(
                    select(Tally).where(Tally.meeting_id == person.meeting_id, Tally.user_id == user_id)
                )
                marks[person.username] = tally.invalid_reasons if tally is not None else ""
            else:
                review = db.session.scalar(
                    select(IndividualReview).where(IndividualReview.participant_id == person.participant_id)
                )
                marks[person.username] = review.summary if review is not None else ""
        db.session.remove()
    return marks


def stored_round(mark: str) -> int | None:
    """Return the round a stored mark names, or None for the seed's own text."""
    found = re.search(r"lần lưu (\d+)$", mark)
    return int(found.group(1)) if found else None


def audit_chain(app):  # type: ignore[no-untyped-def]
    """Return the verdict of walking the audit trail's hash chain (review.audit.verify_chain)."""
    from review.audit import verify_chain
    from review.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            verdict = verify_chain(connection)
        db.engine.dispose()
    return verdict


def audited_rounds(app, world: World) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Return, per person, the rounds the audit trail records written to their record, in chain order.

    A counter's record is their tally (its ``invalid_reasons`` carries the mark), a secretary's
    the review they edit (its ``summary``); the seed's own text names no round and is skipped.
    """
    from sqlalchemy import select

    from review.audit import AUDIT_TABLE
    from review.extensions import db
    from review.models import IndividualReview, Tally, User

    found: dict[str, list[int]] = {}
    with app.app_context():
        for person in world.people:
            if person.kind == "counter":
                table, column = "tally", "invalid_reasons"
                row_id = db.session.scalar(
                    select(Tally.id)
                    .join(User, User.id == Tally.user_id)
                    .where(Tally.meeting_id == person.meeting_id, User.username == person.username)
                )
            else:
                table, column = "individual_review", "summary"
                row_id = db.session.scalar(
                    select(IndividualReview.id).where(IndividualReview.participant_id == person.participant_id)
                )
            afters = (
                db.session.scalars(
                    select(AUDIT_TABLE.c.after)
                    .where(AUDIT_TABLE.c.table_name == table, AUDIT_TABLE.c.row_id == row_id)
                    .order_by(AUDIT_TABLE.c.id)
                )
                if row_id is not None
                else []
            )
            rounds = []
            for after in afters:
                mark = json.loads(after).get(column) if after else None
                round_ = stored_round(mark) if isinstance(mark, str) else None
                if round_ is not None:
                    rounds.append(round_)
            found[person.username] = rounds
        db.session.remove()
        db.engine.dispose()
    return found


def orphans(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Return every row whose foreign key names a row that does not exist, table by table."""
    from sqlalchemy import text

    from review.extensions import db

    found = []
    with app.app_context():
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                for key in table.foreign_key_constraints:
                    if len(key.columns) != 1:
                        continue
                    column = next(iter(key.columns))
                    target = key.elements[0].column
                    count = connection.execute(
                        text(
                            f'SELECT count(*) FROM "{table.name}" AS child WHERE child."{column.name}" IS NOT NULL '
                            f'AND NOT EXISTS (SELECT 1 FROM "{target.table.name}" AS parent '
                            f'WHERE parent."{target.name}" = child."{column.name}")'
                        )
                    ).scalar_one()
                    if count:
                        found.append(f"{table.name}.{column.name}: {count}")
        db.engine.dispose()
    return found


def invariant_problems(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Return what breaks the application's own invariants; empty when the records hold together.

    Every tally row belongs to a tally of its meeting; every saved entry has its whole ballot
    (one row per rated member and the cell, none twice); every seal's fingerprint is the
    SHA-256 of its payload; an unopened seal still matches the meeting it sealed; and every
    meeting still reads as a meeting file and evaluates.
    """
    from sqlalchemy import select

    from review.counting import ENTRIES
    from review.extensions import db
    from review.meeting_store import load_meeting, meeting_file
    from review.models import Meeting, Seal, Tally
    from review.rules import CELL_ROW
    from review.sealdata import fingerprint, sealed_payload

    problems = []
    with app.app_context():
        for meeting_id in db.session.scalars(select(Meeting.id).order_by(Meeting.id)).all():
            meeting = load_meeting(meeting_id)
            mf = meeting_file(meeting)
            result = mf.evaluate()
            rated = {r.key for r in result.members if r.rated} | {CELL_ROW}
            own = {p.id for p in meeting.participants}
            for tally in db.session.scalars(select(Tally).where(Tally.meeting_id == meeting_id)):
                keys = [r.participant.member.code if r.participant else CELL_ROW for r in tally.rows]
                if any(r.participant_id is not None and r.participant_id not in own for r in tally.rows):
                    problems.append(f"meeting {meeting_id} tally {tally.entry}: a row of another meeting")
                if len(keys) != len(set(keys)):
                    problems.append(f"meeting {meeting_id} tally {tally.entry}: a row twice")
                saved = tally.entry not in ENTRIES or tally.updated_at is not None
                if saved and set(keys) != rated:
                    problems.append(f"meeting {meeting_id} tally {tally.entry}: rows {sorted(keys)} ≠ {sorted(rated)}")
            for seal in db.session.scalars(select(Seal).where(Seal.meeting_id == meeting_id)):
                if fingerprint(seal.payload) != seal.fingerprint:
                    problems.append(f"meeting {meeting_id} seal {seal.version}: fingerprint ≠ payload")
                if seal.reopened_at is None and sealed_payload(mf) != seal.payload:
                    problems.append(f"meeting {meeting_id} seal {seal.version}: payload ≠ the meeting")
        db.session.remove()
        db.engine.dispose()
    return problems


def sqlite_checks(path: Path) -> tuple[list[str], list[tuple]]:
    """Return SQLite's integrity check and foreign key check of the file at ``path``."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    return integrity, foreign


# ---------------------------------------------------------------------------
# The server as a process of its own


def serve(database_url: str) -> None:
    """Serve the application (production settings, plain HTTP cookies) on a free loopback port."""
    from werkzeug.serving import make_server

    from review import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


def environment(url: str) -> dict[str, str]:
    """Return the environment of the application's processes: production settings on the database at ``url``."""
    found = dict(
        os.environ, DATABASE_URL=url, SECRET_KEY="workload-secret-key-not-for-production", PYTHONUNBUFFERED="1"
    )
    found.pop("REVIEW_ENV", None)
    found.pop("FLASK_DEBUG", None)
    return found


def flask(url: str, *arguments: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app review ARGUMENTS`` as the command line does, on the database at ``url``."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "review", *arguments],
        cwd=PROJECT,
        env=environment(url),
        input=input,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def start_server(url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start the application as a separate process; return it and its base URL."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, __file__, url],
            cwd=PROJECT,
            env=environment(url),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line.startswith("PORT "):
        process.kill()
        process.wait()
        raise AssertionError(f"the server did not start: {line!r} {log_path.read_text()[-2000:]}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    serve(sys.argv[1])
