"""Files sent to save or to print: the one home of their headers.

Every download names its file by RFC 6266/5987 (an ASCII ``filename`` for old browsers, the
name itself as ``filename*``) and is never cached (``private, no-store``: the files hold
members' names and results).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

NO_STORE = "private, no-store"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Return a Content-Disposition: an ASCII name, and the name itself by RFC 5987."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_").replace("\\", "_")
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def named(response: Response, filename: str, *, inline: bool = False) -> Response:
    """Give a response (``send_file``'s included) its file name and keep it out of every cache."""
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["Cache-Control"] = NO_STORE
    return response


def download(data: bytes, filename: str, mimetype: str, *, inline: bool = False) -> Response:
    """Return ``data`` as a file to save (or, ``inline``, to show and print), never cached."""
    return named(Response(data, mimetype=mimetype), filename, inline=inline)


def json_download(text: str, filename: str) -> Response:
    """Return JSON text as a file to save, never cached."""
    return download(text.encode("utf-8"), filename, "application/json")
