"""Routes of sign-in, sign-out and changing one's own password."""

from __future__ import annotations

import unicodedata
from functools import cache
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..access import OWN_PASSWORD, permission_required
from ..database import write_transaction
from ..extensions import db
from ..i18n import translate
from ..models import User
from ..translatable import N_
from . import bp, devices, password_links, throttle
from .forms import LoginForm, PasswordForm, SetPasswordForm
from .password_rules import new_password_hint, password_problems
from .sign_ins import record_sign_in

WRONG_CREDENTIALS = N_("Tên đăng nhập hoặc mật khẩu không đúng.")
WRONG_CURRENT_PASSWORD = N_("Mật khẩu hiện tại không đúng.")
LINK_NO_GOOD_STATUS = 410  # one answer for an unknown, garbage, expired, used or revoked link
PASSWORD_SET = N_("Đã đặt mật khẩu cho tài khoản {username}. Mời đăng nhập bằng tên đăng nhập và mật khẩu mới.")
# The set-password page's address holds the token: no other site learns it from a Referer.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}
PASSWORD_CHANGED = N_(
    "Đã đổi mật khẩu. Mọi phiên đăng nhập khác của tài khoản đã kết thúc; trên máy này bạn vẫn đăng nhập."
)


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


def counted_try(username: str, device: str | None) -> throttle.Refusal | None:
    """Count a password try as a failure before the password is checked (so that parallel guesses
    are counted too; a right password forgets it); return the refusal when the account is throttled."""
    with write_transaction():
        refusal = throttle.refusal(username, device)
        if refusal is None:
            throttle.record_failure(throttle.PASSWORD, username, device)
    return refusal


def refused_page(form: LoginForm, refusal: throttle.Refusal) -> ResponseReturnValue:
    """Answer a throttled sign-in: 429, the form as typed, when to try again."""
    form.password.errors = list(form.password.errors) + [translate(refusal.message)]
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
        refusal = counted_try(username, device)
        if refusal is not None:
            return refused_page(form, refusal)
        user = db.session.scalar(select(User).where(User.username == username))
        if password_matches(user, form.password.data or ""):
            with write_transaction():
                throttle.forget_failures(username, device)
                record_sign_in(db.session.get(User, user.id))
            signed_in = db.session.get(User, user.id)
            login_user(signed_in, remember=bool(form.remember.data))
            response = redirect(safe_next(request.args.get("next")) or url_for("main.index"))
            devices.remember_device(response, signed_in, device)
            return response
        form.password.errors.append(_(WRONG_CREDENTIALS))
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
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


def password_page(form: PasswordForm, status: int = 200, headers: dict[str, str] | None = None) -> ResponseReturnValue:
    """Answer with the password page, the form's messages next to its fields."""
    return (
        render_template("auth/password.html", form=form, new_password_hint=translate(new_password_hint())),
        status,
        headers or {},
    )


@bp.route("/password", methods=["GET", "POST"])
@permission_required(OWN_PASSWORD)
def password() -> ResponseReturnValue:
    """Change the signed-in account's own password; every other session of the account ends.

    The new password is checked against the rules (``password_rules``) first; the current one
    only once the rest of the form is right, and throttled as a sign-in is (the same failures,
    counted for the account), so a borrowed session cannot be used to guess it. This browser
    stays signed in: it is signed in again with the account's new session token.
    """
    form = PasswordForm()
    if request.method == "GET":
        return password_page(form)
    username, user_id = current_user.username, current_user.id
    valid = form.validate_on_submit()
    if form.new_password.data and not form.new_password.errors:
        problems = password_problems(form.new_password.data, username)
        form.new_password.errors = [*form.new_password.errors, *map(translate, problems)]
        valid = valid and not problems
    if not valid:
        return password_page(form, 422)
    device = devices.known_device(username)
    refusal = counted_try(username, device)
    if refusal is not None:
        form.current_password.errors = [*form.current_password.errors, translate(refusal.message)]
        return password_page(form, 429, {"Retry-After": str(refusal.seconds)})
    account = db.session.get(User, user_id)
    if account is None or not account.check_password(form.current_password.data or ""):
        form.current_password.errors = [*form.current_password.errors, _(WRONG_CURRENT_PASSWORD)]
        return password_page(form, 422)
    with write_transaction():
        throttle.forget_failures(username, device)
        account = db.session.get(User, user_id)
        assert account is not None
        account.set_password(form.new_password.data or "")  # a new session token: every session ends
    signed_in = db.session.get(User, user_id)
    # This browser is signed in again with the new token (remembered again if it was).
    remembered = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is not None
    login_user(signed_in, remember=remembered)
    flash(_(PASSWORD_CHANGED), "success")
    response = redirect(url_for("main.index"))
    devices.remember_device(response, signed_in, device)  # the new password voided the browser's known device
    return response


def link_no_good() -> ResponseReturnValue:
    """Answer a set-password link that is unknown, garbage, expired, used or revoked: one page for all."""
    return render_template("auth/link_no_good.html"), LINK_NO_GOOD_STATUS, NO_REFERRER


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    """Set an account's password through its one-time link (``password_links``), then sign in.

    A good link shows the account's username and the form; the password is checked against
    the rules (``password_rules``) and nothing is stored until it passes. Stored, the link is
    used (in the same transaction), every session of the account ends, and the browser goes to
    the sign-in page: the person signs in with the new password once, which also checks it.
    """
    link = password_links.find_link(token)
    if link is None:
        return link_no_good()
    username = link.user.username
    form = SetPasswordForm()
    if request.method == "POST":
        valid = form.validate_on_submit()
        if form.new_password.data and not form.new_password.errors:
            problems = password_problems(form.new_password.data, username)
            form.new_password.errors = [*form.new_password.errors, *map(translate, problems)]
            valid = valid and not problems
        if valid:
            with write_transaction():
                account = password_links.use_link(token, form.new_password.data or "")
            if account is None:  # used or revoked meanwhile
                return link_no_good()
            flash(_(PASSWORD_SET).format(username=username), "success")
            return redirect(url_for("auth.login")), 302, NO_REFERRER
    status = 422 if form.errors else 200
    return (
        render_template(
            "auth/set_password.html", form=form, username=username, new_password_hint=translate(new_password_hint())
        ),
        status,
        NO_REFERRER,
    )
