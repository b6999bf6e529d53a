"""``client.passwordless``: sign-in by email one-time code (OTP) and/or magic link.

>>> sent = client.passwordless.send_passwordless_email(  # doctest: +SKIP
...     "bob@acme.test", magiclink_auth_uri="https://app.example/auth/passwordless")
>>> client.passwordless.verify_passwordless_email(  # doctest: +SKIP
...     code="123456", auth_request_id=sent.auth_request_id).email
'bob@acme.test'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import ScalekitError
from ..flows import Flow
from .models import _text
from .wire import api_request, json_object

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = [
    "PASSWORDLESS_TYPES",
    "TEMPLATE_TYPES",
    "AsyncPasswordlessClient",
    "PasswordlessClient",
    "PasswordlessEmail",
    "PasswordlessVerification",
]

#: The official ``TemplateType`` enum, by number.
TEMPLATE_TYPES = ("UNSPECIFIED", "SIGNIN", "SIGNUP")
#: The official ``PasswordlessType`` enum, by number.
PASSWORDLESS_TYPES = ("PASSWORDLESS_TYPE_UNSPECIFIED", "OTP", "LINK", "LINK_OTP")


def _enum(value: object, names: tuple[str, ...]) -> str | None:
    """The enum's name from its name (any case) or number (the official protobuf enums)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.upper() in names:
        return value.upper()
    return None


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():  # proto3 JSON int64
        return int(value)
    return None


