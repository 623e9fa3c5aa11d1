"""The party cell year-end review application (kiểm điểm, đánh giá, xếp loại chất lượng).

Importing the package loads nothing else: the pure core (``review.rules``, ``review.meetingfile``,
``review.text``...) is usable without Flask. The application factory lives in ``review.app``;
``create_app`` and ``ERRORS`` are imported from there on first use, so that ``flask --app review``
and ``from review import create_app`` keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import ERRORS, create_app

__all__ = ["ERRORS", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
