"""The official SDK's surface, part 2: machine clients, API tokens, passwordless, WebAuthn,
events, resources, auth, the top-level methods and the exception names.

The reference is ``inspect.signature`` of the installed ``scalekit-sdk-python``: every
official method exists on both twins with the official parameter names in the official
order (ours may add optional parameters after them); the async twin's are coroutines.
"""

from __future__ import annotations

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
