"""JSON shapes of management API resources (snake_case, RFC 3339 UTC timestamps)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .access import memberships
from .records import Organization, SessionRecord, User
from .state import EmulatorState

ENVIRONMENT_ID = "env_emulator"


def rfc3339(ts: float | None) -> str | None:
    if ts is None:
        return None
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_rfc3339(value: str) -> float:
    """Parse an RFC 3339 timestamp; ValueError when it is not one."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def organization_json(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id,
        "display_name": org.display_name,
        "external_id": org.external_id,
        "region_code": org.region_code,
        "metadata": dict(org.metadata),
        "create_time": rfc3339(org.create_time),
        "update_time": rfc3339(org.update_time),
        "settings": {
            "features": [{"name": k, "enabled": v} for k, v in sorted(org.features.items())]
        },
    }


def role_ref(name: str) -> dict[str, str]:
    return {"name": name, "display_name": name.replace("_", " ").title()}


def user_json(user: User, state: EmulatorState) -> dict[str, Any]:
    return {
        "id": user.id,
        "environment_id": ENVIRONMENT_ID,
        "email": user.email,
        "external_id": user.external_id,
        "create_time": rfc3339(user.create_time),
        "update_time": rfc3339(user.update_time),
        "metadata": dict(user.metadata),
        "memberships": [
            {
                "organization_id": m.organization_id,
                "membership_status": m.status,
                "roles": [role_ref(r) for r in m.roles],
                "permissions": list(m.permissions),
                "metadata": m.metadata,
            }
            for m in memberships(state, user)
        ],
        "user_profile": {
            "id": user.id,
            "first_name": user.given_name,
            "last_name": user.family_name,
            "name": user.name,
            "locale": "en",
            "email_verified": True,
            "phone_number": "",
            "metadata": {},
            "custom_attributes": {},
        },
    }


def session_json(session: SessionRecord, now: float) -> dict[str, Any]:
    status = session.effective_status(now)
    return {
        "session_id": session.session_id,
        "user_id": session.user_id,
        "organization_id": session.organization_id,
        "authenticated_organizations": [session.organization_id],
        "status": status,
        "created_at": rfc3339(session.created_at),
        "updated_at": rfc3339(session.updated_at),
        "last_active_at": rfc3339(session.last_active_at),
        "idle_expires_at": rfc3339(session.idle_expires_at),
        "absolute_expires_at": rfc3339(session.absolute_expires_at),
        "expired_at": rfc3339(session.expiry_time()) if status == "expired" else None,
        "logout_at": rfc3339(session.logout_at),
        "device": {
            "user_agent": session.device.user_agent,
            "os": session.device.os,
            "os_version": "",
            "browser": session.device.browser,
            "browser_version": "",
            "device_type": session.device.device_type,
            "ip": session.device.ip,
            "location": {
                "city": "",
                "region": "",
                "region_subdivision": "",
                "country": "",
                "latitude": "",
                "longitude": "",
            },
        },
    }
