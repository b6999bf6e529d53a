"""``client.webauthn``: a user's passkeys (WebAuthn credentials): list, rename, delete.

>>> for passkey in client.webauthn.list_credentials("usr_1").credentials:  # doctest: +SKIP
...     print(passkey.display_name, passkey.created_at)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import _object, _objects, _strings, _text
from .wire import api_request, json_object, parse_rfc3339, path_segment

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = [
    "AsyncWebAuthnClient",
    "DeletedCredential",
    "WebAuthnClient",
    "WebAuthnCredential",
    "WebAuthnCredentials",
]


@dataclass(frozen=True, slots=True)
class WebAuthnCredential:
    """A passkey. ``authenticator``, ``authenticator_flags``, ``user_agent`` and
    ``client_info`` are Scalekit's objects as sent (names as in its API)."""

    id: str
    user_id: str | None = None
    credential_id: str | None = None
    display_name: str | None = None
    attestation_type: str | None = None
    transports: tuple[str, ...] = ()
    authenticator: dict[str, Any] = field(default_factory=dict)
    authenticator_flags: dict[str, Any] = field(default_factory=dict)
    user_agent: dict[str, Any] = field(default_factory=dict)
    client_info: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WebAuthnCredential:
        ident = _text(data, "id")
        if not ident:
            raise ScalekitError("the WebAuthn API answered with a credential without 'id'")
        return cls(
            id=ident,
            user_id=_text(data, "user_id") or None,
            credential_id=_text(data, "credential_id") or None,
            display_name=_text(data, "display_name") or None,
            attestation_type=_text(data, "attestation_type") or None,
            transports=_strings(data.get("transports")),
            authenticator=_object(data.get("authenticator")) or {},
            authenticator_flags=_object(data.get("authenticator_flags")) or {},
            user_agent=_object(data.get("user_agent")) or {},
            client_info=_object(data.get("client_info")) or {},
            created_at=parse_rfc3339(data.get("created_at")),
            updated_at=parse_rfc3339(data.get("updated_at")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class WebAuthnCredentials:
    """A user's passkeys, and the options a browser's Signal API takes to stay in sync."""

    credentials: tuple[WebAuthnCredential, ...]
    all_accepted_credentials_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WebAuthnCredentials:
        return cls(
            tuple(WebAuthnCredential.from_json(c) for c in _objects(data.get("credentials"))),
            _object(data.get("all_accepted_credentials_options")) or {},
        )


@dataclass(frozen=True, slots=True)
class DeletedCredential:
    """The outcome of ``delete_credential``, with the options for the Signal API's
    ``signalUnknownCredential`` so the browser forgets the passkey too."""

    success: bool
    unknown_credential_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeletedCredential:
        return cls(
            data.get("success") is True, _object(data.get("unknown_credential_options")) or {}
        )


def list_credentials_flow(ctx: ClientContext, user_id: str) -> Flow[WebAuthnCredentials]:
    path_segment(user_id, "user_id")  # the same check as an id in a path
    request = api_request(ctx, "GET", "/webauthn/credentials", query=[("user_id", user_id)])
    response = yield request
    return WebAuthnCredentials.from_json(json_object(response))


def _credential_path(credential_id: str) -> str:
    return "/webauthn/credentials/" + path_segment(credential_id, "credential_id")


def update_credential_flow(
    ctx: ClientContext, credential_id: str, display_name: str
) -> Flow[WebAuthnCredential]:
    if not isinstance(display_name, str) or not display_name.strip():
        raise ScalekitError("display_name must be a non-empty string")
    body = {"display_name": display_name}
    response = yield api_request(ctx, "PATCH", _credential_path(credential_id), body=body)
    return WebAuthnCredential.from_json(json_object(response, "credential"))


def delete_credential_flow(ctx: ClientContext, credential_id: str) -> Flow[DeletedCredential]:
    response = yield api_request(ctx, "DELETE", _credential_path(credential_id))
    return DeletedCredential.from_json(json_object(response))


class WebAuthnClient:
    """``client.webauthn``: list, rename and delete a user's passkeys."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def list_credentials(self, user_id: str) -> WebAuthnCredentials:
        return self._run(list_credentials_flow, user_id)

    def update_credential(self, credential_id: str, display_name: str) -> WebAuthnCredential:
        """Rename a passkey (the name the user sees in their list)."""
        return self._run(update_credential_flow, credential_id, display_name)

    def delete_credential(self, credential_id: str) -> DeletedCredential:
        return self._run(delete_credential_flow, credential_id)


class AsyncWebAuthnClient:
    """The async twin of :class:`WebAuthnClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def list_credentials(self, user_id: str) -> WebAuthnCredentials:
        return await self._run(list_credentials_flow, user_id)

    async def update_credential(self, credential_id: str, display_name: str) -> WebAuthnCredential:
        """Rename a passkey (the name the user sees in their list)."""
        return await self._run(update_credential_flow, credential_id, display_name)

    async def delete_credential(self, credential_id: str) -> DeletedCredential:
        return await self._run(delete_credential_flow, credential_id)
