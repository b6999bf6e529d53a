"""Our client against the official ``scalekit-sdk-python`` (a dev dependency), method by method.

For every public method of the official client and of its sub-clients (AgentKit's aside):
the same name on the same attribute, the official parameters first, by name and in order
(ours may add optional ones after them), defaults where the official ones have defaults;
and the async client has the same method as a coroutine.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import scalekit_core
from scalekit_core import AsyncScalekitClient, ScalekitClient

from .official_sdk import official

# The official package is the reference (a dev dependency, not in the lowest-versions run).
pytestmark = pytest.mark.official_sdk

# official attribute -> (module, class) in the official package
OFFICIAL_SUB_CLIENTS: dict[str, tuple[str, str]] = {
    "organization": ("scalekit.organization", "OrganizationClient"),
    "users": ("scalekit.users", "UserClient"),
    "sessions": ("scalekit.sessions", "SessionsClient"),
    "connection": ("scalekit.connection", "ConnectionClient"),
    "domain": ("scalekit.domain", "DomainClient"),
    "directory": ("scalekit.directory", "DirectoryClient"),
    "roles": ("scalekit.role", "RoleClient"),
    "permissions": ("scalekit.permissions", "PermissionClient"),
    "m2m_client": ("scalekit.m2m_client", "M2MClient"),
    "resources": ("scalekit.resource", "ResourceClient"),
    "tokens": ("scalekit.token", "TokenClient"),
    "passwordless": ("scalekit.passwordless", "PasswordlessClient"),
    "webauthn": ("scalekit.webauthn", "WebAuthnClient"),
    "events": ("scalekit.events", "EventsClient"),
    "auth": ("scalekit.auth", "AuthClient"),
}
# Where every official method must match ("" is the client itself): all of them now.
COMPLETE = ("", *OFFICIAL_SUB_CLIENTS)
# Official methods matched, the client's own included, out of OFFICIAL_TOTAL: only goes up.
FLOOR = 129
OFFICIAL_TOTAL = 129


def _public_methods(cls: type) -> list[str]:
    return sorted(n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n)))


def _params(func: Callable[..., Any]) -> list[inspect.Parameter]:
    params = list(inspect.signature(func).parameters.values())
    return params[1:] if params and params[0].name == "self" else params


def mismatch(official_func: Callable[..., Any], ours: Callable[..., Any] | None) -> str | None:
    """Why ``ours`` does not stand in for ``official_func`` (``None``: it does)."""
    if ours is None:
        return "missing"
    theirs, mine = _params(official_func), _params(ours)
    positional = [p for p in mine if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if [p.name for p in positional[: len(theirs)]] != [p.name for p in theirs]:
        return f"parameters {[p.name for p in mine]} != official {[p.name for p in theirs]}"
    for official_param, param in zip(theirs, positional, strict=False):
        if official_param.default is not official_param.empty and param.default is param.empty:
            return f"{param.name} needs a default"
    extra = positional[len(theirs) :] + [p for p in mine if p not in positional]
    for param in extra:
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            return f"extra required parameter {param.name}"
        if param.kind is param.POSITIONAL_OR_KEYWORD and param.default is param.empty:
            return f"extra required parameter {param.name}"
    return None


def official_surface() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """``(attribute, method, official function)``; attribute ``""`` is the client itself."""
    client_class = official("scalekit.client").ScalekitClient
    for name in _public_methods(client_class):
        yield "", name, getattr(client_class, name)
    for attribute, (module, class_name) in OFFICIAL_SUB_CLIENTS.items():
        cls = getattr(official(module), class_name)
        for name in _public_methods(cls):
            yield attribute, name, getattr(cls, name)


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[ScalekitClient, AsyncScalekitClient]]:
    sync = ScalekitClient("https://acme.scalekit.test", "skc_1", "secret")
    asynchronous = AsyncScalekitClient("https://acme.scalekit.test", "skc_1", "secret")
    yield sync, asynchronous
    sync.close()


def _ours(owner: object, attribute: str, name: str) -> Callable[..., Any] | None:
    if attribute:
        if not hasattr(type(owner), attribute):
            return None
        owner = getattr(owner, attribute)
    func = getattr(type(owner), name, None)
    return func if callable(func) else None


def _check(
    clients: tuple[ScalekitClient, AsyncScalekitClient], attribute: str, name: str, func: Any
) -> str | None:
    sync, asynchronous = clients
    ours = _ours(sync, attribute, name)
    problem = mismatch(func, ours)
    if problem is not None:
        return f"sync: {problem}"
    if inspect.iscoroutinefunction(ours):
        return "sync: a coroutine"
    twin = _ours(asynchronous, attribute, name)
    problem = mismatch(func, twin)
    if problem is not None:
        return f"async: {problem}"
    io_free = name in ("create_session_filter", "get_authorization_url", "get_logout_url")
    io_free = io_free or name.startswith("verify_") or name == "generate_client_token"
    if not io_free and not inspect.iscoroutinefunction(twin):
        return "async: not a coroutine"
    return None


def test_complete_sub_clients_match_every_official_method(
    clients: tuple[ScalekitClient, AsyncScalekitClient],
) -> None:
    problems = [
        f"{attribute}.{name}: {problem}"
        for attribute, name, func in official_surface()
        if attribute in COMPLETE
        for problem in [_check(clients, attribute, name, func)]
        if problem is not None
    ]
    assert problems == []


def test_official_surface_floor(clients: tuple[ScalekitClient, AsyncScalekitClient]) -> None:
    surface = list(official_surface())
    assert len(surface) == OFFICIAL_TOTAL  # a new official release changes the reference
    matched = [(a, n) for a, n, f in surface if _check(clients, a, n, f) is None]
    assert len(matched) >= FLOOR, f"{len(matched)}/{OFFICIAL_TOTAL} official methods matched"


def test_mismatch_explains_itself() -> None:
    def official_method(self: Any, organization_id: str, page_size: int | None = None) -> None: ...

    def good(self: Any, organization_id: str, page_size: int | None = None, x: int = 1) -> None: ...

    def renamed(self: Any, org_id: str, page_size: int | None = None) -> None: ...

    def no_default(self: Any, organization_id: str, page_size: int | None) -> None: ...

    def extra(self: Any, organization_id: str, page_size: int | None = None, *, x: int) -> None: ...

    assert mismatch(official_method, good) is None
    assert mismatch(official_method, None) == "missing"
    assert "parameters" in (mismatch(official_method, renamed) or "")
    assert mismatch(official_method, no_default) == "page_size needs a default"
    assert mismatch(official_method, extra) == "extra required parameter x"


def test_constructor_takes_the_official_parameters() -> None:
    wanted = [p.name for p in _params(official("scalekit.client").ScalekitClient.__init__)]
    for twin in (ScalekitClient, AsyncScalekitClient):
        ours = [p.name for p in _params(twin.__init__)]
        assert ours[:3] == wanted[:3]
        assert set(wanted) <= set(ours), twin


def test_every_official_exception_is_part_of_our_tree() -> None:
    exceptions = official("scalekit.common.exceptions")
    official_names = {
        name
        for name, value in vars(exceptions).items()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == exceptions.__name__
    }
    assert official_names == set(scalekit_core.OFFICIAL_EXCEPTION_NAMES)
    for name in official_names:
        ours = getattr(scalekit_core, name)
        assert issubclass(ours, scalekit_core.ScalekitError), name
        # The official hierarchy holds among our classes too.
        for base in getattr(exceptions, name).__mro__[1:]:
            if base.__module__ == exceptions.__name__:
                assert issubclass(ours, getattr(scalekit_core, base.__name__)), (name, base)
