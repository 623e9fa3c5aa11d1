"""Uploaded files kept between the preview and the confirmation: the one home for that.

An upload that the user must confirm (a roster spreadsheet, a meeting file) is checked and
shown first; the confirmation must store exactly the file that was shown, without sending it
again. The file waits here, in ``<UPLOAD_DIR>`` (``instance/uploads`` by default), under a
random token that the preview page carries in a hidden field. A token is bound to what it was
stashed for (``kind``: "roster", "meeting-file"), to the account that uploaded it and to its
object (``scope``: "cell:12", "organization:3"): nobody else's token opens it. A stashed file
lives for :data:`LIFETIME`; older ones are removed whenever a new one is stashed, and a
confirmed one is discarded at once. :func:`take` claims a file for its confirmation in one
step (fetch and remove), so of two confirmations of one token (a double click, two tabs) only
one gets the file; the other finds nothing, as after an expiry.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from . import clock

LIFETIME = timedelta(hours=1)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24)
CLAIMED = ".taken"  # a body being read by take(): left behind only by a crash


@dataclass(frozen=True)
class Stashed:
    """A file found by its token: its bytes and the name it was uploaded under."""

    data: bytes
    filename: str


def upload_dir() -> Path:
    """Return the folder of the waiting uploads: ``UPLOAD_DIR``, or ``instance/uploads``."""
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _paths(token: str) -> tuple[Path, Path]:
    folder = upload_dir()
    return folder / f"{token}.bin", folder / f"{token}.json"


def stash(data: bytes, *, filename: str, kind: str, owner_id: int, scope: str) -> str:
    """Keep ``data`` until it is confirmed or expires; return its token."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    remove_expired()
    token = secrets.token_urlsafe(24)
    body, meta = _paths(token)
    # The description first: a body is never left without one (remove_expired would take it).
    meta.write_text(
        json.dumps(
            {"kind": kind, "owner": owner_id, "scope": scope, "filename": filename, "at": clock.now().isoformat()},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    body.write_bytes(data)
    return token


def fetch(token: str, *, kind: str, owner_id: int, scope: str) -> Stashed | None:
    """Return the stashed file of ``token`` if it is this kind's, this account's and this object's,
    and has not expired; None otherwise (a malformed token included).
    """
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    body, meta = _paths(token)
    try:
        recorded = json.loads(meta.read_text(encoding="utf-8"))
        data = body.read_bytes()
    except (OSError, ValueError):
        return None
    if (recorded.get("kind"), recorded.get("owner"), recorded.get("scope")) != (kind, owner_id, scope):
        return None
    if _expired(recorded):
        discard(token)
        return None
    return Stashed(data=data, filename=str(recorded.get("filename", "")))


def take(token: str, *, kind: str, owner_id: int, scope: str) -> Stashed | None:
    """Fetch the stashed file of ``token`` and remove it, in one step: as :func:`fetch`, but only once.

    The body is first renamed to a name of this call's own (an atomic rename: of two calls,
    one succeeds and the other finds no file), then read and removed with its description.
    """
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    body, meta = _paths(token)
    try:
        recorded = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (recorded.get("kind"), recorded.get("owner"), recorded.get("scope")) != (kind, owner_id, scope):
        return None
    if _expired(recorded):
        discard(token)
        return None
    claimed = body.with_name(f"{token}.{secrets.token_hex(8)}{CLAIMED}")
    try:
        body.rename(claimed)
    except OSError:  # another call took it first
        return None
    try:
        data = claimed.read_bytes()
    finally:
        claimed.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
    return Stashed(data=data, filename=str(recorded.get("filename", "")))


def discard(token: str) -> None:
    """Remove a stashed file (after its confirmation); a token already gone is no error."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return
    for path in _paths(token):
        path.unlink(missing_ok=True)


def _expired(recorded: dict[str, object]) -> bool:
    try:
        at = datetime.fromisoformat(str(recorded.get("at")))
    except ValueError:
        return True
    return clock.now() - at > LIFETIME


def remove_expired() -> None:
    """Remove every stashed file older than :data:`LIFETIME` (and any half-written one)."""
    folder = upload_dir()
    if not folder.is_dir():
        return
    for meta in folder.glob("*.json"):
        try:
            recorded = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = {}
        if _expired(recorded):
            discard(meta.stem)
    for body in folder.glob("*.bin"):
        if not body.with_suffix(".json").exists():
            body.unlink(missing_ok=True)
    oldest = (clock.now() - LIFETIME).timestamp()
    for claimed in folder.glob(f"*{CLAIMED}"):
        try:
            if claimed.stat().st_mtime < oldest:
                claimed.unlink(missing_ok=True)
        except OSError:
            pass
