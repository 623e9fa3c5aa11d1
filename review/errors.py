"""Error handling, registered by the application factory: every error answers with a page in the request's language.

- HTTP errors (400, 403, 404, 405, 413, 500) show their page;
- a write over a row changed at the same time that no form caught (SQLAlchemy's
  ``StaleDataError``, from the version counters of ``review.versioning``) answers 409;
- a write the seal refused (``review.seal_guard.SealedError``) that no form caught answers 422;
- a save conflict a form caught is shown on the page that caused it (``g.conflict``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .i18n import translate
from .seal_guard import SealedError
from .translatable import N_
from .versioning import STALE_MESSAGE
from .vocabulary import MEETING_STATE_LABELS

ERRORS = {
    400: (N_("Yêu cầu không hợp lệ"), N_("Phiên làm việc có thể đã hết hạn. Tải lại trang rồi thử lại.")),
    403: (N_("Không có quyền"), N_("Tài khoản của bạn không được làm việc này.")),
    404: (N_("Không tìm thấy"), N_("Trang này không có, hoặc không thuộc phạm vi tài khoản của bạn.")),
    405: (N_("Không hợp lệ"), N_("Trang này không nhận yêu cầu như vậy.")),
    413: (N_("Nội dung quá lớn"), N_("Nội dung gửi lên quá lớn nên chưa được lưu: rút ngắn văn bản rồi thử lại.")),
    500: (N_("Lỗi hệ thống"), N_("Đã có lỗi. Nội dung chưa lưu được; vui lòng thử lại.")),
}


def register_error_handlers(app: Flask) -> None:
    """Register every error page and handler of the application."""
    from .menu import no_menu

    def render_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        title, message = ERRORS.get(code, (error.name, error.description or ""))
        title, message = translate(title), translate(message)
        # A server error's page asks nothing more of the database: no navigation bar.
        extra = {"menu": no_menu} if code >= 500 else {}
        return render_template("errors/error.html", error_page=True, title=title, message=message, **extra), code

    for code in ERRORS:
        app.register_error_handler(code, render_error)

    @app.context_processor
    def conflict_context() -> dict[str, Any]:
        """Show a save conflict on the page that caused it."""
        return {"conflict": g.get("conflict")}

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError) -> tuple[str, int]:
        """Answer a write over a row changed at the same time (outside a form's save) with 409."""
        db.session.rollback()
        return render_template(
            "errors/error.html",
            error_page=True,
            title=_("Nội dung vừa bị sửa cùng lúc"),
            message=translate(STALE_MESSAGE),
        ), 409

    @app.errorhandler(SealedError)
    def sealed(error: SealedError) -> tuple[str, int]:
        """Answer a write refused by the seal (outside a form's save) with 422, nothing saved."""
        db.session.rollback()
        return render_template(
            "errors/error.html",
            error_page=True,
            title=translate(MEETING_STATE_LABELS["sealed"]),
            message=translate(error.message),
        ), 422
