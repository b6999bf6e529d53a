"""The official SDK's surface, part 2: machine clients, API tokens, passwordless, WebAuthn,
events, resources, auth, the top-level methods and the exception names.

The reference is ``inspect.signature`` of the installed ``scalekit-sdk-python``: every
official method exists on both twins with the official parameter names in the official
order (ours may add optional parameters after them); the async twin's are coroutines.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

import scalekit_core
from scalekit_core import AsyncScalekitClient, ScalekitClient

scalekit = pytest.importorskip("scalekit", reason="the official SDK is the reference")

from scalekit.client import ScalekitClient as OfficialClient  # noqa: E402

TOP_LEVEL = (
    "authenticate_with_code",
    "generate_client_token",
    "get_authorization_url",
    "get_client_access_token",
    "get_idp_initiated_login_claims",
    "get_logout_url",
    "refresh_access_token",
    "validate_access_token",
    "validate_access_token_and_get_claims",
    "validate_token",
    "verify_interceptor_payload",
    "verify_scopes",
    "verify_webhook_payload",
)
#: Methods that do no I/O: plain methods on the async twin too.
PURE = {
    "get_authorization_url",
    "get_logout_url",
    "verify_interceptor_payload",
    "verify_webhook_payload",
}


def _parameters(function: Any) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


def _check(official: Any, ours: Any, name: str) -> None:
    wanted = _parameters(official)
    got = _parameters(ours)
    assert got[: len(wanted)] == wanted, f"{name}: official {wanted}, ours {got}"
    extra = list(inspect.signature(ours).parameters.values())[len(wanted) + 1 :]
    for parameter in extra:  # anything we add must not be required
        assert parameter.default is not inspect.Parameter.empty or parameter.kind in (
            inspect.Parameter.VAR_KEYWORD,
            inspect.Parameter.VAR_POSITIONAL,
        ), f"{name}: extra parameter {parameter.name} is required"


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_methods(name: str) -> None:
    official = getattr(OfficialClient, name)
    for twin in (ScalekitClient, AsyncScalekitClient):
        _check(official, getattr(twin, name), f"{twin.__name__}.{name}")
    is_coroutine = inspect.iscoroutinefunction(getattr(AsyncScalekitClient, name))
    assert is_coroutine is (name not in PURE)
    assert not inspect.iscoroutinefunction(getattr(ScalekitClient, name))


def test_constructor_takes_the_official_parameters() -> None:
    official = _parameters(OfficialClient.__init__)
    for twin in (ScalekitClient, AsyncScalekitClient):
        ours = _parameters(twin.__init__)
        assert ours[:3] == official[:3]
        assert set(official) <= set(ours), twin


def test_every_official_exception_is_part_of_our_tree() -> None:
    from scalekit.common import exceptions

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
        official = getattr(exceptions, name)
        # The official hierarchy holds among our classes too.
        for base in official.__mro__[1:]:
            if base.__module__ == exceptions.__name__:
                assert issubclass(ours, getattr(scalekit_core, base.__name__)), (name, base)


#: Our attribute -> (module, class) of the official sub-client it stands for.
SUB_CLIENTS = {
    "m2m_client": ("scalekit.m2m_client", "M2MClient"),
    "tokens": ("scalekit.token", "TokenClient"),
    "passwordless": ("scalekit.passwordless", "PasswordlessClient"),
    "webauthn": ("scalekit.webauthn", "WebAuthnClient"),
    "events": ("scalekit.events", "EventsClient"),
    "auth": ("scalekit.auth", "AuthClient"),
    "resources": ("scalekit.resource", "ResourceClient"),
}


def _official_methods(module: str, name: str) -> list[str]:
    official = getattr(importlib.import_module(module), name)
    return sorted(n for n, f in vars(official).items() if callable(f) and not n.startswith("_"))


SUB_METHODS = {attribute: _official_methods(*where) for attribute, where in SUB_CLIENTS.items()}


@pytest.mark.parametrize(
    ("attribute", "method"),
    [(attribute, method) for attribute, methods in SUB_METHODS.items() for method in methods],
)
def test_sub_client_methods(attribute: str, method: str) -> None:
    module, name = SUB_CLIENTS[attribute]
    official = getattr(getattr(importlib.import_module(module), name), method)
    sync = ScalekitClient("https://acme.scalekit.test", "skc_1", "secret")
    asynchronous = AsyncScalekitClient("https://acme.scalekit.test", "skc_1", "secret")
    ours = getattr(type(getattr(sync, attribute)), method)
    twin = getattr(type(getattr(asynchronous, attribute)), method)
    _check(official, ours, f"{attribute}.{method}")
    _check(official, twin, f"async {attribute}.{method}")
    assert not inspect.iscoroutinefunction(ours)
    assert inspect.iscoroutinefunction(twin)
    sync.close()


def test_surface_count() -> None:
    """The official methods this part covers: the top level and its sub-clients."""
    count = len(TOP_LEVEL) + sum(len(methods) for methods in SUB_METHODS.values())
    assert count == len(TOP_LEVEL) + 7 + 5 + 3 + 3 + 1 + 1 + 11
