"""Web hardening: security headers on every response, and the proxy in front of the application."""

from __future__ import annotations

import codecs
import re
import typing as t
from urllib.parse import parse_qsl

from flask import Flask, Request, Response, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream

# The largest id (and any other whole number) a URL or a query parameter may carry: the
# largest value of PostgreSQL's ``integer`` (int4), which every id column is. A larger number
# is no record of this application: it answers 404 on PostgreSQL as on SQLite, instead of
# reaching the database, which refuses it there ("out of range": a 500) but not on SQLite.
MAX_ID = 2**31 - 1
ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


class BoundedIntegerConverter(IntegerConverter):
    """The ``int`` URL converter held to 0..MAX_ID, ASCII digits only; anything else does not match (404).

    Werkzeug's own reads any size and, through ``\\d``, other scripts' digits ("٣").
    """

    regex = r"[0-9]+"

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,  # type: ignore[no-untyped-def]
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=0 if min is None else min,
            max=MAX_ID if max is None or max > MAX_ID else max,
            signed=signed,
        )


def query_int(name: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """Return the query parameter ``name`` as a whole number within ``low..high``, or None.

    None when the parameter is absent, empty, not ASCII digits, or out of range (the one home
    for integer query parameters: ``request.args.get(name, type=int)`` takes "1_000", "٣" and
    numbers of any size). The caller decides whether a wrong value is ignored or a 404.
    """
    raw = request.args.get(name)
    if raw is None or not ASCII_DIGITS.fullmatch(raw) or len(raw) > 12:
        return None
    value = int(raw)
    return value if low <= value <= high else None


# Pages load their scripts, styles, images and fonts from this site only; no inline script,
# no style attributes, no plugins, no framing, forms post back here.
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
# Anything else (JSON, ZIP, scripts, styles) is never a document: it may load nothing.
RESOURCE_POLICY = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(mimetype: str) -> str | None:
    """Return the Content-Security-Policy for a response of ``mimetype``.

    PDFs get none: Chromium's built-in PDF viewer is a plugin that ``object-src 'none'``
    (or ``default-src 'none'``) would stop from showing the document inline.
    """
    if mimetype == "application/pdf":
        return None
    if mimetype in ("text/html", "application/xhtml+xml"):
        return PAGE_POLICY
    return RESOURCE_POLICY


def add_security_headers(response: Response) -> Response:
    """Add the security headers to ``response``, keeping any a view set itself."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    policy = content_security_policy(response.mimetype or "")
    if policy is not None:
        response.headers.setdefault("Content-Security-Policy", policy)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        # The pages carry ballots and reviews: no copy in a shared computer's cache.
        response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------
# Request bodies


class BodyLimit(LimitedStream):
    """A stream held to MAX_CONTENT_LENGTH that refuses (413) a body longer than that, never cuts it.

    Werkzeug (3.1) limits a body without Content-Length (``Transfer-Encoding: chunked``, which
    the server de-chunks and marks ``wsgi.input_terminated``) to the maximum, but its ``readall``
    stops at the limit without looking further: a form-encoded body of 9 MiB was read as its
    first 8 MiB, a text cut in the middle and saved. Here, once the limit is reached, one more
    byte read means the body is longer: 413, like a Content-Length over the limit.
    """

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):
            raise RequestEntityTooLarge()
        return data


class DecodedForm(ImmutableMultiDict[str, str]):
    """A request's form, with the names of the fields whose bytes were not UTF-8 (shown with U+FFFD)."""

    undecodable: frozenset[str] = frozenset()


REPLACEMENT = "\ufffd"


def decoded_form(body: bytes) -> DecodedForm:
    """Return a form-encoded body as a form; a value that is not UTF-8 is marked, not silently replaced.

    Werkzeug keeps the undecodable percent-escapes as typed ("%FF" as three characters) and
    drops the whole form for raw bytes that are not UTF-8; here each value is decoded on its
    own, with U+FFFD for the bytes that are not UTF-8 (a text that is safe to show again),
    and the field is named in ``undecodable`` for the form to refuse with a message.
    """
    items, undecodable = [], set()
    # Latin-1 maps every byte to one character and back: the body's bytes, and the bytes its
    # percent-escapes stand for, come out as they were sent.
    for latin_name, latin_value in parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        name = latin_name.encode("latin-1").decode("utf-8", "replace")
        raw_value = latin_value.encode("latin-1")
        try:
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            value = raw_value.decode("utf-8", "replace")
            undecodable.add(name)
        items.append((name, value))
    form = DecodedForm(items)
    form.undecodable = frozenset(undecodable)
    return form


class StrictFormDataParser(FormDataParser):
    """Werkzeug's form parser, with the form's undecodable fields marked (see :func:`decoded_form`)."""

    def _parse_urlencoded(
        self, stream: t.IO[bytes], mimetype: str, content_length: int | None, options: dict[str, str]
    ) -> t.Any:
        return stream, decoded_form(stream.read()), self.cls()

    def _parse_multipart(
        self, stream: t.IO[bytes], mimetype: str, content_length: int | None, options: dict[str, str]
    ) -> t.Any:
        # The pages' background saves post FormData (multipart). Werkzeug decodes each part
        # with U+FFFD for bytes that are not UTF-8 and keeps no trace; here the parts decode
        # with "surrogateescape" (see MarkingMultiPartParser): a lone surrogate U+DC80-U+DCFF
        # can only come from such a byte, since a strict UTF-8 decoder never yields one.
        parser = MarkingMultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        fields, files = parser.parse(stream, boundary, content_length)
        items, undecodable = [], set()
        for name, value in fields.items(multi=True):
            if ESCAPED_BYTE.search(name):
                name = ESCAPED_BYTE.sub(REPLACEMENT, name)
            if ESCAPED_BYTE.search(value):
                value = ESCAPED_BYTE.sub(REPLACEMENT, value)
                undecodable.add(name)
            items.append((name, value))
        form = DecodedForm(items)
        form.undecodable = frozenset(undecodable)
        return stream, form, files


# A byte that is not UTF-8, as "surrogateescape" decodes it.
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
ESCAPING_CODEC = "review_utf_8_surrogateescape"


def find_escaping_codec(name: str) -> codecs.CodecInfo | None:
    """Return UTF-8 that decodes undecodable bytes as lone surrogates, whatever errors it is asked for."""
    if name != ESCAPING_CODEC:
        return None
    return codecs.CodecInfo(
        name=ESCAPING_CODEC,
        encode=codecs.utf_8_encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "surrogateescape", True),
    )


