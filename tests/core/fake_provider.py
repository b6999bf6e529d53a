"""An in-process OpenID provider at Scalekit's paths, served through ``httpx.MockTransport``.

For protocol and fault cases that need exact control; end-to-end client tests run against
the emulator over real HTTP instead.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from .jwt_factory import (
    CLIENT_ID,
    CLIENT_SECRET,
    SigningKey,
    access_claims,
    id_claims,
    jwks,
    signing_key,
)


@dataclass
class FakeProvider:
    keys: list[SigningKey] = field(default_factory=lambda: [signing_key()])
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[httpx.Request] = field(default_factory=list)
    #: path -> (status, body) answered instead of the normal response
    faults: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    nonce: str = "n-1"
    refresh_counter: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls[request.url.path] += 1
        self.requests.append(request)
        if request.url.path in self.faults:
            status, body = self.faults[request.url.path]
            return httpx.Response(status, content=body)
        if request.url.path == "/keys":
            return httpx.Response(200, json=jwks(*self.keys))
        if request.url.path == "/oauth/token":
            return self.token(request)
        return httpx.Response(404, json={"error": "not_found"})

    def token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if "authorization" in request.headers:
            return httpx.Response(
                400,
                json={
                    "error": "invalid_request",
                    "error_description": "two client authentication methods",
                },
            )
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return httpx.Response(401, json={"error": "invalid_client"})
        key = self.keys[0]
        grant = form.get("grant_type")
        body: dict[str, Any]
        if grant == "authorization_code":
            if form.get("code") != "good-code":
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "code expired"}
                )
            body = {
                "access_token": key.sign(access_claims()),
                "id_token": key.sign(id_claims(nonce=self.nonce)),
                "refresh_token": "rt-0",
                "expires_in": 300,
                "token_type": "Bearer",
            }
        elif grant == "refresh_token":
            if form.get("refresh_token") != f"rt-{self.refresh_counter}":
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.refresh_counter += 1
            body = {
                "access_token": key.sign(access_claims(jti=f"tok_r{self.refresh_counter}")),
                "id_token": key.sign(id_claims(nonce=None)),
                "refresh_token": f"rt-{self.refresh_counter}",
                "expires_in": 300,
                "token_type": "Bearer",
            }
        elif grant == "client_credentials":
            body = {
                "access_token": key.sign(access_claims(sub=CLIENT_ID)),
                "expires_in": 86400,
                "token_type": "Bearer",
            }
        else:
            return httpx.Response(400, json={"error": "unsupported_grant_type"})
        return httpx.Response(
            200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )
