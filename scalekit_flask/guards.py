"""``current_user`` and the view decorators: the core decides, Flask renders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, TypeVar, cast

from werkzeug.local import LocalProxy

from scalekit_core.web import Machine, User, WebResponse

from .conversion import request_globals, web_request
from .extension import current_state, render

if TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

__all__ = [
    "api_login_required",
    "current_user",
    "get_current_machine",
    "get_current_user",
    "login_required",
    "machine_required",
    "require_machine",
    "require_organization",
    "require_permission",
    "require_recent_login",
    "require_role",
    "require_scope",
]

View = TypeVar("View", bound=Callable[..., "ResponseReturnValue"])


def get_current_user() -> User | None:
    """The signed-in user of this request (session or bearer token), or ``None``."""
    user = request_globals().get("scalekit_user")
    return user if isinstance(user, User) else None


def get_current_machine() -> Machine | None:
    """The machine client of this request (a client-credentials bearer token), or ``None``."""
    machine = request_globals().get("scalekit_machine")
    return machine if isinstance(machine, Machine) else None


#: The signed-in ``User`` of this request; falsy when anonymous (test ``if current_user:``,
#: or use ``get_current_user() is None``: a proxy is never ``None`` itself).
current_user: User = cast(User, LocalProxy(get_current_user))


def _guard(
    *,
    scopes: Iterable[str] = (),
    permissions: Iterable[str] = (),
    roles: Iterable[str] = (),
    organization_id: str | None = None,
    api: bool = False,
    max_age: int | None = None,
) -> Callable[[View], View]:
    scopes, permissions, roles = tuple(scopes), tuple(permissions), tuple(roles)

    def check() -> WebResponse | None:
        ctx_g = request_globals()
        user = ctx_g.get("scalekit_user")
        user = user if isinstance(user, User) else None
        return current_state().manager.guard(
            web_request(),
            user,
            scopes=scopes,
            permissions=permissions,
            roles=roles,
            organization_id=organization_id,
            api=api,
            max_age=max_age,
            # Why this request's session gave no user (revoked, expired...), if it did.
            reason=None
            if user is not None
            else getattr(ctx_g.get("_scalekit_load"), "reason", None),
        )

    return _guarded(check)


def _guarded(check: Callable[[], WebResponse | None]) -> Callable[[View], View]:
    """A decorator that renders the core's answer of ``check`` (``None``: call the view)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: object, **kwargs: object) -> ResponseReturnValue:
            response = check()
            return render(response) if response is not None else view(*args, **kwargs)

        return cast(View, guarded)

    return decorate


def login_required(view: View) -> View:
    """Only signed-in users (session or bearer): others get 302 to login or 401 JSON.

    >>> @app.get("/dashboard")  # doctest: +SKIP
    ... @login_required
    ... def dashboard(): return f"Hello {current_user.email}"
    """
    return _guard()(view)


def api_login_required(view: View) -> View:
    """Like ``login_required`` for JSON endpoints: anonymous callers always get 401 JSON,
    even a browser navigating to the URL (no redirect to the login page).

    >>> @app.get("/api/me")  # doctest: +SKIP
    ... @api_login_required
    ... def me(): return current_user.to_dict()
    """
    return _guard(api=True)(view)


def require_recent_login(max_age: int = 300, *, api: bool = False) -> Callable[[View], View]:
    """Signed in, and authenticated at most ``max_age`` seconds ago (a sensitive page): a
    browser goes through a forced sign-in (``prompt=login``) and comes back to the page; an
    API call (or ``api=True``) gets 401 ``insufficient_user_authentication`` with
    ``max_age`` in ``WWW-Authenticate``.

    >>> @app.post("/account/delete")  # doctest: +SKIP
    ... @require_recent_login(max_age=300)
    ... def delete_account(): ...
    """
    return _guard(api=api, max_age=max_age)


def require_permission(*permissions: str) -> Callable[[View], View]:
    """Signed in with every permission named, else 403 (``@require_permission("users:read")``)."""
    return _guard(permissions=permissions)


def require_role(*roles: str) -> Callable[[View], View]:
    """Signed in with every role named, else 403 (``@require_role("admin")``)."""
    return _guard(roles=roles)


def require_scope(*scopes: str) -> Callable[[View], View]:
    """Signed in with every scope named (bearer APIs), else 403 (``@require_scope("read")``)."""
    return _guard(scopes=scopes)


def require_organization(organization_id: str) -> Callable[[View], View]:
    """Signed in to ``organization_id``, else 403 (``@require_organization("org_123")``)."""
    return _guard(organization_id=organization_id)


def require_machine(*scopes: str, organization_id: str | None = None) -> Callable[[View], View]:
    """Machine clients only (client-credentials bearer tokens, never users), with every scope
    named and, when given, of ``organization_id``: else 401 / 403 JSON. The view reads the
    client with ``get_current_machine()`` (``client_id``, ``organization_id``, ``scopes``).

    >>> @app.post("/api/ingest")  # doctest: +SKIP
    ... @require_machine("events:write")
    ... def ingest(): return {"client": get_current_machine().client_id}
    """
    return _guarded(
        lambda: current_state().manager.guard_machine(
            web_request(), get_current_machine(), scopes=scopes, organization_id=organization_id
        )
    )


def machine_required(view: View) -> View:
    """Any machine client (see :func:`require_machine`); users get 401."""
    return require_machine()(view)