codecs.register(find_escaping_codec)


class MarkingMultiPartParser(MultiPartParser):
    """Werkzeug's multipart parser, decoding the UTF-8 (and ASCII) parts with :data:`ESCAPING_CODEC`."""

    def get_part_charset(self, headers: t.Any) -> str:
        charset = super().get_part_charset(headers)
        return ESCAPING_CODEC if charset in ("utf-8", "ascii", "us-ascii") else charset


class ReviewRequest(Request):
    """The application's request: bodies held to the limit whole, forms with their undecodable fields."""

    form_data_parser_class = StrictFormDataParser

    @cached_property
    def stream(self) -> t.IO[bytes]:
        stream = get_input_stream(self.environ, max_content_length=self.max_content_length)  # 413 on Content-Length
        if "wsgi.input_terminated" in self.environ and self.max_content_length is not None:
            return t.cast(t.IO[bytes], BodyLimit(self.environ["wsgi.input"], self.max_content_length, is_max=True))
        return stream


def undecodable_fields() -> frozenset[str]:
    """Return the names of the fields of this request's form whose bytes were not UTF-8."""
    return getattr(request.form, "undecodable", frozenset())


def register_converters(app: Flask) -> None:
    """Replace the ``int`` URL converter by the bounded one (before any blueprint adds its rules)."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def register_security(app: Flask) -> None:
    """Add security headers to every response; trust REVIEW_PROXY_COUNT proxies' X-Forwarded-* headers."""
    proxies = int(app.config.get("REVIEW_PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.request_class = ReviewRequest
    app.after_request(add_security_headers)
