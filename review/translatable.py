"""Texts the interface translates, marked where the pure core writes them (no Flask, no Babel).

The interface's source texts are Vietnamese (README, "Languages"): the Vietnamese is what the
users and the documents read, and the catalogs (review/translations/) map it to other languages.
The pure core cannot call Flask-Babel, so it marks its texts here and the shell translates them
(``review.i18n.translate``) when a page shows them; a document never does, and stays Vietnamese.

- ``N_(text)`` marks a fixed text (a level's name, a flag's wording) for extraction and returns
  it unchanged; ``NP_(context, text)`` the same in a context (gettext's ``msgctxt``).
- ``msg(template, **params)`` is a message with values: a ``Message``, which *is* its Vietnamese
  text (a ``str``, so every existing use, comparison and document keeps working) and remembers
  its template and values, so that the shell can translate the template and fill it again.
  The template uses ``str.format`` fields: ``msg("Số âm không hợp lệ: {value}.", value=-1)``.

review/catalogs.py extracts all three (keywords ``N_``, ``NP_`` and ``msg``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(text: str) -> str:
    """Mark ``text`` for the catalogs; return it unchanged."""
    return text


def NP_(context: str, text: str) -> str:
    """Mark ``text`` for the catalogs in ``context`` (one Vietnamese word, two English ones: the
    menu's "Chi bộ" is the list of cells, elsewhere one cell); return it unchanged. The shell
    translates it with ``translate(text, context)``."""
    return text


class Message(str):
    """A core message: its Vietnamese text, with the template and values it was made from."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any]) -> Message:
        self = super().__new__(cls, template.format(**params))
        self.template = template
        self.params = dict(params)
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickling (a background job) keeps the template
        return (Message, (self.template, self.params))


def msg(template: str, **params: Any) -> Message:
    """Return the message ``template`` filled with ``params``, translatable later (see the module)."""
    return Message(template, params)
