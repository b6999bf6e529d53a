"""``client.tokens``: opaque API tokens (API keys) of an organization or one of its users.

An API token is a long-lived opaque string an app hands to its customer; each request
presents it and the app asks Scalekit who it belongs to (``validate_token``). The web
layer's API-key guard does that with a short cache (``scalekit_core.web.api_keys``).

>>> created = client.tokens.create_token("org_1", description="CI key")  # doctest: +SKIP
>>> client.tokens.validate_token(created.token).organization_id  # doctest: +SKIP
'org_1'
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import APIError, InvalidApiTokenError, ScalekitError, UnauthenticatedError
from ..flows import Flow
from .m2m import custom_claims_map
from .models import _object, _objects, _strings, _text, _total
from .organizations import page_query
from .pagination import iterate_pages, iterate_pages_async
from .values import SupportsToDatetime, _as_datetime
from .wire import api_request, format_rfc3339, json_object, parse_rfc3339, raise_for_api_error

if TYPE_CHECKING:
    from ..context import ClientContext
    from .runner import AsyncManagementRunner, SyncManagementRunner

__all__ = [
    "ApiToken",
    "ApiTokenClient",
    "ApiTokensPage",
    "AsyncApiTokenClient",
    "CreatedApiToken",
    "validate_api_token_flow",
]

#: The statuses Scalekit answers for a token it does not accept (unknown, revoked, expired).
_REFUSED = frozenset({400, 401, 403, 404})


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What Scalekit knows of an API token (the official ``token_info``); never the token."""

    token_id: str
    organization_id: str | None = None
    organization_external_id: str | None = None
    user_id: str | None = None
    user_external_id: str | None = None
    email: str | None = None
    roles: tuple[str, ...] = ()
    custom_claims: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    token_suffix: str | None = None
    expiry: datetime | None = None
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiToken:
        return cls(
            token_id=_text(data, "token_id") or "",
            organization_id=_text(data, "organization_id") or None,
            organization_external_id=_text(data, "organization_external_id") or None,
            user_id=_text(data, "user_id") or None,
            user_external_id=_text(data, "user_external_id") or None,
            email=_text(data, "email") or None,
            roles=_strings(data.get("roles")),
            custom_claims=custom_claims_map(data.get("custom_claims")),
            description=_text(data, "description") or None,
            token_suffix=_text(data, "token_suffix") or None,
            expiry=parse_rfc3339(data.get("expiry")),
            created_at=parse_rfc3339(data.get("created_at")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class CreatedApiToken:
    """A new API token: ``token`` is shown this once (give it to the customer)."""

    token: str = field(repr=False)
    token_id: str
    token_info: ApiToken

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedApiToken:
        token = _text(data, "token")
        if not token:
            raise ScalekitError("the management API answered without 'token'")
        info = ApiToken.from_json(_object(data.get("token_info")) or {})
        return cls(token, _text(data, "token_id") or info.token_id, info)


@dataclass(frozen=True, slots=True)
class ApiTokensPage:
    """One page of an organization's API tokens."""

    tokens: tuple[ApiToken, ...]
    next_page_token: str = ""
    prev_page_token: str = ""
    total_count: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiTokensPage:
        return cls(
            tuple(ApiToken.from_json(t) for t in _objects(data.get("tokens"))),
            _text(data, "next_page_token") or "",
            _text(data, "prev_page_token") or "",
            _total(data.get("total_count")),
        )


def _token_text(token: object) -> str:
    if not isinstance(token, str) or not token.strip():
        raise ScalekitError("token must be a non-empty string")
    return token


def _claims(custom_claims: Mapping[str, str] | None) -> dict[str, str] | None:
    if custom_claims is None:
        return None
    if not isinstance(custom_claims, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in custom_claims.items()
    ):
        raise ScalekitError("custom_claims must be a mapping of strings")
    return dict(custom_claims)


# --- flows ------------------------------------------------------------------------------------


def create_token_flow(
    ctx: ClientContext,
    organization_id: str,
    user_id: str | None = None,
    custom_claims: Mapping[str, str] | None = None,
    expiry: datetime | SupportsToDatetime | None = None,
    description: str | None = None,
) -> Flow[CreatedApiToken]:
    """``POST /tokens``; never retried (a retry could make two tokens)."""
    if not isinstance(organization_id, str) or not organization_id:
        raise ScalekitError("organization_id must be a non-empty string")
    body: dict[str, Any] = {"organization_id": organization_id}
    if user_id:
        body["user_id"] = user_id
    claims = _claims(custom_claims)
    if claims:
        body["custom_claims"] = claims
    when = _as_datetime(expiry, "expiry")
    if when is not None:
        body["expiry"] = format_rfc3339(when)
    if description:
        body["description"] = description
    response = yield api_request(ctx, "POST", "/tokens", body=body)
    return CreatedApiToken.from_json(json_object(response))


def validate_api_token_flow(ctx: ClientContext, token: str) -> Flow[ApiToken]:
    """``POST /tokens:validate`` (a read: safe to retry). A token Scalekit refuses is an
    ``InvalidApiTokenError`` (a ``TokenValidationError``)."""
    body = {"token": _token_text(token)}
    response = yield api_request(ctx, "POST", "/tokens:validate", body=body, idempotent=True)
    try:
        info = json_object(response, "token_info")
    except APIError as exc:
        # 401 is the management token's own failure (the runner retries it): not the key's.
        if exc.status_code in _REFUSED and exc.status_code != 401:
            raise InvalidApiTokenError(exc.status_code, exc.message) from None
        raise
    return ApiToken.from_json(info)


def invalidate_token_flow(ctx: ClientContext, token: str) -> Flow[None]:
    """``POST /tokens:invalidate`` (idempotent: safe to retry)."""
    body = {"token": _token_text(token)}
    response = yield api_request(ctx, "POST", "/tokens:invalidate", body=body, idempotent=True)
    raise_for_api_error(response)


def update_token_flow(
    ctx: ClientContext,
    token: str,
    custom_claims: Mapping[str, str] | None = None,
    description: str | None = None,
) -> Flow[ApiToken]:
    """``POST /tokens:update``. ``custom_claims`` are merged into the token's (a ``""`` value
    removes that claim), as the official SDK does: the current ones are read first."""
    body: dict[str, Any] = {"token": _token_text(token)}
    claims = _claims(custom_claims)
    if claims is not None:
        current = yield from validate_api_token_flow(ctx, token)
        merged = {**current.custom_claims, **claims}
        body["custom_claims"] = {k: v for k, v in merged.items() if v != ""}
    if description is not None:
        body["description"] = description
    response = yield api_request(ctx, "POST", "/tokens:update", body=body, idempotent=True)
    return ApiToken.from_json(json_object(response, "token_info"))


def list_tokens_flow(
    ctx: ClientContext,
    organization_id: str,
    user_id: str | None = None,
    page_size: int | None = 10,
    page_token: str | None = None,
) -> Flow[ApiTokensPage]:
    if not isinstance(organization_id, str) or not organization_id:
        raise ScalekitError("organization_id must be a non-empty string")
    query = [("organization_id", organization_id), *page_query(page_size, page_token)]
    if user_id:
        query.append(("user_id", user_id))
    response = yield api_request(ctx, "GET", "/tokens", query=query)
    return ApiTokensPage.from_json(json_object(response))


def _refused_after_retry(error: UnauthenticatedError) -> InvalidApiTokenError:
    """A 401 that outlived the runner's retry with a fresh management token is about the API
    token itself (Scalekit answers UNAUTHENTICATED for some refused tokens)."""
    return InvalidApiTokenError(error.status_code, error.message)


# --- sub-clients ------------------------------------------------------------------------------


class ApiTokenClient:
    """``client.tokens``: create, validate, update, list and invalidate API tokens."""

    def __init__(self, runner: SyncManagementRunner) -> None:
        self._run = runner.run

    def create_token(
        self,
        organization_id: str,
        user_id: str | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: datetime | SupportsToDatetime | None = None,
        description: str | None = None,
    ) -> CreatedApiToken:
        """A new token for the organization (or one of its users); shown this once."""
        return self._run(
            create_token_flow, organization_id, user_id, custom_claims, expiry, description
        )

    def validate_token(self, token: str) -> ApiToken:
        """Who the token (or its ``token_id``) belongs to, or ``InvalidApiTokenError``."""
        try:
            return self._run(validate_api_token_flow, token)
        except UnauthenticatedError as exc:
            raise _refused_after_retry(exc) from None

    def invalidate_token(self, token: str) -> None:
        """Revoke the token (or ``token_id``); repeating it is harmless."""
        return self._run(invalidate_token_flow, token)

    def update_token(
        self,
        token: str,
        custom_claims: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> ApiToken:
        """Merge ``custom_claims`` (``""`` removes one) and/or replace the description."""
        return self._run(update_token_flow, token, custom_claims, description)

    def list_tokens(
        self,
        organization_id: str,
        user_id: str | None = None,
        page_size: int = 10,
        page_token: str | None = None,
    ) -> ApiTokensPage:
        return self._run(list_tokens_flow, organization_id, user_id, page_size, page_token)

    def iter_tokens(
        self, organization_id: str, user_id: str | None = None, page_size: int = 10
    ) -> Iterator[ApiToken]:
        """Every token of the organization (or user), page after page."""
        return iterate_pages(
            lambda token: self.list_tokens(organization_id, user_id, page_size, token),
            lambda p: p.tokens,
        )


class AsyncApiTokenClient:
    """The async twin of :class:`ApiTokenClient`."""

    def __init__(self, runner: AsyncManagementRunner) -> None:
        self._run = runner.run

    async def create_token(
        self,
        organization_id: str,
        user_id: str | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: datetime | SupportsToDatetime | None = None,
        description: str | None = None,
    ) -> CreatedApiToken:
        """A new token for the organization (or one of its users); shown this once."""
        return await self._run(
            create_token_flow, organization_id, user_id, custom_claims, expiry, description
        )

    async def validate_token(self, token: str) -> ApiToken:
        """Who the token (or its ``token_id``) belongs to, or ``InvalidApiTokenError``."""
        try:
            return await self._run(validate_api_token_flow, token)
        except UnauthenticatedError as exc:
            raise _refused_after_retry(exc) from None

    async def invalidate_token(self, token: str) -> None:
        """Revoke the token (or ``token_id``); repeating it is harmless."""
        return await self._run(invalidate_token_flow, token)

    async def update_token(
        self,
        token: str,
        custom_claims: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> ApiToken:
        """Merge ``custom_claims`` (``""`` removes one) and/or replace the description."""
        return await self._run(update_token_flow, token, custom_claims, description)

    async def list_tokens(
        self,
        organization_id: str,
        user_id: str | None = None,
        page_size: int = 10,
        page_token: str | None = None,
    ) -> ApiTokensPage:
        return await self._run(list_tokens_flow, organization_id, user_id, page_size, page_token)

    def iter_tokens(
        self, organization_id: str, user_id: str | None = None, page_size: int = 10
    ) -> AsyncIterator[ApiToken]:
        """Every token of the organization (or user) (``async for``)."""
        return iterate_pages_async(
            lambda token: self.list_tokens(organization_id, user_id, page_size, token),
            lambda p: p.tokens,
        )
