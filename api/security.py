"""HTTP hardening that sits in front of every route (a plain ASGI middleware, so answers still stream).

* A request that carries both ``Content-Length`` and ``Transfer-Encoding`` is refused with 400 and the
  connection is closed (RFC 9112 §6.1: the framing is ambiguous, whatever follows may be smuggled).
* An ``Authorization`` header with bytes outside ASCII is a 400, not a server error.
* HTML answers carry a Content-Security-Policy (scripts and styles from this server only — the pages
  and the network views load their scripts as files; inline ``style`` attributes are allowed), plus
  ``X-Frame-Options: DENY``; every answer carries ``X-Content-Type-Options: nosniff``.
* :class:`graph.store.StoreError` (the store cannot be opened, e.g. locked by a running
  ``hmic-kg load``) answers 503 with a JSON error instead of 500.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from graph.store import QueryError, StoreError

log = logging.getLogger("hmic_kg.api")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: Swagger UI starts itself with an inline script (FastAPI's template)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")


def _refusal(status: int, code: str, message: str) -> tuple[dict, bytes]:
    body = json.dumps({"error": {"status": status, "code": code, "message": message}}).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            (b"x-content-type-options", b"nosniff"),
        ],
    }
    return start, body


class SecurityMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        names = {name for name, _ in scope["headers"]}
        problem = None
        if b"content-length" in names and b"transfer-encoding" in names:
            problem = ("bad_request", "Content-Length and Transfer-Encoding together: ambiguous framing")
        elif any(name == b"authorization" and not value.isascii() for name, value in scope["headers"]):
            problem = ("bad_request", "the Authorization header must be ASCII")
        if problem is not None:
            start, body = _refusal(400, *problem)
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        policy = (DOCS_CSP if scope.get("path") in DOCS_PATHS else CSP).encode()

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                headers.append((b"x-content-type-options", b"nosniff"))
                if content_type.startswith(b"text/html"):
                    headers += [
                        (b"content-security-policy", policy),
                        (b"x-frame-options", b"DENY"),
                        (b"referrer-policy", b"no-referrer"),
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, secured)


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreError)
    if isinstance(exc, QueryError):  # a lookup's own query failed: our bug, not the store's state
        log.error("query failed on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal server error; the incident was logged")
    message = str(exc)
    if "in use by another process" in message or "lock" in message.lower():
        log.warning("store unavailable on %s %s: locked by another process", request.method, request.url.path)
        return error_response(
            503,
            "store_busy",
            "the store is being loaded (locked by another process); try again when the load has finished",
            headers={"Retry-After": "5"},
        )
    log.warning("store unavailable on %s %s: %s", request.method, request.url.path, message)
    return error_response(503, "store_unavailable", "the store is unavailable; try again later")


def install_security(app: FastAPI) -> None:
    """Add the middleware and the 503 for an unavailable store."""
    app.add_middleware(SecurityMiddleware)
    app.add_exception_handler(StoreError, _store_error)
