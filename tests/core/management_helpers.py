"""Helpers for the management tests: a recording fake of Scalekit's API over httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from scalekit_core import RetryPolicy

ENV = "https://acme.scalekit.test"
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=2.0, total_budget=5.0)

ORG = {
    "id": "org_1",
    "display_name": "Acme Corp",
    "external_id": "acme",
    "region_code": "US",
    "metadata": {"tier": "gold"},
    "create_time": "2025-01-02T03:04:05.123Z",
    "update_time": "2025-01-02T03:04:05Z",
    "settings": {"features": []},
    "brand_new_field": 1,
}
SESSION = {
    "session_id": "ses_1",
    "user_id": "usr_1",
    "organization_id": "org_1",
    "authenticated_organizations": ["org_1"],
    "status": "ACTIVE",
    "created_at": "2025-03-01T10:00:00.000000001Z",
    "device": {"user_agent": "UA", "ip": "10.0.0.1", "location": {"city": "Paris"}},
}
USER = {
    "id": "usr_1",
    "email": "a@acme.test",
    "memberships": [{"organization_id": "org_1", "roles": [{"name": "admin"}]}],
    "user_profile": {"first_name": "A", "email_verified": True},
}


@dataclass
class Recorded:
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeScalekit:
    """Answers like Scalekit and records every request; ``script`` overrides answers per path."""

    records: list[Recorded] = field(default_factory=list)
    token_count: int = 0
    expires_in: int = 3600
    script: dict[str, list[httpx.Response]] = field(default_factory=dict)

    def api_calls(self) -> list[Recorded]:
        return [r for r in self.records if r.path != "/oauth/token"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = urlsplit(str(request.url))
        raw = request.content
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = dict(parse_qsl(raw.decode()))
        self.records.append(
            Recorded(
                request.method,
                url.path,
                parse_qsl(url.query, keep_blank_values=True),
                body,
                dict(request.headers),
            )
        )
        if url.path == "/oauth/token":
            self.token_count += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"mgmt-token-{self.token_count}",
                    "expires_in": self.expires_in,
                    "token_type": "Bearer",
                },
            )
        queued = self.script.get(url.path)
        if queued:
            return queued.pop(0)
        return httpx.Response(200, json=self.answer(request.method, url.path))

    @staticmethod
    def answer(method: str, path: str) -> Any:
        if path.endswith("/portal_links"):
            return {"link": {"id": "lnk_1", "location": "https://portal", "expire_time": None}}
        if path.startswith("/api/v1/organizations") and path.endswith("/users"):
            if method == "POST":
                return {"user": USER}
            return {"users": [USER], "next_page_token": "", "total_size": 1}
        if path == "/api/v1/organizations" and method == "GET":
            return {"organizations": [ORG], "next_page_token": "", "total_size": "1"}
        if path.startswith("/api/v1/organizations"):
            return {} if method == "DELETE" else {"organization": ORG}
        if path.endswith("/sessions/revoke"):
            return {"revoked_sessions": [SESSION], "total_revoked": 1}
        if path.endswith("/revoke"):
            return {"revoked_session": SESSION}
        if path.endswith("/sessions"):
            return {"sessions": [SESSION], "next_page_token": ""}
        if path.startswith("/api/v1/sessions/"):
            return SESSION
        if path == "/api/v1/users":
            return {"users": [USER]}
        if path.startswith("/api/v1/users/"):
            return {} if method == "DELETE" else {"user": USER}
        return {"code": 5, "message": "no such route"}


def gateway_error(status: int, code: int, message: str, error_code: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "code": code,
            "message": message,
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "error_code": error_code}
            ],
        },
    )


Handler = Callable[[httpx.Request], httpx.Response]
