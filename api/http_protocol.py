"""uvicorn's h11 protocol with a deadline for reading a request, which uvicorn does not have of its own.

A connection must deliver a whole request — headers and body — within ``REQUEST_TIMEOUT_S`` of its first
byte (or of being opened); otherwise it is closed. Idle kept-alive connections are closed by uvicorn's
``timeout_keep_alive``. So clients that open connections and never finish their headers ("slowloris")
hold a descriptor for at most that long, and ``limit_concurrency`` caps how many connections are served.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

REQUEST_TIMEOUT_S = 20.0
_RECEIVED = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)


class DeadlineH11Protocol(H11Protocol):
    """:class:`H11Protocol` that drops a connection whose request is not read within the deadline."""

    request_timeout_s = REQUEST_TIMEOUT_S
    _request_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._request_timer is None and self.conn.their_state is h11.IDLE:
            self._arm()  # a new request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state in _RECEIVED:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._request_timer = self.loop.call_later(self.request_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _expire(self) -> None:
        self._request_timer = None
        if self.conn.their_state not in _RECEIVED and not self.transport.is_closing():
            self.logger.info(
                "closing a connection that did not send its request within %gs", self.request_timeout_s
            )
            self.transport.close()
