"""What callers hand to the management API: request values, the session filter, ``Timestamp``.

``CreateOrganization`` and ``Timestamp`` stand in for the official SDK's protobuf classes, so
its documented snippets run with only the import lines changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from datetime import tzinfo as TzInfo
from typing import Any, Protocol

from ..errors import ScalekitError
from .messages import Message
from .wire import format_rfc3339

__all__ = [
    "SESSION_STATUSES",
    "CreateOrganization",
    "CreateUser",
    "SessionFilter",
    "Timestamp",
    "UpdateOrganization",
    "UpdateUser",
    "create_session_filter",
]

SESSION_STATUSES = ("active", "expired", "revoked", "logout")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class SupportsToDatetime(Protocol):
    """Anything with protobuf's ``Timestamp.ToDatetime()``."""

    def ToDatetime(self) -> datetime: ...


class Timestamp:
    """A tiny stand-in for ``google.protobuf.timestamp_pb2.Timestamp``.

    >>> ts = Timestamp()
    >>> ts.FromDatetime(datetime(2025, 1, 1))
    >>> ts.ToDatetime()
    datetime.datetime(2025, 1, 1, 0, 0)
    """

    __slots__ = ("nanos", "seconds")

    def __init__(self, seconds: int = 0, nanos: int = 0) -> None:
        self.seconds = seconds
        self.nanos = nanos

    def FromDatetime(self, dt: datetime) -> None:
        """Set from ``dt``; a naive ``datetime`` is UTC (as protobuf takes it)."""
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        delta = dt - _EPOCH
        self.seconds = delta.days * 86400 + delta.seconds
        self.nanos = delta.microseconds * 1000

    def ToDatetime(self, tzinfo: TzInfo | None = None) -> datetime:
        """Naive UTC (protobuf's default), or aware in ``tzinfo`` when given."""
        value = _EPOCH + timedelta(seconds=self.seconds, microseconds=self.nanos // 1000)
        return value.astimezone(tzinfo) if tzinfo is not None else value.replace(tzinfo=None)

    def ToJsonString(self) -> str:
        return format_rfc3339(self.ToDatetime(timezone.utc))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timestamp):
            return NotImplemented
        return (self.seconds, self.nanos) == (other.seconds, other.nanos)

    def __hash__(self) -> int:
        return hash((self.seconds, self.nanos))

    def __repr__(self) -> str:
        return f"Timestamp(seconds={self.seconds}, nanos={self.nanos})"


def _drop_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


class CreateOrganization(Message):
    """The body of ``create_organization`` (the official SDK's protobuf message, as a value)."""

    FIELDS = ("display_name", "region_code", "external_id", "metadata", "slug", "logo_url")

    def to_json(self) -> dict[str, Any]:
        name = getattr(self, "display_name", None)
        if not isinstance(name, str) or not name.strip():
            raise ScalekitError("display_name is required to create an organization")
        return super().to_json()


class UpdateOrganization(Message):
    """The fields to change; ``None`` leaves a field as it is (``""`` clears ``external_id``)."""

    FIELDS = ("display_name", "external_id", "metadata", "slug", "logo_url", "region_code")


# Flat shortcuts of CreateUser/UpdateUser, sent inside ``user_profile``.
_PROFILE_SHORTCUTS = ("first_name", "last_name", "name", "locale", "phone_number")


def _with_shortcuts(body: dict[str, Any], profile_fields: Mapping[str, Any]) -> dict[str, Any]:
    shortcuts = _drop_none({k: body.pop(k, None) for k in profile_fields})
    if shortcuts:
        body["user_profile"] = {**shortcuts, **(body.get("user_profile") or {})}
    return body


class CreateUser(Message):
    """A user to create in an organization, as the official ``CreateUser`` message.

    Shortcuts: ``first_name`` … ``phone_number`` go into ``user_profile``, ``roles`` and
    ``membership_metadata`` into ``membership``.
    """

    FIELDS = (
        "email", "external_id", "membership", "user_profile", "metadata",
        *_PROFILE_SHORTCUTS, "roles", "membership_metadata",
    )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        email = getattr(self, "email", None)
        if not isinstance(email, str) or not email.strip():
            raise ScalekitError("email is required to create a user")
        body = _with_shortcuts(super().to_json(), dict.fromkeys(_PROFILE_SHORTCUTS))
        roles = body.pop("roles", None)
        membership_metadata = body.pop("membership_metadata", None)
        membership = dict(body.get("membership") or {})
        if roles is not None:
            membership["roles"] = [{"name": r} if isinstance(r, str) else r for r in roles]
        if membership_metadata is not None:
            membership["metadata"] = membership_metadata
        if membership:
            body["membership"] = membership
        return body


class UpdateUser(Message):
    """The fields of a user to change; ``None`` leaves a field as it is."""

    FIELDS = ("external_id", "user_profile", "metadata", *_PROFILE_SHORTCUTS)

    def to_json(self) -> dict[str, Any]:
        return _with_shortcuts(super().to_json(), dict.fromkeys(_PROFILE_SHORTCUTS))


def _as_datetime(value: datetime | SupportsToDatetime | None, name: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    to_datetime = getattr(value, "ToDatetime", None)
    if callable(to_datetime):
        result = to_datetime()
        if isinstance(result, datetime):
            return result
    raise ScalekitError(f"{name} must be a datetime or have a ToDatetime() method")


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """Which of a user's sessions to list: any of ``status``, created in ``[start, end]``."""

    status: tuple[str, ...] = ()
    start_time: datetime | None = None
    end_time: datetime | None = None

    def to_query(self) -> list[tuple[str, str]]:
        """``filter.status`` (repeated, lower-case), ``filter.start_time``, ``filter.end_time``."""
        query = [("filter.status", status) for status in self.status]
        if self.start_time is not None:
            query.append(("filter.start_time", format_rfc3339(self.start_time)))
        if self.end_time is not None:
            query.append(("filter.end_time", format_rfc3339(self.end_time)))
        return query


def create_session_filter(
    status: Iterable[str] | str | None = None,
    start_time: datetime | SupportsToDatetime | None = None,
    end_time: datetime | SupportsToDatetime | None = None,
) -> SessionFilter:
    """A ``SessionFilter``; statuses are case-insensitive (``"ACTIVE"`` works).

    Times may be ``datetime`` (naive means UTC) or anything with ``ToDatetime()``, such as
    protobuf's ``Timestamp`` or ours.
    """
    statuses = [status] if isinstance(status, str) else list(status or ())
    normalized: list[str] = []
    for value in statuses:
        if not isinstance(value, str) or value.strip().lower() not in SESSION_STATUSES:
            raise ScalekitError(
                f"unknown session status {value!r}; expected one of {', '.join(SESSION_STATUSES)}"
            )
        if value.strip().lower() not in normalized:
            normalized.append(value.strip().lower())
    return SessionFilter(
        tuple(normalized),
        _as_datetime(start_time, "start_time"),
        _as_datetime(end_time, "end_time"),
    )
