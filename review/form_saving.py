"""Helpers every form view shares: save whole or not at all, answer pages and autosave alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from . import clock
from .database import write_transaction
from .extensions import db
from .forms import VIETNAMESE
from .i18n import translate
from .meeting_edits import Refused
from .models import User
from .translatable import N_
from .versioning import STALE_MESSAGE, VERSION_FIELD, Conflict, VersionsConflict

AUTOSAVE_HEADER = "X-Autosave"
BAD_BUTTON = N_("Yêu cầu không hợp lệ: tải lại trang rồi thử lại.")


def version_field() -> HiddenField:
    """Return the hidden field carrying the version of the record a form was loaded with."""
    return HiddenField()


def loaded_version(record: Any) -> str:
    """Return the version a form shows for ``record``: 0 when it is not stored yet."""
    return str(record.version if record is not None and record.version is not None else 0)


def wants_json() -> bool:
    """Return whether the request is a background save from the page's script."""
    return request.headers.get(AUTOSAVE_HEADER) == "1"


def save_form(
    form: FlaskForm,
    save: Callable[[], Any],
    render: Callable[[], str],
    next_url: Callable[[], str],
    saved_message: str = N_("Đã lưu."),
) -> ResponseReturnValue:
    """Validate ``form``; save it whole in one transaction, or show it again with its errors.

    A background save from the page's script gets JSON instead of a page: the time it was
    saved, or the errors by field. Nothing is written when any field is wrong, or when
    ``save`` raises :class:`Refused` (the transaction is rolled back).

    ``save`` may return the versioned record it saved: its new version goes back to the
    page's script. When the record changed since the form was loaded (:class:`Conflict`),
    nothing is written and the answer is 409 with who changed it, when, and their text;
    the form keeps what the user typed and now carries the current version.
    """
    if request.method == "POST":
        if form.validate():
            version: int | None = None
            try:
                with write_transaction():
                    saved = save()
                    if saved is not None and hasattr(saved, "version"):
                        db.session.flush()  # the version is bumped at flush
                        version = saved.version
            except Conflict as conflict:
                return conflict_answer(form, conflict, render)
            except StaleDataError:
                return conflict_answer(form, Conflict(STALE_MESSAGE, -1), render)
            except Refused as refused:
                form[refused.field].errors = list(form[refused.field].errors) + [translate(refused.message)]
                if wants_json():
                    return jsonify(ok=False, errors=form.errors), 422
                return render(), 422
            if wants_json():
                answer: dict[str, Any] = {"ok": True, "saved_at": clock.when(clock.now(), "time")}
                if version is not None:
                    answer["version"] = version
                return jsonify(answer)
            flash(translate(saved_message), "success")
            return redirect(next_url())
        if wants_json():
            return jsonify(ok=False, errors=form.errors), 422
        return render(), 422
    return render()


def conflict_answer(form: FlaskForm, conflict: Conflict, render: Callable[[], str]) -> ResponseReturnValue:
    """Answer a save over someone else's change: their text shown, the user's kept, 409."""
    if VERSION_FIELD in form:  # saving again means: keep what I typed
        if isinstance(conflict, VersionsConflict):
            form[VERSION_FIELD].data = conflict.token
        elif conflict.version >= 0:
            form[VERSION_FIELD].data = str(conflict.version)
    if wants_json():
        return jsonify(
            ok=False,
            conflict=translate(conflict.message),
            current=[{"label": translate(label), "text": text} for label, text in conflict.current],
            version=getattr(conflict, "token", None) or (conflict.version if conflict.version >= 0 else None),
        ), 409
    g.conflict = conflict
    return render(), 409


def refused_button(form: FlaskForm, back: str) -> ResponseReturnValue:
    """Answer a one-button form that did not validate (a missing or stale CSRF token): nothing done.

    The one answer of every one-button form (archive, restore, disable, a new link...): back to
    the page it came from, where a fresh token waits, with why in a flash (the form's errors,
    in Vietnamese: ``forms.MESSAGES``).
    """
    messages = dict.fromkeys(VIETNAMESE.gettext(e) for errors in form.errors.values() for e in errors)
    flash(" ".join(messages) or _(BAD_BUTTON), "error")
    return redirect(back)


def acting_user() -> User:
    """Return the signed-in user, loaded in the current transaction.

    The write transaction begins by committing the request's read transaction, which
    expires every loaded object; loading the account again here keeps its refresh (and the
    autoflush that comes with it) from landing in the middle of a half-made change.
    """
    user = db.session.get(User, current_user.id)  # get_id() is "<id>:<session token>"
    assert user is not None
    return user


def run_action(
    form: FlaskForm, action: Callable[[], str], render: Callable[[], str], next_url: str
) -> ResponseReturnValue:
    """Validate ``form`` and run ``action`` in one write transaction; show the page again on refusal.

    ``action`` returns the message to flash. Nothing is written when the form is wrong or
    ``action`` raises :class:`Refused` (the transaction is rolled back).
    """
    if form.validate():
        try:
            with write_transaction():
                message = action()
        except Refused as refused:
            name = refused.field if refused.field in form else "csrf_token"
            form[name].errors = list(form[name].errors) + [translate(refused.message)]
            return render(), 422
        flash(translate(message), "success")
        return redirect(next_url)
    return render(), 422
