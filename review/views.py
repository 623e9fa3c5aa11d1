"""Helpers every form view shares: save whole or not at all, answer pages and autosave alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import flash, jsonify, redirect, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from .database import write_transaction
from .recording import Refused

AUTOSAVE_HEADER = "X-Autosave"


def wants_json() -> bool:
    """Return whether the request is a background save from the page's script."""
    return request.headers.get(AUTOSAVE_HEADER) == "1"


def save_form(
    form: FlaskForm,
    save: Callable[[], None],
    render: Callable[[], str],
    next_url: Callable[[], str],
    saved_message: str = "Đã lưu.",
) -> ResponseReturnValue:
    """Validate ``form``; save it whole in one transaction, or show it again with its errors.

    A background save from the page's script gets JSON instead of a page: the time it was
    saved, or the errors by field. Nothing is written when any field is wrong, or when
    ``save`` raises :class:`Refused` (the transaction is rolled back).
    """
    if request.method == "POST":
        if form.validate():
            try:
                with write_transaction():
                    save()
            except Refused as refused:
                form[refused.field].errors = list(form[refused.field].errors) + [refused.message]
                if wants_json():
                    return jsonify(ok=False, errors=form.errors), 422
                return render(), 422
            if wants_json():
                return jsonify(ok=True, saved_at=datetime.now().strftime("%H:%M:%S"))
            flash(saved_message, "success")
            return redirect(next_url())
        if wants_json():
            return jsonify(ok=False, errors=form.errors), 422
        return render(), 422
    return render()
