"""PasswordlessService (email OTP and magic link), and the inbox its emails land in.

Nothing leaves the machine: every email the emulator "sends" is kept in its state and
listed at ``GET /_emulator/mail`` (``?to=`` filters by recipient, newest first;
``DELETE`` empties it), so tests and the sample apps can read the code or follow the link.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .emulator import Emulator
from .errors import ApiError, invalid_argument, not_found
from .events_api import record_event
from .http_util import with_query
from .management import _json_body, _string, endpoint
from .shapes import rfc3339

TEMPLATES = ("UNSPECIFIED", "SIGNIN", "SIGNUP")
DEFAULT_EXPIRES_IN = 300
MAX_EXPIRES_IN = 3600
MAX_ATTEMPTS = 5
MAX_MAILS = 200  # the inbox keeps the newest ones


def _template(value: object) -> str:
    if value is None:
        return "SIGNIN"
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(TEMPLATES):
        return TEMPLATES[value]
    if isinstance(value, str) and value.upper() in TEMPLATES:
        return value.upper()
    raise invalid_argument(f"template must be one of {', '.join(TEMPLATES)}")


def _expires_in(value: object) -> int:
    if value is None:
        return DEFAULT_EXPIRES_IN
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_EXPIRES_IN:
        raise invalid_argument(f"expires_in must be 1 to {MAX_EXPIRES_IN} seconds")
    return value


def _magic_link_uri(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid_argument("magiclink_auth_uri must be an absolute http(s) URL")
    return value


def _deliver(emu: Emulator, row: dict[str, Any]) -> None:
    """Put the email of ``row``'s current code (and link) in the inbox."""
    lines = [f"Your sign-in code is {row['code']}.", f"It expires in {row['expires_in']} s."]
    link = None
    if row["magiclink_auth_uri"]:
        link = with_query(row["magiclink_auth_uri"], {"link_token": row["link_token"]})
        lines.insert(1, f"Or open this link to sign in: {link}")
    mail_id = "mail_" + secrets.token_hex(8)
    emu.state.mail[mail_id] = {
        "id": mail_id,
        "to": row["email"],
        "subject": "Sign up" if row["template"] == "SIGNUP" else "Sign in",
        "text": "\n".join(lines),
        "code": row["code"],
        "link": link,
        "auth_request_id": row["auth_request_id"],
        "sent_at": rfc3339(emu.now()),
        "sent_at_epoch": emu.now(),
    }
    if len(emu.state.mail) > MAX_MAILS:
        oldest = min(emu.state.mail.values(), key=lambda m: m["sent_at_epoch"])
        del emu.state.mail[oldest["id"]]


def _new_code(emu: Emulator, row: dict[str, Any]) -> dict[str, Any]:
    now = emu.now()
    return {
        **row,
        "code": f"{secrets.randbelow(10**6):06d}",
        "link_token": secrets.token_urlsafe(24),
        "expires_at": now + row["expires_in"],
        "attempts": 0,
    }


def _sent(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "auth_request_id": row["auth_request_id"],
        "expires_at": int(row["expires_at"]),
        "expires_in": row["expires_in"],
        "passwordless_type": row["passwordless_type"],
    }


async def send_email(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    email = (_string(data, "email", max_len=254) or "").strip()
    local, _, domain = email.partition("@")
    if not local or "." not in domain:
        raise invalid_argument("email is not a valid email address")
    variables = data.get("template_variables")
    if variables is not None and not (
        isinstance(variables, dict) and all(isinstance(v, str) for v in variables.values())
    ):
        raise invalid_argument("template_variables must be an object of strings")
    magic = _magic_link_uri(_string(data, "magiclink_auth_uri", max_len=2048))
    with emu.lock:
        row = _new_code(
            emu,
            {
                "auth_request_id": "par_" + secrets.token_hex(10),
                "email": email,
                "template": _template(data.get("template")),
                "magiclink_auth_uri": magic,
                "state": _string(data, "state", max_len=1024) or "",
                "expires_in": _expires_in(data.get("expires_in")),
                "passwordless_type": "LINK_OTP" if magic else "OTP",
                "used": False,
            },
        )
        emu.state.passwordless[row["auth_request_id"]] = row
        _deliver(emu, row)
        return _sent(row)


def _refuse(message: str) -> ApiError:
    return ApiError(3, message, "PASSWORDLESS_VERIFICATION_FAILED")


async def verify_email(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    code = _string(data, "code", max_len=16)
    link_token = _string(data, "link_token", max_len=128)
    request_id = _string(data, "auth_request_id", max_len=64)
    with emu.lock:
        if link_token:
            row = next(
                (
                    r
                    for r in emu.state.passwordless.values()
                    if hmac.compare_digest(r["link_token"].encode(), link_token.encode())
                ),
                None,
            )
        elif code and request_id:
            row = emu.state.passwordless.get(request_id)
        else:
            raise invalid_argument("code with auth_request_id, or link_token, is required")
        if row is None:
            raise _refuse("the code or link is not valid")
        if row["used"] or emu.now() >= row["expires_at"] or row["attempts"] >= MAX_ATTEMPTS:
            raise _refuse("the code or link has expired")
        if not link_token and not hmac.compare_digest(row["code"].encode(), (code or "").encode()):
            emu.state.passwordless[row["auth_request_id"]] = {
                **row,
                "attempts": row["attempts"] + 1,
            }
            raise _refuse("the code is not valid")
        emu.state.passwordless[row["auth_request_id"]] = {**row, "used": True}
        record_event(
            emu,
            "user.passwordless_verified",
            {"email": row["email"], "auth_request_id": row["auth_request_id"]},
            object_type="AuthRequest",
        )
        return {
            "email": row["email"],
            "state": row["state"],
            "template": row["template"],
            "passwordless_type": row["passwordless_type"],
        }


async def resend_email(request: Request, emu: Emulator) -> Any:
    data = await _json_body(request)
    request_id = _string(data, "auth_request_id", max_len=64) or ""
    with emu.lock:
        row = emu.state.passwordless.get(request_id)
        if row is None:
            raise not_found("auth_request", request_id or "(none)")
        if row["used"]:
            raise _refuse("this sign-in is already complete")
        row = _new_code(emu, row)
        emu.state.passwordless[request_id] = row
        _deliver(emu, row)
        return _sent(row)


async def mail(request: Request) -> Response:
    """The inbox: ``GET`` lists (``?to=``, newest first), ``DELETE`` empties it."""
    emu: Emulator = request.app.state.emulator
    with emu.lock:
        if request.method == "DELETE":
            emu.state.mail.clear()
            return JSONResponse({"messages": []})
        wanted = (request.query_params.get("to") or "").strip().lower()
        messages = sorted(
            (m for m in emu.state.mail.values() if not wanted or m["to"].lower() == wanted),
            key=lambda m: -m["sent_at_epoch"],
        )
    shown = [{k: v for k, v in m.items() if k != "sent_at_epoch"} for m in messages]
    return JSONResponse({"messages": shown}, headers={"Cache-Control": "no-store"})


P = "/api/v1/passwordless/email"
routes = [
    Route(P + "/send", endpoint(send_email), methods=["POST"]),
    Route(P + "/verify", endpoint(verify_email), methods=["POST"]),
    Route(P + "/resend", endpoint(resend_email), methods=["POST"]),
    Route("/_emulator/mail", mail, methods=["GET", "DELETE"]),
]
