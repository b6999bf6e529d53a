"""The user map of the official SDK: standard OIDC claims under camelCase keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["user_from_claims"]

_USER_KEYS = {
    "sub": "id",
    "name": "name",
    "preferred_username": "username",
    "given_name": "givenName",
    "family_name": "familyName",
    "middle_name": "middleName",
    "nickname": "nickname",
    "email": "email",
    "email_verified": "emailVerified",
    "phone_number": "phoneNumber",
    "phone_number_verified": "phoneNumberVerified",
    "picture": "picture",
    "profile": "profile",
    "website": "website",
    "gender": "gender",
    "birthdate": "birthdate",
    "zoneinfo": "zoneinfo",
    "locale": "locale",
    "updated_at": "updatedAt",
}


def user_from_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """A plain, JSON-serializable dict (it is often stored straight into a framework session).

    >>> user_from_claims({"sub": "usr_1", "given_name": "Ada", "aud": "x"})
    {'id': 'usr_1', 'givenName': 'Ada'}
    """
    return {target: claims[source] for source, target in _USER_KEYS.items() if source in claims}
