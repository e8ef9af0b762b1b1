"""HTTP done once for every read route: HEAD, 405 with a complete Allow, 406, Vary, ETag and 304.

One ASGI middleware (:class:`HttpSemantics`, registered by :func:`api.app.create_app`) instead of
if-chains in each route:

* ``HEAD`` runs the route's ``GET`` and sends its headers without the body;
* a path that exists but not for the method gets 405 with ``Allow`` listing every method of every route
  on that path (plain ``OPTIONS`` gets 204 with the same ``Allow``);
* what a route can answer with comes from :data:`api.negotiation.ROUTE_MEDIA`, else from its declaration
  (response class and the 200 response's content types); an ``Accept`` header that accepts none of them
  (``image/png``, ``text/turtle;q=0``) gets 406 listing them, and every negotiated answer, 303 included,
  carries ``Vary: Accept``;
* ``GET``/``HEAD`` answers carry a strong ``ETag`` (a hash of the body; weak, from the store generation,
  for a streamed body), ``Last-Modified`` (when this server first saw the store generation) and
  ``Cache-Control: public, max-age=0, must-revalidate`` so that a reverse proxy may keep them and must
  ask again; ``If-None-Match`` / ``If-Modified-Since`` get 304. The ETag of each (generation, URL,
  Accept) is remembered, so a matching conditional request is answered 304 without running the route.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import negotiation as neg
from api.deps import get_store

CACHE_CONTROL = "public, max-age=0, must-revalidate"
MEMO_SIZE = 4096


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, with included routers opened (FastAPI includes them lazily, without a prefix here)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        prefix = getattr(getattr(route, "include_context", None), "prefix", "")
        if inner is not None and not prefix:
            yield from flat_routes(inner.routes)
        else:
            yield route


def route_media(route: APIRoute) -> tuple[str, ...] | None:
    """Media types the route answers with; None when it does not say (assets, docs: not negotiated)."""
    if route.path in neg.ROUTE_MEDIA:
        return neg.ROUTE_MEDIA[route.path]
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    declared = getattr(response_class, "media_type", None)
    default = declared == "application/json" and not route.include_in_schema
    if default or declared is None:
        return None
    content = (route.responses or {}).get(200, {}).get("content", {})
    return tuple(dict.fromkeys([declared, *content]))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _with_vary(headers: list[tuple[bytes, bytes]], field: str) -> list[tuple[bytes, bytes]]:
    current = [v.decode("latin-1") for k, v in headers if k == b"vary"]
    names = [n.strip() for v in current for n in v.split(",") if n.strip()]
    if field.lower() not in {n.lower() for n in names}:
        names.append(field)
    return [(k, v) for k, v in headers if k != b"vary"] + [(b"vary", ", ".join(names).encode("latin-1"))]


def _set(headers: list[tuple[bytes, bytes]], name: str, value: str) -> list[tuple[bytes, bytes]]:
    key = name.lower().encode("latin-1")
    return [(k, v) for k, v in headers if k != key] + [(key, value.encode("latin-1"))]


def _matches_etag(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


class HttpSemantics:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router
        self._memo: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._seen: dict[str, float] = {}
        self._routes: list[BaseRoute] | None = None

    def _match(self, scope: Scope) -> tuple[Any, set[str]]:
        """The route serving ``scope`` (HEAD as GET) and the methods of every route on its path."""
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        probe = {**scope, "method": method}
        full, allowed = None, set()
        if self._routes is None:  # the routers are all included before the first request
            self._routes = list(flat_routes(self.router.routes))
        for route in self._routes:
            match, _ = route.matches(probe)
            if match == Match.FULL and full is None:
                full = route
            if match != Match.NONE:
                allowed |= set(getattr(route, "methods", None) or {"GET"})
        if "GET" in allowed:
            allowed.add("HEAD")
        return full, (allowed | {"OPTIONS"}) if allowed else set()

    def _generation(self, scope: Scope) -> str | None:
        app = scope["app"]
        runtime = getattr(app.state, "runtime", None)
        override = app.dependency_overrides.get(get_store)  # the store the routes really use (tests)
        try:
            store = override() if override is not None else runtime.store() if runtime else None
            generation = runtime.generation(store) if store is not None else None
        except Exception:  # the store cannot be reached: answer without validators, never fail here
            return None
        if generation is not None and generation not in self._seen:
            self._seen[generation] = time.time()
        return generation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route, allowed = self._match(scope)
        is_preflight = _header(scope, b"access-control-request-method") is not None
        if route is None and allowed and not is_preflight:
            allow = ", ".join(sorted(allowed))
            if scope["method"] == "OPTIONS":
                await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
                return
            body = {"status": 405, "code": "method_not_allowed", "message": f"use {allow}", "parameter": None}
            response = JSONResponse({"error": body}, status_code=405, headers={"Allow": allow})
            await response(scope, receive, send)
            return
        media = route_media(route) if isinstance(route, APIRoute) else None
        if scope["method"] == "HEAD" and media is None:  # assets, docs: the GET's headers, no body

            async def headers_only(message: Message) -> None:
                await send({**message, "body": b""} if message["type"] == "http.response.body" else message)

            await self.app({**scope, "method": "GET"}, receive, headers_only)
            return
        if scope["method"] not in ("GET", "HEAD") or media is None:
            await self.app(scope, receive, send)
            return
        accept = _header(scope, b"accept")
        if accept is not None and not neg.acceptable(accept, media):
            await self._refuse_unless_error(scope, receive, send, media)
            return
        await self._conditional(scope, receive, send, accept)

    async def _refuse_unless_error(self, scope: Scope, receive: Receive, send: Send, media: Any) -> None:
        """406 for an Accept the route cannot satisfy; an error the route answers first (400, 404…) wins,
        as it says more about the request than the missing representation does."""
        refused = False
        if scope["method"] == "HEAD":
            outer = send

            async def send(message: Message) -> None:
                await outer({**message, "body": b""} if message["type"] == "http.response.body" else message)

        async def checked(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] < 400:
                refused = True
                error = neg.not_acceptable(media)
                body = {"status": 406, "code": error.code, "message": error.message, "parameter": None}
                headers = {"Vary": "Accept", "Cache-Control": CACHE_CONTROL}
                await JSONResponse({"error": body}, status_code=406, headers=headers)(scope, receive, send)
            elif message["type"] == "http.response.start":
                await send({**message, "headers": _with_vary(list(message.get("headers", [])), "Accept")})
            elif not refused:
                await send(message)

        await self.app({**scope, "method": "GET"}, receive, checked)

    async def _conditional(self, scope: Scope, receive: Receive, send: Send, accept: str | None) -> None:
        head = scope["method"] == "HEAD"
        generation = self._generation(scope)
        key = (
            generation or "",
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            accept or "",
        )
        modified = formatdate(self._seen[generation], usegmt=True) if generation else None
        if_none_match = _header(scope, b"if-none-match")
        unchanged_since = if_none_match is None and self._not_modified_since(scope, generation)
        remembered = self._memo.get(key) if generation else None
        if remembered is not None and (_matches_etag(if_none_match, remembered) or unchanged_since):
            await self._send_304(send, remembered, modified)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                headers = _with_vary(list(message.get("headers", [])), "Accept")
                streamed = not any(k == b"content-length" for k, _ in headers)
                if message["status"] != 200 or streamed or generation is None:
                    if message["status"] in (200, 303) and generation is not None:
                        headers = _set(headers, "cache-control", CACHE_CONTROL)
                        headers = _set(headers, "last-modified", modified or "")
                        if message["status"] == 200:
                            digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
                            headers = _set(headers, "etag", f'W/"{digest}"')
                    start["headers"], start["passthrough"] = headers, True
                    await send({**message, "headers": headers})
                    return
                start["headers"] = headers
                return
            if message["type"] != "http.response.body":  # e.g. the test client's template info
                await send(message)
                return
            if start.get("passthrough"):
                await send({**message, "body": b"" if head else message.get("body", b"")})
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish(
                    send, start, b"".join(chunks), key, if_none_match, head, modified, unchanged_since
                )

        if generation is not None:  # read once per request: the routes' snapshot is of this generation
            scope.setdefault("state", {})["store_generation"] = generation
        scope = {**scope, "method": "GET"} if head else scope
        await self.app(scope, receive, capture)

    def _not_modified_since(self, scope: Scope, generation: str | None) -> bool:
        since = _header(scope, b"if-modified-since")
        if since is None or generation is None:
            return False
        try:
            return parsedate_to_datetime(since).timestamp() >= int(self._seen[generation])
        except (TypeError, ValueError, OverflowError):
            return False

    async def _finish(
        self,
        send: Send,
        start: dict[str, Any],
        body: bytes,
        key: tuple[str, ...],
        if_none_match: str | None,
        head: bool,
        modified: str | None,
        unchanged_since: bool = False,
    ) -> None:
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        self._memo[key] = etag
        self._memo.move_to_end(key)
        while len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        if _matches_etag(if_none_match, etag) or unchanged_since:
            await self._send_304(send, etag, modified, start["headers"])
            return
        headers = _set(_set(start["headers"], "etag", etag), "cache-control", CACHE_CONTROL)
        headers = _set(headers, "last-modified", modified or "")
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})

    @staticmethod
    async def _send_304(
        send: Send, etag: str, modified: str | None, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        kept = [(k, v) for k, v in headers or [] if k in (b"vary", b"access-control-allow-origin")]
        out = [
            *_with_vary(kept, "Accept"),
            (b"etag", etag.encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
        ]
        if modified:
            out.append((b"last-modified", modified.encode()))
        await send({"type": "http.response.start", "status": 304, "headers": out})
        await send({"type": "http.response.body", "body": b""})
