"""Web hardening: security headers on every response, and the proxy in front of the application."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

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


def register_security(app: Flask) -> None:
    """Add security headers to every response; trust REVIEW_PROXY_COUNT proxies' X-Forwarded-* headers."""
    proxies = int(app.config.get("REVIEW_PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
