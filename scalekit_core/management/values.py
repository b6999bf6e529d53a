"""What callers hand to the management API: request values, the session filter, ``Timestamp``.

``CreateOrganization`` and ``Timestamp`` stand in for the official SDK's protobuf classes, so
its documented snippets run with only the import lines changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from datetime import tzinfo as TzInfo
from typing import Any, Protocol

from ..errors import ScalekitError
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


@dataclass(frozen=True, slots=True)
class CreateOrganization:
    """The body of ``create_organization`` (the official SDK's protobuf message, as a value)."""

    display_name: str
    external_id: str | None = None
    region_code: str | None = None
    metadata: Mapping[str, str] | None = None
    slug: str | None = None

    @classmethod
    def coerce(cls, value: object) -> CreateOrganization:
        """``value`` itself, or a copy of the same-named attributes (e.g. the protobuf message)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        metadata = getattr(value, "metadata", None)
        return cls(
            display_name=getattr(value, "display_name", ""),
            external_id=getattr(value, "external_id", None) or None,
            region_code=getattr(value, "region_code", None) or None,
            metadata=dict(metadata) if metadata else None,
            slug=getattr(value, "slug", None) or None,
        )

    def to_json(self) -> dict[str, Any]:
        if not isinstance(self.display_name, str) or not self.display_name.strip():
            raise ScalekitError("display_name is required to create an organization")
        body = _drop_none(
            {
                "display_name": self.display_name,
                "external_id": self.external_id,
                "region_code": self.region_code,
                "slug": self.slug,
            }
        )
        if self.metadata is not None:
            body["metadata"] = dict(self.metadata)
        return body


@dataclass(frozen=True, slots=True)
class UpdateOrganization:
    """The fields to change; ``None`` leaves a field as it is (``""`` clears ``external_id``)."""

    display_name: str | None = None
    external_id: str | None = None
    region_code: str | None = None
    metadata: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        body = _drop_none(
            {
                "display_name": self.display_name,
                "external_id": self.external_id,
                "region_code": self.region_code,
            }
        )
        if self.metadata is not None:
            body["metadata"] = dict(self.metadata)
        return body


def _profile(
    first_name: str | None,
    last_name: str | None,
    name: str | None,
    locale: str | None,
    phone_number: str | None,
) -> dict[str, Any]:
    return _drop_none(
        {
            "first_name": first_name,
            "last_name": last_name,
            "name": name,
            "locale": locale,
            "phone_number": phone_number,
        }
    )


@dataclass(frozen=True, slots=True)
class CreateUser:
    """A user to create in an organization, with their membership's roles."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    locale: str | None = None
    phone_number: str | None = None
    external_id: str | None = None
    metadata: Mapping[str, str] | None = None
    roles: Sequence[str] | None = None
    membership_metadata: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        if not isinstance(self.email, str) or not self.email.strip():
            raise ScalekitError("email is required to create a user")
        body: dict[str, Any] = {"email": self.email}
        if self.external_id is not None:
            body["external_id"] = self.external_id
        if self.metadata is not None:
            body["metadata"] = dict(self.metadata)
        profile = _profile(
            self.first_name, self.last_name, self.name, self.locale, self.phone_number
        )
        if profile:
            body["user_profile"] = profile
        membership: dict[str, Any] = {}
        if self.roles is not None:
            membership["roles"] = [{"name": role} for role in self.roles]
        if self.membership_metadata is not None:
            membership["metadata"] = dict(self.membership_metadata)
        if membership:
            body["membership"] = membership
        return body


@dataclass(frozen=True, slots=True)
class UpdateUser:
    """The fields of a user to change; ``None`` leaves a field as it is."""

    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    locale: str | None = None
    phone_number: str | None = None
    external_id: str | None = None
    metadata: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        profile = _profile(
            self.first_name, self.last_name, self.name, self.locale, self.phone_number
        )
        if profile:
            body["user_profile"] = profile
        if self.external_id is not None:
            body["external_id"] = self.external_id
        if self.metadata is not None:
            body["metadata"] = dict(self.metadata)
        return body


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
