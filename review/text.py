"""Normalise text from users: one Unicode form (NFC) everywhere."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC."""
    return unicodedata.normalize("NFC", value)


def strip_nfc(value: str | None) -> str | None:
    """Return a form value in NFC with surrounding white space removed (a WTForms filter)."""
    return nfc(value).strip() if isinstance(value, str) else value
