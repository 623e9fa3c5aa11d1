"""Routes of sign-in and sign-out."""

from __future__ import annotations

import unicodedata
from functools import cache
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import write_transaction
from ..extensions import db
from ..models import User
from . import bp, devices, throttle
from .forms import LoginForm

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirect).

    Browsers read a backslash as a slash and drop tabs and newlines, so ``/\\evil.example``
    or ``/\\t/evil.example`` would leave the site: any of those is refused.
    """
    if not target:
        return None
    if "\\" in target or any(unicodedata.category(c)[0] in "CZ" and c != " " for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@cache
def unused_hash(method: str) -> str:
    """Return a hash to check a password against when the account does not exist (same time taken)."""
    return generate_password_hash("no account has this password", method=method)


def password_matches(user: User | None, password: str) -> bool:
    """Return whether ``user`` exists, is active and has ``password``; as slow either way."""
    if user is None:
        check_password_hash(unused_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return False
    return user.check_password(password) and user.active


def refused_page(form: LoginForm, refusal: throttle.Refusal) -> ResponseReturnValue:
    """Answer a throttled sign-in: 429, the form as typed, when to try again."""
    form.password.errors = list(form.password.errors) + [refusal.message]
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(refusal.seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in; refuse for a while after too many failures."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data or ""
        device = devices.known_device(username)
        # Counted before the password is checked, so that parallel guesses are counted too.
        with write_transaction():
            refusal = throttle.refusal(username, device)
            if refusal is None:
                throttle.record_failure(throttle.PASSWORD, username, device)
        if refusal is not None:
            return refused_page(form, refusal)
        user = db.session.scalar(select(User).where(User.username == username))
        if password_matches(user, form.password.data or ""):
            with write_transaction():
                throttle.forget_failures(username, device)
            signed_in = db.session.get(User, user.id)
            login_user(signed_in, remember=bool(form.remember.data))
            response = redirect(safe_next(request.args.get("next")) or url_for("main.index"))
            devices.remember_device(response, signed_in, device)
            return response
        form.password.errors.append(WRONG_CREDENTIALS)
    status = 200 if not form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Sign the user out, and end every other session of the account too (a copied cookie included)."""
    user_id = current_user.id
    with write_transaction():
        account = db.session.get(User, user_id)
        if account is not None:
            account.end_sessions()
    logout_user()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