@dataclass(frozen=True, slots=True)
class PasswordlessEmail:
    """A sent (or resent) passwordless email: keep ``auth_request_id`` to verify or resend."""

    auth_request_id: str
    expires_in: int | None = None
    expires_at: datetime | None = None
    #: ``OTP``, ``LINK`` or ``LINK_OTP`` (code and link).
    passwordless_type: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PasswordlessEmail:
        request_id = _text(data, "auth_request_id")
        if not request_id:
            raise ScalekitError("the passwordless API answered without 'auth_request_id'")
        at = _count(data.get("expires_at"))
        return cls(
            auth_request_id=request_id,
            expires_in=_count(data.get("expires_in")),
            expires_at=datetime.fromtimestamp(at, timezone.utc) if at else None,
            passwordless_type=_enum(data.get("passwordless_type"), PASSWORDLESS_TYPES),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class PasswordlessVerification:
    """A verified code or link: the email address is proven to be the user's."""

    email: str
    state: str | None = None
    template: str | None = None
    passwordless_type: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PasswordlessVerification:
        email = _text(data, "email")
        if not email:
            raise ScalekitError("the passwordless API answered without 'email'")
        return cls(
            email=email,
            state=_text(data, "state") or None,
            template=_enum(data.get("template"), TEMPLATE_TYPES),
            passwordless_type=_enum(data.get("passwordless_type"), PASSWORDLESS_TYPES),
            raw=dict(data),
        )


def send_passwordless_email_flow(
    ctx: ClientContext,
    email: str,
    template: str | int | None = None,
    magiclink_auth_uri: str | None = None,
    state: str | None = None,
    expires_in: int | None = None,
    template_variables: Mapping[str, str] | None = None,
) -> Flow[PasswordlessEmail]:
    """``POST /passwordless/email/send``; never retried (a retry would send two emails)."""
    if not isinstance(email, str) or "@" not in email:
        raise ScalekitError("email must be an email address")
    body: dict[str, Any] = {"email": email}
    if template is not None:
        name = _enum(template, TEMPLATE_TYPES)
        if name is None:
            raise ScalekitError(f"template must be one of {', '.join(TEMPLATE_TYPES)}")
        body["template"] = name
    if magiclink_auth_uri is not None:
        body["magiclink_auth_uri"] = magiclink_auth_uri
    if state is not None:
        body["state"] = state
    if expires_in is not None:
        if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
            raise ScalekitError("expires_in must be a positive number of seconds")
        body["expires_in"] = expires_in
    if template_variables is not None:
        if not all(
            isinstance(k, str) and isinstance(v, str) for k, v in template_variables.items()
        ):
            raise ScalekitError("template_variables must be a mapping of strings")
        body["template_variables"] = dict(template_variables)
    response = yield api_request(ctx, "POST", "/passwordless/email/send", body=body)
    return PasswordlessEmail.from_json(json_object(response))


def verify_passwordless_email_flow(
    ctx: ClientContext,
    code: str | None = None,
    link_token: str | None = None,
    auth_request_id: str | None = None,
) -> Flow[PasswordlessVerification]:
    """``POST /passwordless/email/verify`` with the code (and ``auth_request_id``) or the
    magic link's ``link_token``; never retried (a code is used once)."""
    if not code and not link_token:
        raise ScalekitError("verify_passwordless_email needs a code or a link_token")
    if code and not auth_request_id:
        raise ScalekitError("a code is verified with its auth_request_id")
    body = {
        name: value
        for name, value in (
            ("code", code),
            ("link_token", link_token),
            ("auth_request_id", auth_request_id),
        )
        if value
    }
    response = yield api_request(ctx, "POST", "/passwordless/email/verify", body=body)
    return PasswordlessVerification.from_json(json_object(response))


def resend_passwordless_email_flow(
    ctx: ClientContext, auth_request_id: str
) -> Flow[PasswordlessEmail]:
    """``POST /passwordless/email/resend``: a new code/link; never retried."""
    if not isinstance(auth_request_id, str) or not auth_request_id:
        raise ScalekitError("auth_request_id must be a non-empty string")
    body = {"auth_request_id": auth_request_id}
    response = yield api_request(ctx, "POST", "/passwordless/email/resend", body=body)
    return PasswordlessEmail.from_json(json_object(response))


class PasswordlessClient:
    """``client.passwordless``: send, verify and resend passwordless emails."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def send_passwordless_email(
        self,
        email: str,
        template: str | int | None = None,
        magiclink_auth_uri: str | None = None,
        state: str | None = None,
        expires_in: int | None = None,
        template_variables: Mapping[str, str] | None = None,
    ) -> PasswordlessEmail:
        """Email a one-time code (and a magic link to ``magiclink_auth_uri`` when given)."""
        return self._run(
            send_passwordless_email_flow,
            email,
            template,
            magiclink_auth_uri,
            state,
            expires_in,
            template_variables,
        )

    def verify_passwordless_email(
        self,
        code: str | None = None,
        link_token: str | None = None,
        auth_request_id: str | None = None,
    ) -> PasswordlessVerification:
        """Check the code the user typed (with ``auth_request_id``) or the link's token."""
        return self._run(verify_passwordless_email_flow, code, link_token, auth_request_id)

    def resend_passwordless_email(self, auth_request_id: str) -> PasswordlessEmail:
        return self._run(resend_passwordless_email_flow, auth_request_id)


class AsyncPasswordlessClient:
    """The async twin of :class:`PasswordlessClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def send_passwordless_email(
        self,
        email: str,
        template: str | int | None = None,
        magiclink_auth_uri: str | None = None,
        state: str | None = None,
        expires_in: int | None = None,
        template_variables: Mapping[str, str] | None = None,
    ) -> PasswordlessEmail:
        """Email a one-time code (and a magic link to ``magiclink_auth_uri`` when given)."""
        return await self._run(
            send_passwordless_email_flow,
            email,
            template,
            magiclink_auth_uri,
            state,
            expires_in,
            template_variables,
        )

    async def verify_passwordless_email(
        self,
        code: str | None = None,
        link_token: str | None = None,
        auth_request_id: str | None = None,
    ) -> PasswordlessVerification:
        """Check the code the user typed (with ``auth_request_id``) or the link's token."""
        return await self._run(verify_passwordless_email_flow, code, link_token, auth_request_id)

    async def resend_passwordless_email(self, auth_request_id: str) -> PasswordlessEmail:
        return await self._run(resend_passwordless_email_flow, auth_request_id)
