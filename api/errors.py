"""One JSON error shape for every failure the API reports.

``{"error": {"status": 404, "code": "not_found", "message": "…", "parameter": "…"}}`` — ``parameter``
only when one request parameter is to blame. FastAPI's 422 validation errors, Starlette's 404/405 and
our own :class:`ApiError` all go through :func:`install_error_handlers`; anything unexpected is logged and
answered with a generic 500 that never echoes internals.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("hmic_kg.api")


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    parameter: str | None = None


class ErrorResponse(BaseModel):
    """The JSON body of every error response."""

    error: ErrorBody

    model_config = {
        "json_schema_extra": {
            "examples": [{"error": {"status": 404, "code": "not_found", "message": "no force 'atlantis'"}}]
        }
    }


class ApiError(Exception):
    """An error to report to the client as is: the message must be safe to show."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        parameter: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        """The error in the API's one JSON shape."""
        body: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.parameter:
            body["parameter"] = self.parameter
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


def did_you_mean(ident: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known ids closest to ``ident`` (difflib), best first."""
    choices = list(known)
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(ident.lower(), list(by_lower), n=limit, cutoff=0.6)
    starts = [c for c in choices if ident and c.lower().startswith(ident.lower()[:4])] if not close else []
    return [by_lower[c] for c in close] or starts[:limit]


def not_found(what: str, ident: str, parameter: str = "id", known: Iterable[str] = ()) -> ApiError:
    """The 404 for an unknown id; with ``known`` ids, it suggests the closest ones."""
    close = did_you_mean(ident, known)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return ApiError(404, "not_found", f"no {what} {ident!r}{hint}", parameter=parameter)


def error_response(status: int, code: str, message: str, **options: Any) -> JSONResponse:
    """An error response without raising (``options``: ``parameter``, ``headers``, as :class:`ApiError`)."""
    return ApiError(status, code, message, **options).response()


#: error responses documented on every route (OpenAPI)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown id"},
    422: {"model": ErrorResponse, "description": "Invalid parameter"},
}


def _code_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def _validation_parameter(exc: RequestValidationError) -> tuple[str | None, str]:
    errors = exc.errors()
    if not errors:
        return None, "invalid request"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body", "header")]
    parameter = loc[0] if loc else None
    message = str(first.get("msg", "invalid value"))
    return parameter, f"{parameter}: {message}" if parameter else message


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and message == "Not Found":
        message = "no such resource"
    return error_response(exc.status_code, _code_for(exc.status_code), message, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parameter, message = _validation_parameter(exc)
    return error_response(422, "invalid_parameter", message, parameter=parameter)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal server error; the incident was logged")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the one JSON shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
