"""The official SDK's request types, as plain Python values.

Each class takes the same keyword arguments as the protobuf message of the same name
(``CreateConnection(provider="OKTA", type="OIDC")``), lets its fields be set afterwards, and
nests freely (``CreateUser(user_profile=CreateUserProfile(first_name="Ada"))`` or a ``dict``).
Where a method takes one of these, it also takes a protobuf instance of the official
package or a ``dict``: see :func:`message_json`. Timestamps may be ``datetime`` (naive means
UTC), our ``Timestamp`` or protobuf's; enum fields take the enum's name (``"OKTA"``) or one
of the ``str`` enums below.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, TypeVar

from ..errors import ScalekitError
from .wire import format_rfc3339

__all__ = [
    "ConnectionProvider",
    "ConnectionType",
    "CreateConnection",
    "CreateDirectory",
    "CreateDomain",
    "CreateMembership",
    "CreateOrganizationRole",
    "CreatePermission",
    "CreateRole",
    "CreateUserProfile",
    "DirectoryProvider",
    "DirectoryType",
    "DomainType",
    "Flags",
    "Message",
    "UpdateConnection",
    "UpdateDefaultOrganizationRolesRequest",
    "UpdateMembership",
    "UpdateRole",
    "UpdateUserProfile",
    "message_json",
]

M = TypeVar("M", bound="Message")


def _plain(value: Any) -> Any:
    """``value`` as JSON: messages, enums, timestamps, protobuf messages, lists and maps."""
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_rfc3339(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "DESCRIPTOR"):
        return _protobuf_json(value)
    if callable(getattr(value, "ToJsonString", None)):  # our Timestamp
        return value.ToJsonString()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    raise ScalekitError(f"cannot send a {type(value).__name__} to the management API")


def _protobuf_json(value: Any) -> Any:
    """A protobuf message (of the official package) in its canonical JSON form."""
    try:  # imported here: protobuf is only around when the official SDK is installed
        from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped]
    except ImportError:
        raise ScalekitError(
            f"a {type(value).__name__} needs the protobuf package to be read"
        ) from None
    if type(value).__name__ == "Timestamp" and callable(getattr(value, "ToJsonString", None)):
        return value.ToJsonString()
    return MessageToDict(value, preserving_proto_field_name=True)


def message_json(value: object, what: str) -> dict[str, Any]:
    """The JSON object for ``value``: one of ours, a protobuf message, or a ``dict``."""
    body = _plain(value)
    if not isinstance(body, dict):
        raise ScalekitError(f"{what} must be a request message or a dict")
    return body


class Message:
    """A request value built like a protobuf message: keywords, settable fields, nesting.

    Unset fields are ``None`` and are not sent; ``""`` is sent (it clears a field).
    """

    #: Subclasses list their field names here (the official message's, in its order).
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **fields: Any) -> None:
        if len(args) > len(self.FIELDS):
            raise TypeError(f"{type(self).__name__} takes at most {len(self.FIELDS)} arguments")
        for name, value in zip(self.FIELDS, args, strict=False):
            if name in fields:
                raise TypeError(f"{type(self).__name__} got {name!r} twice")
            fields[name] = value
        unknown = sorted(set(fields) - set(self.FIELDS))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        for name in self.FIELDS:
            object.__setattr__(self, name, fields.get(name))

    def __getattr__(self, name: str) -> Any:  # only for names that are not fields
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.FIELDS:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        object.__setattr__(self, name, value)

    @classmethod
    def coerce(cls: type[M], value: object) -> M:
        """``value`` itself, or a copy of a ``dict`` or protobuf message with our fields."""
        if isinstance(value, cls):
            return value
        if isinstance(value, (Message, Mapping)) or hasattr(value, "DESCRIPTOR"):
            data = message_json(value, cls.__name__)
        else:  # an object with the same attributes; proto3's empty defaults mean "not set"
            data = {n: getattr(value, n, None) for n in cls.FIELDS}
            data = {n: v for n, v in data.items() if v not in (None, "", 0) and v != {} and v != []}
        try:
            return cls(**{k: v for k, v in data.items() if k in cls.FIELDS})
        except TypeError as exc:
            raise ScalekitError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        """The set fields, in JSON form."""
        body: dict[str, Any] = {}
        for name in self.FIELDS:
            value = getattr(self, name)
            if value is not None:
                body[name] = _plain(value)
        return body

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]  # mutable, like protobuf messages

    def __repr__(self) -> str:
        set_fields = ", ".join(f"{k}={v!r}" for k, v in self.to_json().items())
        return f"{type(self).__name__}({set_fields})"


# --- enums (names as Scalekit spells them on the wire) --------------------------------------


class ConnectionProvider(str, Enum):
    OKTA = "OKTA"
    GOOGLE = "GOOGLE"
    MICROSOFT_AD = "MICROSOFT_AD"
    AUTH0 = "AUTH0"
    ONELOGIN = "ONELOGIN"
    PING_IDENTITY = "PING_IDENTITY"
    JUMPCLOUD = "JUMPCLOUD"
    CUSTOM = "CUSTOM"
    GITHUB = "GITHUB"
    GITLAB = "GITLAB"
    LINKEDIN = "LINKEDIN"
    SALESFORCE = "SALESFORCE"
    MICROSOFT = "MICROSOFT"
    IDP_SIMULATOR = "IDP_SIMULATOR"
    SCALEKIT = "SCALEKIT"
    ADFS = "ADFS"


class ConnectionType(str, Enum):
    OIDC = "OIDC"
    SAML = "SAML"
    PASSWORD = "PASSWORD"
    OAUTH = "OAUTH"
    PASSWORDLESS = "PASSWORDLESS"


class DomainType(str, Enum):
    ALLOWED_EMAIL_DOMAIN = "ALLOWED_EMAIL_DOMAIN"
    ORGANIZATION_DOMAIN = "ORGANIZATION_DOMAIN"


class DirectoryType(str, Enum):
    SCIM = "SCIM"
    LDAP = "LDAP"
    POLL = "POLL"


class DirectoryProvider(str, Enum):
    OKTA = "OKTA"
    GOOGLE = "GOOGLE"
    MICROSOFT_AD = "MICROSOFT_AD"
    AUTH0 = "AUTH0"
    ONELOGIN = "ONELOGIN"
    JUMPCLOUD = "JUMPCLOUD"
    PING_IDENTITY = "PING_IDENTITY"


# --- messages ---------------------------------------------------------------------------------


class CreateUserProfile(Message):
    FIELDS = (
        "given_name", "family_name", "name", "locale", "phone_number", "metadata",
        "custom_attributes", "preferred_username", "picture", "gender", "groups",
        "first_name", "last_name",
    )  # fmt: skip


class UpdateUserProfile(CreateUserProfile):
    pass


class CreateMembership(Message):
    """``roles`` is a list of ``{"name": ...}`` (or plain role names)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("roles", "metadata", "inviter_email")

    def to_json(self) -> dict[str, Any]:
        body = super().to_json()
        if isinstance(body.get("roles"), list):
            body["roles"] = [{"name": r} if isinstance(r, str) else r for r in body["roles"]]
        return body


class UpdateMembership(CreateMembership):
    FIELDS = ("roles", "metadata")


class CreateConnection(Message):
    FIELDS = ("provider", "type", "provider_key", "key_id", "context", "auth_mode")


class UpdateConnection(Message):
    FIELDS = (
        "provider", "type", "debug_enabled", "ui_button_title", "configuration_type",
        "attribute_mapping", "oidc_config", "saml_config", "oauth_config",
        "passwordless_config", "static_config", "webauthn_config", "key_id", "provider_key",
    )  # fmt: skip


class Flags(Message):
    FIELDS = ("is_login", "is_app")


class CreateDomain(Message):
    FIELDS = ("domain", "domain_type")


class CreateDirectory(Message):
    FIELDS = ("directory_type", "directory_provider")


class CreateRole(Message):
    FIELDS = ("name", "display_name", "description", "extends", "permissions")


class CreateOrganizationRole(CreateRole):
    pass


class UpdateRole(Message):
    FIELDS = ("display_name", "description", "extends", "permissions")


class CreatePermission(Message):
    FIELDS = ("name", "description")


class UpdateDefaultOrganizationRolesRequest(Message):
    FIELDS = ("org_id", "default_member_role")
