"""Pure-ASGI middleware: call counting, fault injection, persistence, and a last-resort
error guard (the emulator must answer junk with a 4xx/5xx body, never a dropped socket)."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import ClientDisconnect
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .emulator import Emulator

log = logging.getLogger("scalekit_emulator")
CONTROL_PREFIX = "/_emulator/"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        emu = self.emulator
        # Control calls are neither counted nor faulted: tests use them to set faults up.
        if not path.startswith(CONTROL_PREFIX):
            emu.record_call(path)
            fault = emu.take_fault(path)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None or fault.body is not None:
                    await self._fault_response(fault.status, fault.body)(scope, receive, send)
                    return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            return  # the client gave up (e.g. its timeout during an injected delay): no one to answer
        except Exception:
            log.exception("unhandled error on %s", path)
            if started:
                raise
            await PlainTextResponse("internal emulator error", 500)(scope, receive, send)
            return
        if emu.data_path is not None and scope["method"] in MUTATING:
            emu.save_soon()

    @staticmethod
    def _fault_response(status: int | None, body: str | None) -> Response:
        if body is None:
            return PlainTextResponse(f"injected fault {status}", status_code=status or 500)
        media = "text/html" if body.lstrip().startswith("<") else "application/json"
        return Response(body, status_code=status or 200, media_type=media)
