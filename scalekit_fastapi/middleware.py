"""``ScalekitMiddleware``: a pure-ASGI middleware that loads the session once per request and
adds the cookies ``load()`` wrote to whatever response the request ends with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scalekit_core.web import Machine, User, private_headers

from .translate import apply_cookies, load_headers, web_request

if TYPE_CHECKING:
    from .auth import ScalekitAuth

__all__ = [
    "MACHINE_KEY",
    "REASON_KEY",
    "STATE_KEY",
    "ScalekitMiddleware",
    "get_machine",
    "get_user",
]

#: Where the middleware leaves the request's user in ``scope["state"]`` (``request.state``).
STATE_KEY = "scalekit_user"
#: Where it leaves the request's machine client (a client-credentials bearer token).
MACHINE_KEY = "scalekit_machine"
#: Where ``LoadResult.reason`` is kept when the request's session gave no user.
REASON_KEY = "scalekit_reason"


def get_user(connection: HTTPConnection) -> User | None:
    """The signed-in user of a request (``None`` when anonymous), for plain Starlette apps.

    >>> async def home(request):  # doctest: +SKIP
    ...     user = get_user(request)
    ...     return PlainTextResponse(user.email if user else "anonymous")
    """
    state: dict[str, Any] = connection.scope.get("state") or {}
    if STATE_KEY not in state:
        raise RuntimeError("ScalekitMiddleware is not installed on this app")
    user: User | None = state[STATE_KEY]
    return user


def get_machine(connection: HTTPConnection) -> Machine | None:
    """The machine client of a request (a client-credentials bearer token), or ``None``."""
    state: dict[str, Any] = connection.scope.get("state") or {}
    if STATE_KEY not in state:
        raise RuntimeError("ScalekitMiddleware is not installed on this app")
    machine: Machine | None = state.get(MACHINE_KEY)
    return machine


def _cookie_name(header_value: bytes) -> str:
    return header_value.split(b"=", 1)[0].strip().decode("latin-1")


def _answers_plain_500(app: object) -> bool:
    """Whether Starlette's ``ServerErrorMiddleware`` would answer a crash with its bare
    "Internal Server Error": not in debug mode (its traceback page helps the developer) and no
    500 handler of the app's own (its page is the app's choice)."""
    if getattr(app, "debug", False):
        return False
    handlers = getattr(app, "exception_handlers", None) or {}
    return 500 not in handlers and Exception not in handlers


class ScalekitMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``): streaming responses pass through untouched.

    Every HTTP response start message gets the ``Set-Cookie`` headers of the session load
    (a refresh, a renewed idle timeout, a cleared bad cookie), including error responses and
    responses the endpoint built itself. A cookie the response sets itself (the login
    callback's fresh session, logout's deletions) wins over the load's write of that name.

    An unhandled exception before the response started is answered here with Starlette's
    plain 500 plus those cookies, then re-raised for the server's log: Starlette's outermost
    error middleware would send its 500 without them, and the browser would keep a session
    whose refresh token was just rotated away. Debug mode and an app's own 500 handler keep
    Starlette's answer.

    >>> app.add_middleware(ScalekitMiddleware, auth=auth)  # doctest: +SKIP
    """

    def __init__(self, app: ASGIApp, auth: ScalekitAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        auth = self.auth
        if auth._routes_to_move is not None:
            auth._move_routes_last()
        result = await auth.manager.load(web_request(HTTPConnection(scope)))
        if result.response is not None:  # e.g. the session store is down: 503, no endpoint
            if scope["type"] == "http":
                response = await self.auth.render(Request(scope, receive), result.response)
                await response(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1013})
            return
        state = scope.setdefault("state", {})
        state[STATE_KEY] = result.user
        state[MACHINE_KEY] = result.machine
        if result.reason is not None:  # why the session gave no user (revoked, expired...)
            state[REASON_KEY] = result.reason
        if not result.cookies or scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # Kept before the call: a mounted Starlette app replaces ``scope["app"]`` on its way in.
        app = scope.get("app")
        started = False

        async def send_with_cookies(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                own = (_cookie_name(v) for n, v in headers if n.lower() == b"set-cookie")
                headers = load_headers(headers, result.cookies_to_add(own))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookies)
        except Exception:
            if started or not _answers_plain_500(app):
                raise
            response = PlainTextResponse(
                "Internal Server Error", status_code=500, headers=private_headers(result.cookies)
            )
            apply_cookies(response, result.cookies)
            await response(scope, receive, send)
            raise
